/**
 * Cross-checks over the whole set of Kubernetes manifests: what the schemas
 * cannot see but a StemeDB deployment depends on (one writer, a store per
 * reader, gRPC probes on the port the service listens on, a grace period longer
 * than the drain, selectors, ports, pinned images, restricted pods, wiring of
 * the writer address and the OTLP endpoint). Each check returns its problems
 * as readable lines; an empty list means it holds.
 */
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { where, type Manifest } from './k8s-manifests';
import { allContainers, containerPort, flagValue, healthPort, listenPort, servesTls, literalEnv, ofKind, probePort, roleContainers, roleOf, selects, workloads } from './k8s-workloads';
import { READER_SEMI_SPACE_FLAG } from '../../services/dev/service-node-flags';
import { parseQuantity } from './quantity';

/** The services drain for at most this long on SIGTERM before forcing (the service contract). */
export const SERVICE_DRAIN_S = 10;
/** The writer owns the WAL with an exclusive lock: never more than one. */
export const WRITER_REPLICAS = 1;
/** Readers must survive the loss of one pod. */
export const READER_REPLICAS_MIN = 2;

export type Check = (manifests: readonly Manifest[]) => string[];

/** Exactly one workload runs the writer: a StatefulSet with one replica, ordered, no parallel pods, and the WAL on a claim template. */
export const writerIsSingleton: Check = (manifests) => {
  const found = roleContainers(manifests, 'writer');
  if (found.length !== 1) return [`expected exactly one writer container, found ${found.length}`];
  const { w, c } = found[0]!;
  const problems: string[] = [];
  const at = where(w.manifest);
  if (w.kind !== 'StatefulSet') problems.push(`${at}: the writer must be a StatefulSet (stable identity, no surge), not a ${w.kind}`);
  if (w.replicas !== WRITER_REPLICAS) problems.push(`${at}: replicas must be set to exactly ${WRITER_REPLICAS}, found ${String(w.replicas)}`);
  if (w.pod.containers.filter((x) => roleOf(x) === 'writer').length !== 1) problems.push(`${at}: one writer container per pod`);
  const sts = w.manifest.object as unknown as IStatefulSet;
  const policy = sts.spec?.podManagementPolicy;
  if (policy !== undefined && policy !== 'OrderedReady') problems.push(`${at}: podManagementPolicy must be OrderedReady (found ${policy})`);
  const rolling = sts.spec?.updateStrategy?.rollingUpdate as { maxUnavailable?: unknown } | undefined;
  if (rolling?.maxUnavailable !== undefined && rolling.maxUnavailable !== 1) problems.push(`${at}: rollingUpdate.maxUnavailable must stay 1`);
  const wal = flagValue(c, '--wal');
  const mount = (c.volumeMounts ?? []).find((v) => v.mountPath === wal);
  if (wal === undefined) problems.push(`${at}: the writer needs --wal DIR`);
  else if (mount === undefined) problems.push(`${at}: the WAL directory ${wal} is not a volume mount`);
  else if (!w.claimTemplates.includes(mount.name)) problems.push(`${at}: the WAL volume '${mount.name}' must come from a volumeClaimTemplate (persistent, one per pod)`);
  return problems;
};

