/**
 * The writer's configuration: command-line flags, each with an environment
 * variable equivalent; a flag wins over its variable. Pure (no I/O, no gRPC),
 * so `stemedb writer` can parse and report usage errors before anything heavy
 * is loaded.
 */
import { parseArgs } from 'node:util';
import { publicKeyProblem } from '../../shared/domain/public-key';
import { MAX_CONNECTION_AGE_MS } from '../../shared/grpc/limits';
import { serverTlsFrom, TlsSettingError, type ServerTlsFiles } from '../../shared/grpc/tls-options';
import { parseLevel, type LogLevel } from '../../shared/telemetry/logger';
import type { Durability } from '../../shared/wal/group-commit';
import type { PeerLimitConfig } from './peer-limit';
import { VERIFY_WORKERS_MAX } from '../../shared/verify/limits';
import { SEGMENT_BYTES_MAX_DEFAULT } from '../../shared/wal/limits';
import {
  PEER_NEW_KEYS_BURST_DEFAULT,
  PEER_NEW_KEYS_PER_SEC_DEFAULT,
  QUOTA_BURST_RECORDS_DEFAULT,
  QUOTA_RECORDS_PER_SEC_DEFAULT,
  RETENTION_INTERVAL_MS_DEFAULT,
  RETENTION_INTERVAL_MS_MIN,
  RETENTION_LAG_BYTES_MAX_DEFAULT,
  WRITER_LISTEN_DEFAULT,
  WRITER_SEGMENT_BYTES_MAX,
  WRITER_SEGMENT_BYTES_MIN,
} from './limits';

/** Per-agent append quota (a token bucket per agent; every signer of a new record is charged). */
export interface QuotaConfig {
  /** Records per second per agent; 0 = unlimited. @default QUOTA_RECORDS_PER_SEC_DEFAULT (0) */
  readonly recordsPerSec: number;
  /** Bucket size in records. @default twice `recordsPerSec` */
  readonly burstRecords: number;
}

export interface WriterConfig {
  /** The WAL directory (created if missing; locked while the writer runs). */
  readonly walDir: string;
  /** `HOST:PORT`; port 0 picks a free port. @default WRITER_LISTEN_DEFAULT */
  readonly listen: string;
  /** Raw 32-byte Ed25519 public keys allowed to sign gold standards and epochs. */
  readonly adminKeys: readonly Buffer[];
  /** @default 'fsync' */
  readonly durability: Durability;
  /** Undefined keeps the logger's own default (info). */
  readonly logLevel?: LogLevel;
  /** `null` never closes connections for age. @default MAX_CONNECTION_AGE_MS */
  readonly maxConnectionAgeMs: number | null;
  readonly quota: QuotaConfig;
  /** Serve TLS (mutual TLS with a client CA, roles with a role map). @default plaintext */
  readonly tls?: ServerTlsFiles;
  /** Plaintext listener serving only grpc.health.v1 (Kubernetes probes). @default none */
  readonly healthListen?: string;
  /** Accept records only from admitted agents (AgentGrant/AgentRevoke in the log). @default false */
  readonly admission?: boolean;
  /** Per-peer fresh-key limit (applies while admission is off). @default off */
  readonly peerLimit?: PeerLimitConfig;
  /** Rotation size of the WAL's segments (file bytes, header included). @default SEGMENT_BYTES_MAX_DEFAULT (64 MiB) */
  readonly segmentBytes?: number;
  /** Retention by consumer cursors (docs/OPERATIONS.md, "Retention"). @default off: the log is never trimmed */
  readonly retention?: RetentionConfig;
  /** Worker threads verifying admitted records' signatures, 1..VERIFY_WORKERS_MAX. @default defaultVerifyWorkers('admission'): one per core */
  readonly verifyWorkers?: number;
}

export interface RetentionConfig {
  /** Bytes behind the head always kept. */
  readonly keepBytes: number;
  /** A consumer further behind the head stops holding retention back. @default RETENTION_LAG_BYTES_MAX_DEFAULT */
  readonly lagBytesMax: number;
  /** @default RETENTION_INTERVAL_MS_DEFAULT */
  readonly intervalMs: number;
}

