import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { K8S_DIR, KUSTOMIZATION_FILE, loadManifests, manifestFiles } from './k8s-manifests';
import { kustomizationProblems, type Kustomization } from './kustomization';

const kustomization = parse(readFileSync(join(K8S_DIR, KUSTOMIZATION_FILE), 'utf8')) as Kustomization;
const files = manifestFiles();
const manifests = loadManifests();

describe('deploy/k8s/kustomization.yaml', () => {
  test('lists exactly the manifest files present, each of which exists, and is consistent with them', () => {
    expect(kustomizationProblems(kustomization, files, manifests)).toEqual([]);
    for (const f of kustomization.resources ?? []) expect(existsSync(join(K8S_DIR, f))).toBe(true);
  });

  test('a manifest file left out of resources is reported', () => {
    const k = { ...kustomization, resources: (kustomization.resources ?? []).filter((f) => f !== 'jaeger.yaml') };
    expect(kustomizationProblems(k, files, manifests)).toEqual([expect.stringMatching(/jaeger\.yaml is not listed/)]);
  });

  test('a resource that does not exist is reported', () => {
    const k = { ...kustomization, resources: [...(kustomization.resources ?? []), 'ingress.yaml'] };
    expect(kustomizationProblems(k, files, manifests)).toEqual([expect.stringMatching(/ingress\.yaml is listed but does not exist/)]);
  });

  test('a resource listed twice is reported', () => {
    const k = { ...kustomization, resources: [...(kustomization.resources ?? []), 'writer.yaml'] };
    expect(kustomizationProblems(k, files, manifests)).toEqual([expect.stringMatching(/writer\.yaml is listed 2 times/)]);
  });

  test('an unknown field or a wrong kind is reported', () => {
    expect(kustomizationProblems({ ...kustomization, resource: [] } as Kustomization, files, manifests)).toEqual([expect.stringMatching(/unknown field 'resource'/)]);
    expect(kustomizationProblems({ ...kustomization, kind: 'Component' }, files, manifests)).toEqual([expect.stringMatching(/kind must be Kustomization/)]);
  });

  test('a namespace without its Namespace manifest, or an object pinned to another namespace, is reported', () => {
    expect(kustomizationProblems({ ...kustomization, namespace: 'other' }, files, manifests)).toEqual(
      expect.arrayContaining([expect.stringMatching(/no Namespace manifest for 'other'/), expect.stringMatching(/Namespace\/stemedb.*is not 'other'/)]),
    );
    const pinned = manifests.map((m) => (m.object.kind === 'ConfigMap' ? { ...m, object: { ...m.object, metadata: { ...m.object.metadata, namespace: 'default' } } } : m));
    expect(kustomizationProblems(kustomization, files, pinned)).toEqual([expect.stringMatching(/ConfigMap\/stemedb-config: namespace 'default'/)]);
  });

  test('an image override must name an image the manifests use', () => {
    const k = { ...kustomization, images: [{ name: 'stemdb', newTag: '0.2.0' }] };
    expect(kustomizationProblems(k, files, manifests)).toEqual([expect.stringMatching(/images: 'stemdb' is used by no container/)]);
  });
});