/** Readers scale out (≥ 2 replicas), each with its own store volume (emptyDir with a sizeLimit, or a claim template), tailing the writer. */
export const readersOwnTheirStores: Check = (manifests) => {
  const found = roleContainers(manifests, 'reader');
  if (found.length === 0) return ['no reader container found'];
  const problems: string[] = [];
  for (const { w, c } of found) {
    const at = where(w.manifest);
    if (w.replicas === undefined || w.replicas < READER_REPLICAS_MIN) problems.push(`${at}: replicas must be at least ${READER_REPLICAS_MIN}, found ${String(w.replicas)}`);
    const data = flagValue(c, '--data');
    const mount = (c.volumeMounts ?? []).find((v) => v.mountPath === data);
    if (data === undefined) {
      problems.push(`${at}: the reader needs --data DIR`);
      continue;
    }
    if (mount === undefined) {
      problems.push(`${at}: the store directory ${data} is not a volume mount`);
      continue;
    }
    const volume = (w.pod.volumes ?? []).find((v) => v.name === mount.name);
    const perPodClaim = w.claimTemplates.includes(mount.name);
    if (!perPodClaim && volume?.emptyDir === undefined) problems.push(`${at}: the store volume '${mount.name}' must be per pod (emptyDir or volumeClaimTemplate), never shared`);
    if (volume?.emptyDir !== undefined && volume.emptyDir.sizeLimit === undefined) problems.push(`${at}: the emptyDir store '${mount.name}' needs a sizeLimit`);
  }
  return problems;
};

/** The reader tails the writer at `<statefulset>-0.<service>:<port>` or `<service>:<port>`, a port of the writer's headless Service. */
export const readersTailTheWriter: Check = (manifests) => {
  const writer = roleContainers(manifests, 'writer')[0];
  if (writer === undefined) return ['no writer to tail'];
  const sts = writer.w.manifest.object as unknown as IStatefulSet;
  const serviceName = sts.spec?.serviceName;
  const svc = ofKind<IService>(manifests, 'Service').find((s) => s.o.metadata?.name === serviceName);
  if (svc === undefined) return [`${where(writer.w.manifest)}: serviceName '${String(serviceName)}' names no Service`];
  const problems: string[] = [];
  if (svc.o.spec?.clusterIP !== 'None') problems.push(`${where(svc.m)}: the writer's governing Service must be headless (clusterIP: None)`);
  const ports = (svc.o.spec?.ports ?? []).map((p) => p.port);
  const hosts = [`${writer.w.name}-0.${serviceName}`, `${serviceName}`];
  for (const { w, c } of roleContainers(manifests, 'reader')) {
    const addr = flagValue(c, '--writer') ?? literalEnv(c, manifests).get('STEMEDB_WRITER');
    const viaWal = flagValue(c, '--wal') ?? literalEnv(c, manifests).get('STEMEDB_WAL_DIR');
    if (addr === undefined) {
      problems.push(`${where(w.manifest)}: the reader needs --writer or STEMEDB_WRITER${viaWal === undefined ? '' : ' (a reader pod cannot read the writer pod’s WAL)'}`);
      continue;
    }
    const sep = addr.lastIndexOf(':');
    const host = addr.slice(0, sep);
    const port = Number(addr.slice(sep + 1));
    if (!hosts.includes(host)) problems.push(`${where(w.manifest)}: writer address '${addr}' should be one of ${hosts.join(', ')}`);
    if (!ports.includes(port)) problems.push(`${where(w.manifest)}: writer port ${port} is not a port of Service ${serviceName} (${ports.join(', ')})`);
  }
  return problems;
};

/**
 * Every container has liveness and readiness probes on a declared port; StemeDB
 * containers use native gRPC probes on their listen port — or, when they serve
 * TLS (kubelet probes cannot), on their plaintext health-only port — and
 * readers a startupProbe.
 */