/** A bad flag or environment value; the CLI prints it with the usage hint. */
export class WriterConfigError extends Error {
  override readonly name = 'WriterConfigError';
  constructor(
    /** The flag or variable, e.g. `--durability` or `STEMEDB_DURABILITY`. */
    readonly setting: string,
    readonly reason: string,
  ) {
    super(`${setting}: ${reason}`);
  }
}

export const WRITER_HELP = `usage: stemedb writer --wal DIR [--listen HOST:PORT] [--admin-key HEX ...]
                      [--durability fsync|none] [--quota-records-per-sec N]
                      [--quota-burst N] [--max-connection-age-ms N] [--log-level L]
                      [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE [--tls-roles FILE]]]
                      [--health-listen HOST:PORT] [--admission on|off]
                      [--peer-new-keys-per-sec R] [--peer-new-keys-burst N]
                      [--segment-bytes N] [--retention-keep-bytes N
                      [--retention-lag-bytes-max N] [--retention-interval-ms N]]
                      [--verify-workers N]
       stemedb writer consumers --wal DIR [--remove ID] [--json]

The one process that writes the log: validates, verifies and appends signed
records (WriterService Append, AppendBatch, AppendStream) with group-commit
fsync, and serves Tail and Head, grpc.health.v1 and server reflection.
Prints {"ready":true,"service":"writer","address":"HOST:PORT"} on stdout when
it is serving; logs are JSON lines on stderr. SIGTERM/SIGINT drain in-flight
appends, close the log and exit 0 (1 when the drain had to be forced after
10 s). With tracing on, spans are flushed first: an OTLP endpoint that does not
answer delays the exit by several seconds and is reported on stderr, without
changing the exit status.

options (each flag overrides its environment variable):
  --wal DIR                    STEMEDB_WAL_DIR        WAL directory (required)
  --listen HOST:PORT           STEMEDB_LISTEN         default ${WRITER_LISTEN_DEFAULT}; port 0 = any free port
  --admin-key HEX              STEMEDB_ADMIN_KEYS     admin public key (64 hex); repeat the flag,
                                                      or comma-separate in the variable. Gold
                                                      standards and epochs need a signature by one.
  --durability fsync|none      STEMEDB_DURABILITY     default fsync; none acknowledges before the
                                                      data is on disk (tests and benchmarks only)
  --quota-records-per-sec R    STEMEDB_QUOTA_RECORDS_PER_SEC
                                                      records per second per agent (first signer),
                                                      a decimal such as 0.5 (one every 2 s);
                                                      default ${QUOTA_RECORDS_PER_SEC_DEFAULT} = unlimited
  --quota-burst N              STEMEDB_QUOTA_BURST    bucket size in records; default ${QUOTA_BURST_RECORDS_DEFAULT} = 2 x rate,
                                                      rounded up, at least 1
  --max-connection-age-ms N    STEMEDB_MAX_CONNECTION_AGE_MS
                                                      close connections after N ms so clients
                                                      rebalance; default ${MAX_CONNECTION_AGE_MS}, 0 = never
  --tls-cert FILE              STEMEDB_TLS_CERT       serve TLS with this PEM certificate chain...
  --tls-key FILE               STEMEDB_TLS_KEY        ...and its PEM key; both files are re-read
                                                      every second and a changed, valid pair is used
                                                      for new connections (no restart)
  --tls-client-ca FILE         STEMEDB_TLS_CLIENT_CA  mutual TLS: clients must present a certificate
                                                      signed by this CA
  --tls-roles FILE             STEMEDB_TLS_ROLES      JSON role map (docs/SECURITY.md): Tail/Head
                                                      need 'reader', appends 'agent'
  --health-listen HOST:PORT    STEMEDB_HEALTH_LISTEN  extra plaintext port serving only
                                                      grpc.health.v1 (for Kubernetes probes)
  --admission on|off           STEMEDB_ADMISSION      default off; on: every signer of a record
                                                      must be an admin key or hold an unexpired,
                                                      unrevoked AgentGrant (stemedb agent grant)
  --peer-new-keys-per-sec R    STEMEDB_PEER_NEW_KEYS_PER_SEC
                                                      new signer keys per second one peer (remote
                                                      address) may bring, while admission is off;
                                                      default ${PEER_NEW_KEYS_PER_SEC_DEFAULT} = unlimited
  --peer-new-keys-burst N      STEMEDB_PEER_NEW_KEYS_BURST
                                                      bucket size in keys; default 2 x rate
  --segment-bytes N            STEMEDB_SEGMENT_BYTES  rotate segments at N file bytes; default
                                                      ${SEGMENT_BYTES_MAX_DEFAULT} (64 MiB), ${WRITER_SEGMENT_BYTES_MIN}..${WRITER_SEGMENT_BYTES_MAX}
  --retention-keep-bytes N     STEMEDB_RETENTION_KEEP_BYTES
                                                      turn retention on: delete whole segments every
                                                      registered consumer has applied and that lie
                                                      more than N bytes behind the head (default off:
                                                      the log is never trimmed)
  --retention-lag-bytes-max N  STEMEDB_RETENTION_LAG_BYTES_MAX
                                                      a consumer more than N bytes behind the head is
                                                      expired and no longer holds retention back; it
                                                      must bootstrap; default ${RETENTION_LAG_BYTES_MAX_DEFAULT} (16 GiB),
                                                      at least --segment-bytes
  --retention-interval-ms N    STEMEDB_RETENTION_INTERVAL_MS
                                                      how often retention runs (also after every
                                                      rotation); default ${RETENTION_INTERVAL_MS_DEFAULT}, at least ${RETENTION_INTERVAL_MS_MIN}
  --verify-workers N           STEMEDB_VERIFY_WORKERS threads verifying signatures (libsodium),
                                                      1..${VERIFY_WORKERS_MAX}; default one per core. With a reader on
                                                      the same machine, cores - 1 leaves it a core
  --log-level L                STEMEDB_LOG_LEVEL      debug, info (default), warn or error
  -h, --help                   show this help

'stemedb writer consumers' lists the registered consumers of a WAL directory
(and removes one with --remove ID while the writer is stopped).

tracing: the standard OTEL_* variables (docs/OPERATIONS.md, Telemetry).`;

