import { loadManifests, manifestFiles, parseManifests, schemaProblems, where, ManifestError, type Manifest } from './k8s-manifests';

const manifests = loadManifests();

function clone(m: Manifest, edit: (o: any) => void): Manifest {
  const object = structuredClone(m.object);
  edit(object);
  return { ...m, object };
}

function find(kind: string, name: string): Manifest {
  const m = manifests.find((x) => x.object.kind === kind && x.object.metadata.name === name);
  if (m === undefined) throw new Error(`no ${kind}/${name} in deploy/k8s`);
  return m;
}

describe('Kubernetes manifests against the Kubernetes schemas (kubernetes-models, offline)', () => {
  test('deploy/k8s holds manifests', () => {
    expect(manifestFiles().length).toBeGreaterThan(0);
    expect(manifests.length).toBeGreaterThan(0);
  });

  test.each(manifests.map((m) => [where(m), m] as const))('%s is valid', (_name, m) => {
    expect(schemaProblems(m)).toEqual([]);
  });

  test('a field of the wrong type is reported with its path', () => {
    const bad = clone(find('StatefulSet', 'stemedb-writer'), (o) => {
      o.spec.template.spec.containers[0].readinessProbe.grpc.port = 'seven';
    });
    expect(schemaProblems(bad).join('\n')).toMatch(/readinessProbe\/grpc\/port must be integer/);
  });

  test('a missing required field is reported', () => {
    const bad = clone(find('Deployment', 'stemedb-reader'), (o) => {
      delete o.spec.selector;
    });
    expect(schemaProblems(bad).join('\n')).toMatch(/must have required property .?selector/);
  });

  test('an unknown kind fails instead of passing unchecked', () => {
    const bad = clone(find('Deployment', 'stemedb-reader'), (o) => {
      o.kind = 'DaemonSett';
    });
    expect(schemaProblems(bad)).toEqual([expect.stringMatching(/unknown kind apps\/v1\/DaemonSett/)]);
  });

  test('an object without apiVersion, kind or name is rejected when parsed', () => {
    expect(() => parseManifests('x.yaml', 'kind: Service\nmetadata: {name: a}\n')).toThrow(ManifestError);
    expect(() => parseManifests('x.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {}\n')).toThrow(/needs apiVersion, kind and metadata.name/);
  });

  test('invalid YAML is rejected with the file and document index', () => {
    expect(() => parseManifests('x.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\nkind: [unclosed\n')).toThrow(/x\.yaml#1/);
  });

  test('empty documents between separators are skipped', () => {
    const parsed = parseManifests('x.yaml', '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n');
    expect(parsed.map((m) => m.object.metadata.name)).toEqual(['a']);
  });
});