export const probesMatchPorts: Check = (manifests) => {
  const problems: string[] = [];
  for (const w of workloads(manifests)) {
    for (const c of w.pod.containers) {
      const at = `${where(w.manifest)} container ${c.name}`;
      const role = roleOf(c);
      const listen = role === undefined ? undefined : listenPort(c, manifests);
      const health = role === undefined ? undefined : healthPort(c, manifests);
      const tls = role !== undefined && servesTls(c, manifests);
      if (tls && health === undefined) problems.push(`${at}: serves TLS, so its probes need a plaintext --health-listen / STEMEDB_HEALTH_LISTEN port`);
      if (health !== undefined && containerPort(c, health) === undefined) problems.push(`${at}: health port ${health} is not a declared containerPort`);
      const probed = tls ? health : listen;
      if (role !== undefined && listen === undefined) problems.push(`${at}: no --listen or STEMEDB_LISTEN port`);
      if (role !== undefined && listen !== undefined && containerPort(c, listen) === undefined) problems.push(`${at}: listen port ${listen} is not a declared containerPort`);
      const probes: Array<[string, IProbe | undefined, boolean]> = [
        ['livenessProbe', c.livenessProbe, true],
        ['readinessProbe', c.readinessProbe, true],
        ['startupProbe', c.startupProbe, role === 'reader'],
      ];
      for (const [kind, probe, required] of probes) {
        if (probe === undefined) {
          if (required) problems.push(`${at}: missing ${kind}`);
          continue;
        }
        const port = probePort(probe);
        if (port === undefined || containerPort(c, port) === undefined) problems.push(`${at}: ${kind} port ${String(port)} is not a declared containerPort`);
        if (role !== undefined) {
          if (probe.grpc === undefined) problems.push(`${at}: ${kind} must be a native gRPC probe (grpc.health.v1.Health)`);
          else if (probe.grpc.port !== probed) {
            const serving = tls ? `listens on ${String(listen)} (TLS) and answers health checks in plaintext on ${String(probed)}` : `listens on ${String(listen)}`;
            problems.push(`${at}: ${kind} checks port ${probe.grpc.port} but the service ${serving}`);
          }
        }
      }
    }
  }
  return problems;
};

/** Every container, init containers included, requests and limits cpu and memory, with requests ≤ limits. */
export const resourcesBounded: Check = (manifests) => {
  const problems: string[] = [];
  for (const w of workloads(manifests)) {
    for (const c of allContainers(w.pod)) {
      const at = `${where(w.manifest)} container ${c.name}`;
      const { requests = {}, limits = {} } = c.resources ?? {};
      for (const r of ['cpu', 'memory']) {
        const req = requests[r];
        const lim = limits[r];
        if (req === undefined) problems.push(`${at}: no ${r} request`);
        if (lim === undefined) problems.push(`${at}: no ${r} limit`);
        if (req !== undefined && lim !== undefined && parseQuantity(req) > parseQuantity(lim)) problems.push(`${at}: ${r} request ${req} exceeds limit ${lim}`);
      }
    }
  }
  return problems;
};

/** Pods get longer to stop than the services take to drain. */
export const graceOutlastsDrain: Check = (manifests) =>
  workloads(manifests).flatMap((w) => {
    const grace = w.pod.terminationGracePeriodSeconds;
    return grace !== undefined && grace > SERVICE_DRAIN_S ? [] : [`${where(w.manifest)}: terminationGracePeriodSeconds must be set above the ${SERVICE_DRAIN_S} s drain, found ${String(grace)}`];
  });

/** Workload selectors match their pod labels; every Service and PodDisruptionBudget selects some workload's pods. */
export const selectorsMatch: Check = (manifests) => {
  const ws = workloads(manifests);
  const problems: string[] = [];
  for (const w of ws) {
    if (!selects(w.matchLabels, w.podLabels)) problems.push(`${where(w.manifest)}: selector ${JSON.stringify(w.matchLabels)} does not match the pod labels ${JSON.stringify(w.podLabels)}`);
  }
  for (const { m, o } of ofKind<IService>(manifests, 'Service')) {
    if (!ws.some((w) => selects(o.spec?.selector, w.podLabels))) problems.push(`${where(m)}: selector ${JSON.stringify(o.spec?.selector)} matches no workload's pods`);
  }
  for (const { m, o } of ofKind<IPodDisruptionBudget>(manifests, 'PodDisruptionBudget')) {
    if (!ws.some((w) => selects(o.spec?.selector?.matchLabels, w.podLabels))) problems.push(`${where(m)}: selector matches no workload's pods`);
  }
  return problems;
};