const FLAGS = {
  wal: { type: 'string' },
  listen: { type: 'string' },
  'admin-key': { type: 'string', multiple: true },
  durability: { type: 'string' },
  'quota-records-per-sec': { type: 'string' },
  'quota-burst': { type: 'string' },
  'max-connection-age-ms': { type: 'string' },
  'log-level': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-client-ca': { type: 'string' },
  'tls-roles': { type: 'string' },
  'health-listen': { type: 'string' },
  admission: { type: 'string' },
  'peer-new-keys-per-sec': { type: 'string' },
  'peer-new-keys-burst': { type: 'string' },
  'segment-bytes': { type: 'string' },
  'retention-keep-bytes': { type: 'string' },
  'retention-lag-bytes-max': { type: 'string' },
  'retention-interval-ms': { type: 'string' },
  'verify-workers': { type: 'string' },
} as const;

type Values = { [K in keyof typeof FLAGS]?: (typeof FLAGS)[K] extends { multiple: true } ? string[] : string };

/** Flag value if given, else the environment variable (empty counts as unset), with the name to blame. */
function pick(values: Values, flag: Exclude<keyof Values, 'admin-key'>, env: NodeJS.ProcessEnv, variable: string): { value: string; setting: string } | undefined {
  const fromFlag = values[flag];
  if (fromFlag !== undefined) return { value: fromFlag, setting: `--${flag}` };
  const fromEnv = env[variable];
  return fromEnv === undefined || fromEnv.trim() === '' ? undefined : { value: fromEnv.trim(), setting: variable };
}

function nonNegativeInteger(v: { value: string; setting: string } | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v.value) || !Number.isSafeInteger(Number(v.value))) throw new WriterConfigError(v.setting, `must be a non-negative integer (got '${v.value}')`);
  return Number(v.value);
}

/** A non-negative decimal such as 2, 0.5 or 0.001 (no exponent, no sign). */
function nonNegativeDecimal(v: { value: string; setting: string } | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v.value);
  if (!/^\d+(\.\d+)?$/.test(v.value) || !Number.isFinite(n)) throw new WriterConfigError(v.setting, `must be a non-negative decimal number (got '${v.value}')`);
  return n;
}

