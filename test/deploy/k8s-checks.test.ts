import { loadManifests, type Manifest } from './k8s-manifests';
import * as checks from './k8s-checks';
import { imageName } from './k8s-workloads';
import { K8S_CHECKS, SERVICE_DRAIN_S, type Check } from './k8s-checks';
import { parseQuantity } from './quantity';

const manifests = loadManifests();

/** The manifests with one object edited (a deep copy; the loaded set is untouched). */
function edited(kind: string, name: string, edit: (o: any) => void): Manifest[] {
  let hit = false;
  const out = manifests.map((m) => {
    if (m.object.kind !== kind || m.object.metadata.name !== name) return m;
    hit = true;
    const object = structuredClone(m.object);
    edit(object);
    return { ...m, object };
  });
  if (!hit) throw new Error(`no ${kind}/${name} in deploy/k8s`);
  return out;
}

const writer = (edit: (o: any) => void): Manifest[] => edited('StatefulSet', 'stemedb-writer', edit);
const reader = (edit: (o: any) => void): Manifest[] => edited('Deployment', 'stemedb-reader', edit);
const writerContainer = (o: any): any => o.spec.template.spec.containers[0];
const readerContainer = (o: any): any => o.spec.template.spec.containers[0];

function expectProblem(check: Check, set: Manifest[], pattern: RegExp): void {
  const problems = check(set);
  expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(pattern)]));
}

describe('deploy/k8s cross-checks', () => {
  test.each(K8S_CHECKS.map(([name, check]) => [name, check] as const))('%s', (_name, check) => {
    expect(check(manifests)).toEqual([]);
  });
});