/** Every Service port targets a port that the selected pods declare. */
export const servicesTargetPorts: Check = (manifests) => {
  const ws = workloads(manifests);
  const problems: string[] = [];
  for (const { m, o } of ofKind<IService>(manifests, 'Service')) {
    const pods = ws.filter((w) => selects(o.spec?.selector, w.podLabels));
    for (const p of o.spec?.ports ?? []) {
      const target = p.targetPort ?? p.port;
      const ok = pods.length > 0 && pods.every((w) => w.pod.containers.some((c) => containerPort(c, target) !== undefined));
      if (!ok) problems.push(`${where(m)}: port ${p.name ?? p.port} targets ${String(target)}, which the selected pods do not declare`);
    }
  }
  return problems;
};

/** Images carry an explicit tag or digest, never :latest. */
export const imagesPinned: Check = (manifests) =>
  workloads(manifests).flatMap((w) =>
    allContainers(w.pod).flatMap((c) => {
      const image = c.image ?? '';
      const last = image.split('/').pop() ?? '';
      const pinned = image.includes('@sha256:') || (last.includes(':') && !last.endsWith(':latest'));
      return pinned ? [] : [`${where(w.manifest)} container ${c.name}: image '${image}' must be pinned to a tag other than latest`];
    }),
  );

/** PodDisruptionBudgets cover the writer and the readers; a reader budget leaves room to evict one. */
export const disruptionBudgets: Check = (manifests) => {
  const pdbs = ofKind<IPodDisruptionBudget>(manifests, 'PodDisruptionBudget');
  const problems: string[] = [];
  for (const role of ['writer', 'reader'] as const) {
    for (const { w } of roleContainers(manifests, role)) {
      const pdb = pdbs.find((p) => selects(p.o.spec?.selector?.matchLabels, w.podLabels));
      if (pdb === undefined) {
        problems.push(`${where(w.manifest)}: no PodDisruptionBudget selects its pods`);
        continue;
      }
      const min = pdb.o.spec?.minAvailable;
      if (role === 'reader' && (typeof min !== 'number' || min < 1 || min >= (w.replicas ?? 0))) {
        problems.push(`${where(pdb.m)}: readers need minAvailable ≥ 1 and below replicas (${String(w.replicas)}) so a drain can proceed, found ${String(min)}`);
      }
    }
  }
  return problems;
};

