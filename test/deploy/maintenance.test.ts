import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { loadManifests, parseManifests, schemaProblems } from './k8s-manifests';

const MAINTENANCE_DIR = resolve(__dirname, '../../deploy/maintenance');
const pods = parseManifests('wal-maintenance.yaml', readFileSync(join(MAINTENANCE_DIR, 'wal-maintenance.yaml'), 'utf8'));
const writer = loadManifests().find((m) => m.object.kind === 'StatefulSet' && m.object.metadata.name === 'stemedb-writer')!.object as unknown as IStatefulSet;

describe('deploy/maintenance/wal-maintenance.yaml', () => {
  test('is one valid Pod', () => {
    expect(pods.map((m) => m.object.kind)).toEqual(['Pod']);
    expect(schemaProblems(pods[0]!)).toEqual([]);
  });

  test('mounts the claim the writer StatefulSet creates for its WAL, at the same path', () => {
    const pod = pods[0]!.object as unknown as IPod;
    const template = writer.spec!.volumeClaimTemplates![0]!.metadata!.name!;
    const claim = `${template}-${writer.metadata!.name}-0`;
    const volume = pod.spec!.volumes!.find((v) => v.persistentVolumeClaim?.claimName === claim);
    expect(volume).toBeDefined();
    const writerMount = writer.spec!.template.spec!.containers[0]!.volumeMounts!.find((m) => m.name === template)!;
    const podMount = pod.spec!.containers[0]!.volumeMounts!.find((m) => m.name === volume!.name)!;
    expect(podMount.mountPath).toBe(writerMount.mountPath);
  });

  test('runs the writer image, restricted, in the writer namespace', () => {
    const pod = pods[0]!.object as unknown as IPod;
    const c = pod.spec!.containers[0]!;
    expect(c.image).toBe(writer.spec!.template.spec!.containers[0]!.image);
    expect(pod.metadata!.namespace).toBe('stemedb');
    expect(pod.spec!.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c.resources?.limits).toMatchObject({ cpu: expect.anything(), memory: expect.anything() });
  });
});