describe('each cross-check catches what it guards against', () => {
  test('a reader without its young generation size is refused', () => {
    const withoutNodeOptions = reader((o) => (readerContainer(o).env = readerContainer(o).env.filter((e: { name: string }) => e.name !== 'NODE_OPTIONS')));
    expectProblem(checks.readersRunWithTheirNodeFlags, withoutNodeOptions, /the reader needs NODE_OPTIONS with --max-semi-space-size=64/);
    const otherValue = reader((o) => (readerContainer(o).env.find((e: { name: string }) => e.name === 'NODE_OPTIONS').value = '--max-semi-space-size=16'));
    expectProblem(checks.readersRunWithTheirNodeFlags, otherValue, /the reader needs NODE_OPTIONS/);
  });

  test('a second writer replica is refused', () => {
    expectProblem(checks.writerIsSingleton, writer((o) => (o.spec.replicas = 2)), /replicas must be set to exactly 1, found 2/);
  });

  test('an implicit replica count is refused for the writer', () => {
    expectProblem(checks.writerIsSingleton, writer((o) => delete o.spec.replicas), /replicas must be set to exactly 1/);
  });

  test('parallel pod management for the writer is refused', () => {
    expectProblem(checks.writerIsSingleton, writer((o) => (o.spec.podManagementPolicy = 'Parallel')), /OrderedReady/);
  });

  test('a writer WAL on an emptyDir is refused', () => {
    const set = writer((o) => {
      o.spec.volumeClaimTemplates = [];
      o.spec.template.spec.volumes.push({ name: 'wal', emptyDir: {} });
    });
    expectProblem(checks.writerIsSingleton, set, /must come from a volumeClaimTemplate/);
  });

  test('a writer run by a Deployment is refused', () => {
    const extra: Manifest = { file: 'extra.yaml', index: 0, object: structuredClone(manifests.find((m) => m.object.kind === 'StatefulSet')!.object) };
    extra.object.kind = 'Deployment';
    expectProblem(checks.writerIsSingleton, [...manifests, extra], /exactly one writer container, found 2/);
  });

  test('a single reader replica is refused', () => {
    expectProblem(checks.readersOwnTheirStores, reader((o) => (o.spec.replicas = 1)), /at least 2, found 1/);
  });

  test('a store on a shared PersistentVolumeClaim is refused', () => {
    const set = reader((o) => {
      o.spec.template.spec.volumes[0] = { name: 'store', persistentVolumeClaim: { claimName: 'shared' } };
    });
    expectProblem(checks.readersOwnTheirStores, set, /must be per pod/);
  });

  test('an emptyDir store without a sizeLimit is refused', () => {
    expectProblem(checks.readersOwnTheirStores, reader((o) => (o.spec.template.spec.volumes[0].emptyDir = {})), /needs a sizeLimit/);
  });

  test('a store directory that is not mounted is refused', () => {
    expectProblem(checks.readersOwnTheirStores, reader((o) => (readerContainer(o).args[2] = '/elsewhere')), /not a volume mount/);
  });

  test('a reader pointed at a wrong writer host or port is refused', () => {
    const wrongHost = reader((o) => (readerContainer(o).env.find((e: any) => e.name === 'STEMEDB_WRITER').value = 'stemedb-writer-1.stemedb-writer:7070'));
    expectProblem(checks.readersTailTheWriter, wrongHost, /should be one of stemedb-writer-0.stemedb-writer, stemedb-writer/);
    const wrongPort = reader((o) => (readerContainer(o).env.find((e: any) => e.name === 'STEMEDB_WRITER').value = 'stemedb-writer:7071'));
    expectProblem(checks.readersTailTheWriter, wrongPort, /writer port 7071 is not a port of Service stemedb-writer/);
  });

  test('a reader without a writer address is refused', () => {
    const set = reader((o) => (readerContainer(o).env = readerContainer(o).env.filter((e: any) => e.name !== 'STEMEDB_WRITER')));
    expectProblem(checks.readersTailTheWriter, set, /needs --writer or STEMEDB_WRITER/);
  });

  test('a writer Service with a cluster IP is refused', () => {
    expectProblem(checks.readersTailTheWriter, edited('Service', 'stemedb-writer', (o) => delete o.spec.clusterIP), /must be headless/);
  });

  test('an HTTP probe on a StemeDB container is refused', () => {
    const set = writer((o) => (writerContainer(o).livenessProbe = { httpGet: { path: '/', port: 7070 } }));
    expectProblem(checks.probesMatchPorts, set, /livenessProbe must be a native gRPC probe/);
  });

  test('a gRPC probe on another port than the listen port is refused', () => {
    const set = reader((o) => {
      readerContainer(o).readinessProbe.grpc.port = 9464;
    });
    expectProblem(checks.probesMatchPorts, set, /readinessProbe checks port 9464 but the service listens on 7071/);
  });

  test('a listen port that is not a containerPort is refused', () => {
    expectProblem(checks.probesMatchPorts, writer((o) => (writerContainer(o).args[4] = '0.0.0.0:7075')), /listen port 7075 is not a declared containerPort/);
  });

  test('a reader without a startupProbe is refused', () => {
    expectProblem(checks.probesMatchPorts, reader((o) => delete readerContainer(o).startupProbe), /missing startupProbe/);
  });

  test('a container without a memory limit is refused', () => {
    expectProblem(checks.resourcesBounded, reader((o) => delete readerContainer(o).resources.limits.memory), /container reader: no memory limit/);
  });

  test('a request above its limit is refused', () => {
    expectProblem(checks.resourcesBounded, writer((o) => (writerContainer(o).resources.requests.cpu = '2500m')), /cpu request 2500m exceeds limit 2/);
  });

  test(`a grace period of ${SERVICE_DRAIN_S} s is refused and ${SERVICE_DRAIN_S + 1} s accepted`, () => {
    expectProblem(checks.graceOutlastsDrain, writer((o) => (o.spec.template.spec.terminationGracePeriodSeconds = SERVICE_DRAIN_S)), /above the 10 s drain, found 10/);
    expect(checks.graceOutlastsDrain(writer((o) => (o.spec.template.spec.terminationGracePeriodSeconds = SERVICE_DRAIN_S + 1)))).toEqual([]);
  });

  test('a default grace period is refused', () => {
    expectProblem(checks.graceOutlastsDrain, reader((o) => delete o.spec.template.spec.terminationGracePeriodSeconds), /found undefined/);
  });

  test('a selector that misses the pod labels is refused', () => {
    expectProblem(checks.selectorsMatch, reader((o) => (o.spec.selector.matchLabels['app.kubernetes.io/component'] = 'readers')), /does not match the pod labels/);
  });

  test('a Service selecting no pods is refused', () => {
    expectProblem(checks.selectorsMatch, edited('Service', 'stemedb-reader', (o) => (o.spec.selector = { app: 'nothing' })), /matches no workload's pods/);
  });

  test('a Service targeting an undeclared port is refused', () => {
    expectProblem(checks.servicesTargetPorts, edited('Service', 'jaeger', (o) => (o.spec.ports[1].targetPort = 'otlp')), /targets otlp/);
  });

  test('an untagged or :latest image is refused, a digest accepted', () => {
    expectProblem(checks.imagesPinned, edited('Deployment', 'jaeger', (o) => (o.spec.template.spec.containers[0].image = 'jaegertracing/all-in-one')), /must be pinned/);
    expectProblem(checks.imagesPinned, writer((o) => (writerContainer(o).image = 'registry:5000/stemedb:latest')), /must be pinned/);
    expectProblem(checks.imagesPinned, writer((o) => (writerContainer(o).image = 'registry:5000/stemedb')), /must be pinned/);
    expect(checks.imagesPinned(writer((o) => (writerContainer(o).image = `stemedb@sha256:${'a'.repeat(64)}`)))).toEqual([]);
  });

  test('a reader budget that blocks every eviction is refused', () => {
    expectProblem(checks.disruptionBudgets, edited('PodDisruptionBudget', 'stemedb-reader', (o) => (o.spec.minAvailable = 2)), /minAvailable ≥ 1 and below replicas/);
  });

  test('a workload without a disruption budget is refused', () => {
    const set = manifests.filter((m) => !(m.object.kind === 'PodDisruptionBudget' && m.object.metadata.name === 'stemedb-writer'));
    expectProblem(checks.disruptionBudgets, set, /StatefulSet\/stemedb-writer: no PodDisruptionBudget/);
  });

  test('a writable root filesystem, kept capabilities or root are refused', () => {
    expectProblem(checks.podsRestricted, writer((o) => (writerContainer(o).securityContext.readOnlyRootFilesystem = false)), /readOnlyRootFilesystem must be true/);
    expectProblem(checks.podsRestricted, writer((o) => (writerContainer(o).securityContext.capabilities.drop = [])), /must drop ALL/);
    expectProblem(checks.podsRestricted, reader((o) => delete o.spec.template.spec.securityContext.runAsNonRoot), /runAsNonRoot must be true/);
    expectProblem(checks.podsRestricted, reader((o) => delete o.spec.template.spec.securityContext.seccompProfile), /seccompProfile must be RuntimeDefault/);
  });

  test('a read-only store mount is refused', () => {
    expectProblem(checks.podsRestricted, reader((o) => (readerContainer(o).volumeMounts[0].readOnly = true)), /--data \/var\/lib\/stemedb\/store must be on a writable volume/);
  });

  test('Service links left on are refused', () => {
    expectProblem(checks.podsRestricted, reader((o) => delete o.spec.template.spec.enableServiceLinks), /enableServiceLinks must be false/);
  });

  test('a required reference to the unshipped admin-key Secret is refused', () => {
    const set = writer((o) => (writerContainer(o).env.find((e: any) => e.name === 'STEMEDB_ADMIN_KEYS').valueFrom.secretKeyRef.optional = false));
    expectProblem(checks.configReferencesResolve, set, /Secret stemedb-admin-keys is not shipped/);
  });

  test('a reference to a missing ConfigMap is refused', () => {
    expectProblem(checks.configReferencesResolve, reader((o) => (readerContainer(o).envFrom[0].configMapRef.name = 'nope')), /ConfigMap nope is not in the manifests/);
  });

  test('an OTLP endpoint that no Service serves is refused', () => {
    const set = edited('ConfigMap', 'stemedb-config', (o) => (o.data.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://jaeger:4319'));
    expectProblem(checks.tracesWired, set, /OTLP endpoint http:\/\/jaeger:4319 is not a port of a Service/);
  });

  test('a missing OTLP endpoint or a wrong service name is refused', () => {
    expectProblem(checks.tracesWired, edited('ConfigMap', 'stemedb-config', (o) => delete o.data.OTEL_EXPORTER_OTLP_ENDPOINT), /OTEL_EXPORTER_OTLP_ENDPOINT is not set/);
    expectProblem(checks.tracesWired, reader((o) => (readerContainer(o).env[0].value = 'stemedb-writer')), /OTEL_SERVICE_NAME must be stemedb-reader/);
  });
});

describe('helpers', () => {
  test('quantities parse in base units', () => {
    expect(parseQuantity('500m')).toBeCloseTo(0.5);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity(2)).toBe(2);
    expect(parseQuantity('512Mi')).toBe(512 * 2 ** 20);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(() => parseQuantity('1 Gi')).toThrow(/not a Kubernetes quantity/);
  });

  test('image names drop registry, tag and digest', () => {
    expect(imageName('registry:5000/team/stemedb:0.1.0')).toBe('stemedb');
    expect(imageName('stemedb@sha256:abc')).toBe('stemedb');
  });
});

describe('TLS in the manifests', () => {
  const env = (c: any, name: string): any => c.env.find((e: any) => e.name === name);

  test('a server without TLS is refused', () => {
    const set = writer((o) => (writerContainer(o).env = writerContainer(o).env.filter((e: any) => !e.name.startsWith('STEMEDB_TLS_'))));
    expectProblem(checks.tlsFromSecrets, set, /container writer: serves plaintext/);
  });

  test('a TLS file outside a Secret volume, or a writable Secret mount, is refused', () => {
    expectProblem(checks.tlsFromSecrets, reader((o) => (env(readerContainer(o), 'STEMEDB_WRITER_TLS_CA').value = '/tmp/ca.crt')), /STEMEDB_WRITER_TLS_CA \/tmp\/ca.crt is not on a Secret volume/);
    expectProblem(checks.tlsFromSecrets, writer((o) => (writerContainer(o).volumeMounts.find((v: any) => v.name === 'tls').readOnly = false)), /must be mounted readOnly/);
  });

  test('a Service exposing the plaintext health port is refused', () => {
    const set = edited('Service', 'stemedb-writer', (o) => o.spec.ports.push({ name: 'health', port: 7170, targetPort: 'health' }));
    expectProblem(checks.tlsFromSecrets, set, /exposes the plaintext health-only port 7170/);
  });

  test('a probe on the TLS port, or TLS without a health port, is refused', () => {
    expectProblem(checks.probesMatchPorts, writer((o) => (writerContainer(o).livenessProbe.grpc.port = 7070)), /livenessProbe checks port 7070 but the service listens on 7070 \(TLS\) and answers health checks in plaintext on 7170/);
    const noHealth = writer((o) => (writerContainer(o).env = writerContainer(o).env.filter((e: any) => e.name !== 'STEMEDB_HEALTH_LISTEN')));
    expectProblem(checks.probesMatchPorts, noHealth, /serves TLS, so its probes need a plaintext --health-listen/);
  });
});