/** Twice the rate, rounded up, and at least one record (a bucket below 1 would refuse everything). */
function defaultBurst(recordsPerSec: number): number {
  return recordsPerSec === 0 ? 0 : Math.max(1, Math.ceil(2 * recordsPerSec));
}

function listenAddress(v: { value: string; setting: string } | undefined): string {
  if (v === undefined) return WRITER_LISTEN_DEFAULT;
  return hostPort(v);
}

function hostPort(v: { value: string; setting: string }): string {
  const i = v.value.lastIndexOf(':');
  const port = Number(v.value.slice(i + 1));
  if (i <= 0 || v.value.slice(i + 1) === '' || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new WriterConfigError(v.setting, `must be HOST:PORT with a port in 0..65535 (got '${v.value}')`);
  }
  return v.value;
}

function adminKey(hex: string, setting: string): Buffer {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new WriterConfigError(setting, `an admin key is 64 hex characters (a 32-byte Ed25519 public key); got '${hex}'`);
  const key = Buffer.from(hex, 'hex');
  const problem = publicKeyProblem(key);
  if (problem !== null) throw new WriterConfigError(setting, `admin key ${hex}: ${problem}`);
  return key;
}

function adminKeys(values: Values, env: NodeJS.ProcessEnv): Buffer[] {
  const fromFlags = values['admin-key'];
  const list = fromFlags ?? (env.STEMEDB_ADMIN_KEYS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const setting = fromFlags === undefined ? 'STEMEDB_ADMIN_KEYS' : '--admin-key';
  const keys = list.map((hex) => adminKey(hex, setting));
  // Duplicates are harmless but almost always a copy-paste mistake worth keeping out of logs.
  return keys.filter((k, i) => keys.findIndex((o) => o.equals(k)) === i);
}

type Setting = { value: string; setting: string } | undefined;

function integerIn(v: Setting, fallback: number, min: number, max: number): number {
  const n = nonNegativeInteger(v, fallback);
  if (v !== undefined && (n < min || n > max)) throw new WriterConfigError(v.setting, `must be in ${min}..${max} (got ${n})`);
  return n;
}

/** `--segment-bytes` and the retention flags (retention is on only with `--retention-keep-bytes`). */
function logSettings(get: (flag: Exclude<keyof Values, 'admin-key'>, variable: string) => Setting): Pick<WriterConfig, 'segmentBytes' | 'retention'> {
  const segmentOpt = get('segment-bytes', 'STEMEDB_SEGMENT_BYTES');
  const segmentBytes = integerIn(segmentOpt, SEGMENT_BYTES_MAX_DEFAULT, WRITER_SEGMENT_BYTES_MIN, WRITER_SEGMENT_BYTES_MAX);
  const segment = segmentOpt === undefined ? {} : { segmentBytes };
  const keep = get('retention-keep-bytes', 'STEMEDB_RETENTION_KEEP_BYTES');
  const lag = get('retention-lag-bytes-max', 'STEMEDB_RETENTION_LAG_BYTES_MAX');
  const interval = get('retention-interval-ms', 'STEMEDB_RETENTION_INTERVAL_MS');
  if (keep === undefined) {
    const stray = lag ?? interval;
    if (stray !== undefined) throw new WriterConfigError(stray.setting, 'needs --retention-keep-bytes (retention is off without it)');
    return segment;
  }
  const keepBytes = nonNegativeInteger(keep, 0);
  const lagBytesMax = integerIn(lag, RETENTION_LAG_BYTES_MAX_DEFAULT, segmentBytes, Number.MAX_SAFE_INTEGER);
  const intervalMs = integerIn(interval, RETENTION_INTERVAL_MS_DEFAULT, RETENTION_INTERVAL_MS_MIN, 2 ** 31 - 1);
  return { ...segment, retention: { keepBytes, lagBytesMax, intervalMs } };
}

/** Parse the arguments after `stemedb writer` and the environment; throws WriterConfigError. */
export function parseWriterConfig(args: readonly string[], env: NodeJS.ProcessEnv = process.env): WriterConfig {
  let values: Values;
  try {
    ({ values } = parseArgs({ args: [...args], options: FLAGS, strict: true, allowPositionals: false }) as { values: Values });
  } catch (err) {
    throw new WriterConfigError('arguments', (err as Error).message);
  }
  const wal = pick(values, 'wal', env, 'STEMEDB_WAL_DIR');
  if (wal === undefined || wal.value === '') throw new WriterConfigError('--wal', 'required (or set STEMEDB_WAL_DIR)');

  const durabilityOpt = pick(values, 'durability', env, 'STEMEDB_DURABILITY');
  const durability = durabilityOpt?.value ?? 'fsync';
  if (durability !== 'fsync' && durability !== 'none') throw new WriterConfigError(durabilityOpt!.setting, `must be fsync or none (got '${durability}')`);

  const levelOpt = pick(values, 'log-level', env, 'STEMEDB_LOG_LEVEL');
  let logLevel: LogLevel | undefined;
  try {
    logLevel = parseLevel(levelOpt?.value);
  } catch (err) {
    throw new WriterConfigError(levelOpt!.setting, (err as Error).message);
  }

  const ageMs = nonNegativeInteger(pick(values, 'max-connection-age-ms', env, 'STEMEDB_MAX_CONNECTION_AGE_MS'), MAX_CONNECTION_AGE_MS);
  const recordsPerSec = nonNegativeDecimal(pick(values, 'quota-records-per-sec', env, 'STEMEDB_QUOTA_RECORDS_PER_SEC'), QUOTA_RECORDS_PER_SEC_DEFAULT);
  const burst = nonNegativeInteger(pick(values, 'quota-burst', env, 'STEMEDB_QUOTA_BURST'), QUOTA_BURST_RECORDS_DEFAULT);
  let tls: ServerTlsFiles | undefined;
  try {
    tls = serverTlsFrom((flag, variable) => pick(values, flag as Exclude<keyof Values, 'admin-key'>, env, variable));
  } catch (err) {
    if (err instanceof TlsSettingError) throw new WriterConfigError(err.setting, err.reason);
    throw err;
  }
  const healthListen = pick(values, 'health-listen', env, 'STEMEDB_HEALTH_LISTEN');
  const admissionOpt = pick(values, 'admission', env, 'STEMEDB_ADMISSION');
  const admission = admissionOpt?.value ?? 'off';
  const peerRate = nonNegativeDecimal(pick(values, 'peer-new-keys-per-sec', env, 'STEMEDB_PEER_NEW_KEYS_PER_SEC'), PEER_NEW_KEYS_PER_SEC_DEFAULT);
  const peerBurst = nonNegativeInteger(pick(values, 'peer-new-keys-burst', env, 'STEMEDB_PEER_NEW_KEYS_BURST'), PEER_NEW_KEYS_BURST_DEFAULT);
  if (admission !== 'on' && admission !== 'off') throw new WriterConfigError(admissionOpt!.setting, `must be on or off (got '${admission}')`);
  const workersOpt = pick(values, 'verify-workers', env, 'STEMEDB_VERIFY_WORKERS');

  return {
    walDir: wal.value,
    ...logSettings((flag, variable) => pick(values, flag, env, variable)),
    listen: listenAddress(pick(values, 'listen', env, 'STEMEDB_LISTEN')),
    adminKeys: adminKeys(values, env),
    durability,
    ...(logLevel === undefined ? {} : { logLevel }),
    maxConnectionAgeMs: ageMs === 0 ? null : ageMs,
    quota: { recordsPerSec, burstRecords: burst === 0 ? defaultBurst(recordsPerSec) : burst },
    ...(admission === 'on' ? { admission: true } : {}),
    ...(peerRate === 0 ? {} : { peerLimit: { newKeysPerSec: peerRate, burstKeys: peerBurst === 0 ? defaultBurst(peerRate) : peerBurst } }),
    ...(tls === undefined ? {} : { tls }),
    ...(healthListen === undefined ? {} : { healthListen: hostPort(healthListen) }),
    ...(workersOpt === undefined ? {} : { verifyWorkers: integerIn(workersOpt, 1, 1, VERIFY_WORKERS_MAX) }),
  };
}
