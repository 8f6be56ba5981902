/**
 * The workloads of a manifest set seen the way the deploy checks need them:
 * which StemeDB service a container runs, its flags, its literal environment
 * (ConfigMaps resolved), its ports, and label selection.
 */
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { Manifest } from './k8s-manifests';

/** The image name of StemeDB's own containers (deploy/docker/Dockerfile). */
export const STEMEDB_IMAGE = 'stemedb';

export type Role = 'writer' | 'reader';

/** A Deployment or StatefulSet, with what the checks need from it. */
export interface Workload {
  readonly manifest: Manifest;
  readonly kind: 'Deployment' | 'StatefulSet';
  readonly name: string;
  readonly replicas: number | undefined;
  readonly matchLabels: Record<string, string>;
  readonly podLabels: Record<string, string>;
  readonly pod: IPodSpec;
  /** Names of the StatefulSet's volumeClaimTemplates: one PersistentVolumeClaim per pod. */
  readonly claimTemplates: readonly string[];
}

export function workloads(manifests: readonly Manifest[]): Workload[] {
  const out: Workload[] = [];
  for (const m of manifests) {
    if (m.object.kind !== 'Deployment' && m.object.kind !== 'StatefulSet') continue;
    const o = m.object as unknown as IDeployment | IStatefulSet;
    const spec = o.spec;
    if (spec === undefined || spec.template.spec === undefined) continue;
    const claims = m.object.kind === 'StatefulSet' ? ((o as IStatefulSet).spec?.volumeClaimTemplates ?? []) : [];
    out.push({
      manifest: m,
      kind: m.object.kind,
      name: m.object.metadata.name,
      replicas: spec.replicas,
      matchLabels: spec.selector.matchLabels ?? {},
      podLabels: spec.template.metadata?.labels ?? {},
      pod: spec.template.spec,
      claimTemplates: claims.map((c) => c.metadata?.name ?? ''),
    });
  }
  return out;
}

export function ofKind<T>(manifests: readonly Manifest[], kind: string): Array<{ m: Manifest; o: T }> {
  return manifests.filter((m) => m.object.kind === kind).map((m) => ({ m, o: m.object as unknown as T }));
}

export function allContainers(pod: IPodSpec): IContainer[] {
  return [...(pod.initContainers ?? []), ...pod.containers];
}

/** The image name without registry path, tag or digest: `ghcr.io/x/stemedb:1` → `stemedb`. */
export function imageName(image: string): string {
  const noDigest = image.split('@')[0]!;
  const last = noDigest.split('/').pop()!;
  return last.split(':')[0]!;
}

/** Which StemeDB service a container runs, from its first argument; undefined for other images. */
export function roleOf(c: IContainer): Role | undefined {
  if (c.image === undefined || imageName(c.image) !== STEMEDB_IMAGE) return undefined;
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  const first = argv[0];
  return first === 'writer' || first === 'reader' ? first : undefined;
}

/** The value after `--flag` (or of `--flag=value`) in a container's arguments. */
export function flagValue(c: IContainer, flag: string): string | undefined {
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === flag) return argv[i + 1];
    if (argv[i]!.startsWith(flag + '=')) return argv[i]!.slice(flag.length + 1);
  }
  return undefined;
}

/** A container's environment as literal values: ConfigMap envFrom first, then env (later wins, as in Kubernetes). */
export function literalEnv(c: IContainer, manifests: readonly Manifest[]): Map<string, string> {
  const env = new Map<string, string>();
  const maps = ofKind<IConfigMap>(manifests, 'ConfigMap');
  for (const from of c.envFrom ?? []) {
    const cm = maps.find((x) => x.o.metadata?.name === from.configMapRef?.name);
    for (const [k, v] of Object.entries(cm?.o.data ?? {})) env.set((from.prefix ?? '') + k, v);
  }
  for (const e of c.env ?? []) if (e.value !== undefined) env.set(e.name, e.value);
  return env;
}

/** Where a service listens (`--listen HOST:PORT`, else STEMEDB_LISTEN). */
export function listenPort(c: IContainer, manifests: readonly Manifest[]): number | undefined {
  const addr = flagValue(c, '--listen') ?? literalEnv(c, manifests).get('STEMEDB_LISTEN');
  const port = addr === undefined ? NaN : Number(addr.slice(addr.lastIndexOf(':') + 1));
  return Number.isInteger(port) ? port : undefined;
}

/** The port of a container's plaintext health-only listener (--health-listen / STEMEDB_HEALTH_LISTEN), if any. */
export function healthPort(c: IContainer, manifests: readonly Manifest[]): number | undefined {
  const addr = flagValue(c, '--health-listen') ?? literalEnv(c, manifests).get('STEMEDB_HEALTH_LISTEN');
  const port = addr === undefined ? NaN : Number(addr.slice(addr.lastIndexOf(':') + 1));
  return Number.isInteger(port) ? port : undefined;
}

/** Whether a container serves TLS (--tls-cert / STEMEDB_TLS_CERT). */
export function servesTls(c: IContainer, manifests: readonly Manifest[]): boolean {
  return (flagValue(c, '--tls-cert') ?? literalEnv(c, manifests).get('STEMEDB_TLS_CERT')) !== undefined;
}

export function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (selector === undefined || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** A container port by number or name; the number it resolves to. */
export function containerPort(c: IContainer, port: number | string): number | undefined {
  const p = (c.ports ?? []).find((x) => x.containerPort === port || x.name === port);
  return p?.containerPort;
}

export function probePort(p: IProbe): number | string | undefined {
  return p.grpc?.port ?? p.httpGet?.port ?? p.tcpSocket?.port;
}

export function roleContainers(manifests: readonly Manifest[], role: Role): Array<{ w: Workload; c: IContainer }> {
  return workloads(manifests).flatMap((w) => w.pod.containers.filter((c) => roleOf(c) === role).map((c) => ({ w, c })));
}