/** Pods meet the restricted Pod Security Standard, and every directory a service writes is a writable volume. */
export const podsRestricted: Check = (manifests) => {
  const problems: string[] = [];
  for (const w of workloads(manifests)) {
    const at = where(w.manifest);
    const psc = w.pod.securityContext ?? {};
    if (psc.runAsNonRoot !== true) problems.push(`${at}: securityContext.runAsNonRoot must be true`);
    for (const c of allContainers(w.pod)) {
      const cat = `${at} container ${c.name}`;
      const sc = c.securityContext ?? {};
      if ((sc.seccompProfile ?? psc.seccompProfile)?.type !== 'RuntimeDefault') problems.push(`${cat}: seccompProfile must be RuntimeDefault`);
      if (sc.allowPrivilegeEscalation !== false) problems.push(`${cat}: allowPrivilegeEscalation must be false`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${cat}: capabilities must drop ALL`);
      if (sc.readOnlyRootFilesystem !== true) problems.push(`${cat}: readOnlyRootFilesystem must be true (writable state lives on volumes)`);
      for (const flag of ['--wal', '--data']) {
        const dir = flagValue(c, flag);
        if (dir === undefined) continue;
        const mount = (c.volumeMounts ?? []).find((v) => dir === v.mountPath || dir.startsWith(v.mountPath + '/'));
        if (mount === undefined || mount.readOnly === true) problems.push(`${cat}: ${flag} ${dir} must be on a writable volume`);
      }
    }
    if (w.pod.enableServiceLinks !== false && w.pod.containers.some((c) => roleOf(c) !== undefined)) {
      problems.push(`${at}: enableServiceLinks must be false (Service links inject STEMEDB_*_PORT variables)`);
    }
  }
  return problems;
};

/** ConfigMaps referenced exist; Secrets referenced but not shipped are optional, so pods start without them. */
export const configReferencesResolve: Check = (manifests) => {
  const maps = new Set(ofKind<IConfigMap>(manifests, 'ConfigMap').map((x) => x.o.metadata?.name));
  const secrets = new Set(manifests.filter((m) => m.object.kind === 'Secret').map((m) => m.object.metadata.name));
  const problems: string[] = [];
  for (const w of workloads(manifests)) {
    for (const c of allContainers(w.pod)) {
      const at = `${where(w.manifest)} container ${c.name}`;
      for (const from of c.envFrom ?? []) {
        if (from.configMapRef !== undefined && !maps.has(from.configMapRef.name ?? '') && from.configMapRef.optional !== true) problems.push(`${at}: ConfigMap ${from.configMapRef.name} is not in the manifests`);
        if (from.secretRef !== undefined && !secrets.has(from.secretRef.name ?? '') && from.secretRef.optional !== true) problems.push(`${at}: Secret ${from.secretRef.name} is not shipped and not optional`);
      }
      for (const e of c.env ?? []) {
        const cm = e.valueFrom?.configMapKeyRef;
        if (cm !== undefined && !maps.has(cm.name ?? '') && cm.optional !== true) problems.push(`${at}: ${e.name}: ConfigMap ${cm.name} is not in the manifests`);
        const sk = e.valueFrom?.secretKeyRef;
        if (sk !== undefined && !secrets.has(sk.name ?? '') && sk.optional !== true) problems.push(`${at}: ${e.name}: Secret ${sk.name} is not shipped, so the reference must be optional`);
      }
    }
  }
  return problems;
};

/** TLS settings of a StemeDB container: file paths that must come from Secrets. */
const TLS_FILE_VARIABLES = ['STEMEDB_TLS_CERT', 'STEMEDB_TLS_KEY', 'STEMEDB_TLS_CLIENT_CA', 'STEMEDB_WRITER_TLS_CA', 'STEMEDB_WRITER_TLS_CERT', 'STEMEDB_WRITER_TLS_KEY'];

/**
 * Every StemeDB server serves TLS, with its certificate files on a read-only
 * Secret volume (rotated by Kubernetes, re-read by the server), and its
 * plaintext health-only port is reachable by kubelet but listed by no Service.
 */
export const tlsFromSecrets: Check = (manifests) => {
  const problems: string[] = [];
  const services = ofKind<IService>(manifests, 'Service');
  for (const w of workloads(manifests)) {
    for (const c of w.pod.containers) {
      if (roleOf(c) === undefined) continue;
      const at = `${where(w.manifest)} container ${c.name}`;
      const env = literalEnv(c, manifests);
      if (!servesTls(c, manifests)) problems.push(`${at}: serves plaintext; set STEMEDB_TLS_CERT and STEMEDB_TLS_KEY`);
      for (const variable of TLS_FILE_VARIABLES) {
        const file = env.get(variable);
        if (file === undefined) continue;
        const mount = (c.volumeMounts ?? []).find((v) => file.startsWith(v.mountPath + '/'));
        const volume = (w.pod.volumes ?? []).find((v) => v.name === mount?.name);
        if (mount === undefined || volume?.secret === undefined) problems.push(`${at}: ${variable} ${file} is not on a Secret volume`);
        else if (mount.readOnly !== true) problems.push(`${at}: the TLS Secret volume '${mount.name}' must be mounted readOnly`);
      }
      const health = healthPort(c, manifests);
      if (health === undefined) continue;
      for (const { m, o } of services) {
        if (!selects(o.spec?.selector, w.podLabels)) continue;
        for (const p of o.spec?.ports ?? []) {
          if (containerPort(c, p.targetPort ?? p.port) === health) problems.push(`${where(m)}: port ${p.name ?? p.port} exposes the plaintext health-only port ${health}`);
        }
      }
    }
  }
  return problems;
};

/** Each StemeDB container exports traces to an OTLP/HTTP endpoint served by a Service in the set, under its own service name. */
export const tracesWired: Check = (manifests) => {
  const services = ofKind<IService>(manifests, 'Service');
  const problems: string[] = [];
  for (const role of ['writer', 'reader'] as const) {
    for (const { w, c } of roleContainers(manifests, role)) {
      const at = `${where(w.manifest)} container ${c.name}`;
      const env = literalEnv(c, manifests);
      if (env.get('OTEL_SERVICE_NAME') !== `stemedb-${role}`) problems.push(`${at}: OTEL_SERVICE_NAME must be stemedb-${role}, found ${String(env.get('OTEL_SERVICE_NAME'))}`);
      const endpoint = env.get('OTEL_EXPORTER_OTLP_ENDPOINT');
      if (endpoint === undefined) {
        problems.push(`${at}: OTEL_EXPORTER_OTLP_ENDPOINT is not set`);
        continue;
      }
      let url: URL;
      try {
        url = new URL(endpoint);
      } catch {
        problems.push(`${at}: OTEL_EXPORTER_OTLP_ENDPOINT '${endpoint}' is not a URL`);
        continue;
      }
      const port = Number(url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : url.port);
      const svc = services.find((s) => s.o.metadata?.name === url.hostname.split('.')[0]);
      if (svc === undefined || !(svc.o.spec?.ports ?? []).some((p) => p.port === port)) problems.push(`${at}: OTLP endpoint ${endpoint} is not a port of a Service in the manifests`);
    }
  }
  return problems;
};

/**
 * Each reader runs with the reader's Node flags that hold on any machine
 * (services/dev/service-node-flags.ts): its larger young generation, through
 * NODE_OPTIONS, since the image's entry point is plain `node`.
 */
export const readersRunWithTheirNodeFlags: Check = (manifests) => {
  const problems: string[] = [];
  for (const { w, c } of roleContainers(manifests, 'reader')) {
    const options = (literalEnv(c, manifests).get('NODE_OPTIONS') ?? '').split(/\s+/);
    if (!options.includes(READER_SEMI_SPACE_FLAG)) problems.push(`${where(w.manifest)}: the reader needs NODE_OPTIONS with ${READER_SEMI_SPACE_FLAG} (docs/OPERATIONS.md, "Garbage collection")`);
  }
  return problems;
};

/** Every check, by name, in the order the tests and docs list them. */
export const K8S_CHECKS: ReadonlyArray<readonly [string, Check]> = [
  ['the writer is a single StatefulSet replica with its WAL on a claim', writerIsSingleton],
  ['readers scale out, each with its own store volume', readersOwnTheirStores],
  ['readers tail the writer through its headless Service', readersTailTheWriter],
  ['readers run with their young generation size', readersRunWithTheirNodeFlags],
  ['probes are native gRPC probes on the listen port', probesMatchPorts],
  ['every container requests and limits cpu and memory', resourcesBounded],
  ['the grace period outlasts the drain', graceOutlastsDrain],
  ['selectors match pod labels', selectorsMatch],
  ['Services target declared ports', servicesTargetPorts],
  ['images are pinned', imagesPinned],
  ['disruption budgets cover writer and readers', disruptionBudgets],
  ['pods are restricted and write only to volumes', podsRestricted],
  ['config references resolve', configReferencesResolve],
  ['traces are wired to the OTLP endpoint', tracesWired],
  ['servers use TLS from Secrets; the health-only port stays private', tlsFromSecrets],
];
