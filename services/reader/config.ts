/**
 * The reader's configuration: command-line flags, each with an environment
 * variable equivalent; a flag wins over its variable. Pure (no I/O, no gRPC),
 * so `stemedb reader` can report usage errors before anything heavy loads.
 */
import { parseArgs } from 'node:util';
import { MAX_CONNECTION_AGE_MS } from '../../shared/grpc/limits';
import { clientTlsFlagNames, clientTlsFrom, SERVER_TLS_FLAG_NAMES, serverTlsFrom, TlsSettingError, type ClientTlsFiles, type ServerTlsFiles } from '../../shared/grpc/tls-options';
import { parseLevel, type LogLevel } from '../../shared/telemetry/logger';
import { VERIFY_MODES, isVerifyMode, type VerifyMode } from '../ingest/check-record';
import { consumerIdProblem } from '../writer/consumer-file';
import { VERIFY_WORKERS_MAX } from '../../shared/verify/limits';
import { OFFSET_WAIT_MS_MAX, READER_LISTEN_DEFAULT, STARTUP_HEAD_DEADLINE_MS } from './limits';

/** Where the reader's ingest reads the log. */
export type ReaderSource =
  | {
      readonly kind: 'writer';
      readonly address: string;
      readonly tls?: ClientTlsFiles;
      /** The name this reader registers under with the writer's retention (--consumer-id); absent: STEMEDB_CONSUMER_ID or the host name. */
      readonly consumerId?: string;
    }
  | { readonly kind: 'wal'; readonly dir: string };

/** Where an empty (or trimmed-behind) store gets its snapshot (docs/SNAPSHOTS.md, "Bootstrap"). */
export type BootstrapSource = { readonly kind: 'peer'; readonly address: string; readonly tls?: ClientTlsFiles } | { readonly kind: 'snapshot'; readonly dir: string };

export interface ReaderConfig {
  /** The store directory (created if missing; one process at a time). */
  readonly dataDir: string;
  readonly source: ReaderSource;
  /** `HOST:PORT`; port 0 picks a free port. @default READER_LISTEN_DEFAULT */
  readonly listen: string;
  /** Undefined keeps the logger's own default (info). */
  readonly logLevel?: LogLevel;
  /** `null` never closes connections for age. @default MAX_CONNECTION_AGE_MS */
  readonly maxConnectionAgeMs: number | null;
  /** Which signatures ingest re-verifies. @default 'all' */
  readonly verify?: VerifyMode;
  /** Signature verification worker threads (0 = on the applying thread). @default defaultVerifyWorkers() */
  readonly verifyWorkers?: number;
  /** Serve TLS (mutual TLS with a client CA, roles with a role map). @default plaintext */
  readonly tls?: ServerTlsFiles;
  /** Plaintext listener serving only grpc.health.v1 (Kubernetes probes). @default none */
  readonly healthListen?: string;
  /** Start an empty store from a snapshot (a peer reader's Snapshot stream or a directory). @default replay the log */
  readonly bootstrap?: BootstrapSource;
}

/** A bad flag or environment value; the CLI prints it with the usage hint. */
export class ReaderConfigError extends Error {
  override readonly name = 'ReaderConfigError';
  constructor(
    /** The flag or variable, e.g. `--listen` or `STEMEDB_WRITER`. */
    readonly setting: string,
    readonly reason: string,
  ) {
    super(`${setting}: ${reason}`);
  }
}

export const READER_HELP = `usage: stemedb reader --data DIR (--writer HOST:PORT | --wal DIR) [--listen HOST:PORT]
                      [--max-connection-age-ms N] [--verify all|none] [--verify-workers N]
                      [--consumer-id ID] [--log-level L]
                      [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE [--tls-roles FILE]]]
                      [--writer-tls-ca FILE [--writer-tls-cert FILE --writer-tls-key FILE]]
                      [--health-listen HOST:PORT]
                      [--bootstrap-from HOST:PORT [--bootstrap-tls-ca FILE ...] | --bootstrap-snapshot DIR]

Serves lens queries (ReaderService: Resolve, ResolveSubject, Explain,
GetAssertion, History, BySource, ListEscalations, Watch, Status) from a local
store that its in-process ingest keeps up to date by tailing the log: the
writer's Tail stream (--writer) or the segment files on this host (--wal).
Also serves grpc.health.v1 and server reflection.

Readiness: the reader binds at once, but reports SERVING (health) and prints
{"ready":true,"service":"reader","address":"HOST:PORT"} on stdout only after
ingest has caught up with the log's head as it was at startup (if the source
cannot tell its head within ${STARTUP_HEAD_DEADLINE_MS} ms, it starts from what the store
holds). Until then queries are answered, each with its served_at_offset.
Every query may pass min_offset (a receipt's offset) to read its own write.
Logs are JSON lines on stderr. SIGTERM/SIGINT: health NOT_SERVING, in-flight
calls drain, ingest stops after its current batch, the store closes, exit 0
(1 if the drain had to be forced after 10 s, or ingest failed). With tracing
on, spans are flushed first: an OTLP endpoint that does not answer delays the
exit by several seconds and is reported on stderr, without changing the exit
status.

options (each flag overrides its environment variable):
  --data DIR                   STEMEDB_DATA_DIR       store directory (required)
  --writer HOST:PORT           STEMEDB_WRITER         tail this writer's log over gRPC
  --wal DIR                    STEMEDB_WAL_DIR        or tail the WAL segment files in DIR
                                                      (exactly one of the two)
  --consumer-id ID             STEMEDB_CONSUMER_ID    with --writer: the name this reader registers
                                                      under with the writer's retention (its cursor
                                                      holds segments back); default the host name
                                                      (the pod name on Kubernetes). One per reader
  --listen HOST:PORT           STEMEDB_LISTEN         default ${READER_LISTEN_DEFAULT}; port 0 = any free port
  --max-connection-age-ms N    STEMEDB_MAX_CONNECTION_AGE_MS
                                                      close connections after N ms so clients
                                                      rebalance across readers; default
                                                      ${MAX_CONNECTION_AGE_MS}, 0 = never
  --verify all|none            STEMEDB_VERIFY         all (default): re-verify every record's
                                                      signatures; none: trust the source (the
                                                      writer verified them, and each record's
                                                      BLAKE3 is checked on receipt) — only for a
                                                      reader tailing its own writer
  --verify-workers N           STEMEDB_VERIFY_WORKERS threads verifying signatures, 0..${VERIFY_WORKERS_MAX}
                                                      (0 = on the applying thread); default one
                                                      fewer than the cores, at least 1
  --tls-cert FILE              STEMEDB_TLS_CERT       serve TLS with this PEM certificate chain...
  --tls-key FILE               STEMEDB_TLS_KEY        ...and its PEM key (re-read every second;
                                                      new connections get a changed, valid pair)
  --tls-client-ca FILE         STEMEDB_TLS_CLIENT_CA  mutual TLS: clients must present a certificate
                                                      signed by this CA
  --tls-roles FILE             STEMEDB_TLS_ROLES      JSON role map (docs/SECURITY.md): queries
                                                      need the 'client' role
  --writer-tls-ca FILE         STEMEDB_WRITER_TLS_CA  dial the writer over TLS, trusting this CA
  --writer-tls-cert FILE       STEMEDB_WRITER_TLS_CERT
  --writer-tls-key FILE        STEMEDB_WRITER_TLS_KEY the reader's client certificate for a
                                                      mutual-TLS writer (re-read on reconnect)
  --writer-tls-server-name N   STEMEDB_WRITER_TLS_SERVER_NAME
                                                      name the writer's certificate must carry
                                                      (default: the host of --writer)
  --health-listen HOST:PORT    STEMEDB_HEALTH_LISTEN  extra plaintext port serving only
                                                      grpc.health.v1 (for Kubernetes probes)
  --bootstrap-from HOST:PORT   STEMEDB_BOOTSTRAP_FROM when the store is empty (or the writer has
                                                      trimmed the log past it), start from a peer
                                                      reader's snapshot (its Snapshot stream; on
                                                      Kubernetes the readers' Service), then tail
                                                      the log from the snapshot's offset
  --bootstrap-snapshot DIR     STEMEDB_BOOTSTRAP_SNAPSHOT
                                                      or from a snapshot directory (stemedb snapshot
                                                      create); every file's BLAKE3 is checked first
  --bootstrap-tls-ca FILE      STEMEDB_BOOTSTRAP_TLS_CA
  --bootstrap-tls-cert FILE    STEMEDB_BOOTSTRAP_TLS_CERT
  --bootstrap-tls-key FILE     STEMEDB_BOOTSTRAP_TLS_KEY
  --bootstrap-tls-server-name N STEMEDB_BOOTSTRAP_TLS_SERVER_NAME
                                                      dial the peer over TLS (as --writer-tls-*)
  --log-level L                STEMEDB_LOG_LEVEL      debug, info (default), warn or error
  -h, --help                   show this help

A query waits for its min_offset at most until its deadline, and never more
than ${OFFSET_WAIT_MS_MAX} ms; then DEADLINE_EXCEEDED.
tracing: the standard OTEL_* variables (docs/OPERATIONS.md, Telemetry).`;

const FLAGS = {
  data: { type: 'string' },
  writer: { type: 'string' },
  wal: { type: 'string' },
  listen: { type: 'string' },
  'max-connection-age-ms': { type: 'string' },
  'log-level': { type: 'string' },
  verify: { type: 'string' },
  'consumer-id': { type: 'string' },
  'verify-workers': { type: 'string' },
  'health-listen': { type: 'string' },
  'bootstrap-from': { type: 'string' },
  'bootstrap-snapshot': { type: 'string' },
  ...Object.fromEntries([...SERVER_TLS_FLAG_NAMES, ...clientTlsFlagNames('writer-'), ...clientTlsFlagNames('bootstrap-')].map((f) => [f, { type: 'string' }])),
} as const;

type Values = Record<string, string | undefined>;

interface Setting {
  readonly value: string;
  readonly setting: string;
}

/** Flag value if given, else the environment variable (empty counts as unset), with the name to blame. */
function pick(values: Values, flag: keyof Values, env: NodeJS.ProcessEnv, variable: string): Setting | undefined {
  const fromFlag = values[flag];
  if (fromFlag !== undefined) return { value: fromFlag, setting: `--${flag}` };
  const fromEnv = env[variable];
  return fromEnv === undefined || fromEnv.trim() === '' ? undefined : { value: fromEnv.trim(), setting: variable };
}

function hostPort(v: Setting): string {
  const i = v.value.lastIndexOf(':');
  const portText = v.value.slice(i + 1);
  const port = Number(portText);
  if (i <= 0 || !/^\d+$/.test(portText) || port > 65_535) throw new ReaderConfigError(v.setting, `must be HOST:PORT with a port in 0..65535 (got '${v.value}')`);
  return v.value;
}

function nonNegativeInteger(v: Setting | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v.value) || !Number.isSafeInteger(Number(v.value))) throw new ReaderConfigError(v.setting, `must be a non-negative integer (got '${v.value}')`);
  return Number(v.value);
}

/** A TLS setting error as a ReaderConfigError. */
function tlsSetting<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof TlsSettingError) throw new ReaderConfigError(err.setting, err.reason);
    throw err;
  }
}

/** --writer or --wal: flags first (both is an error), then the variables (both is an error). */
function sourceOf(values: Values, env: NodeJS.ProcessEnv): ReaderSource {
  const fromFlags = { writer: values.writer, wal: values.wal };
  if (fromFlags.writer !== undefined && fromFlags.wal !== undefined) throw new ReaderConfigError('--writer/--wal', 'give one source, not both');
  const writer = pick(values, 'writer', env, 'STEMEDB_WRITER');
  const wal = pick(values, 'wal', env, 'STEMEDB_WAL_DIR');
  const flagged = fromFlags.writer !== undefined ? 'writer' : fromFlags.wal !== undefined ? 'wal' : undefined;
  if (flagged === undefined && writer !== undefined && wal !== undefined) throw new ReaderConfigError('STEMEDB_WRITER/STEMEDB_WAL_DIR', 'both are set: give one source');
  const kind = flagged ?? (writer !== undefined ? 'writer' : wal !== undefined ? 'wal' : undefined);
  if (kind === 'writer' && writer !== undefined && writer.value !== '') {
    const tls = tlsSetting(() => clientTlsFrom((flag, variable) => pick(values, flag, env, variable), 'writer-'));
    const consumerId = consumerIdOf(pick(values, 'consumer-id', env, 'STEMEDB_CONSUMER_ID'));
    return { kind: 'writer', address: hostPort(writer), ...(tls === undefined ? {} : { tls }), ...(consumerId === undefined ? {} : { consumerId }) };
  }
  if (kind === 'wal' && wal !== undefined && wal.value !== '') return { kind: 'wal', dir: wal.value };
  throw new ReaderConfigError(kind === undefined ? '--writer/--wal' : `--${kind}`, 'required: --writer HOST:PORT or --wal DIR (or STEMEDB_WRITER / STEMEDB_WAL_DIR)');
}

/** Parse the arguments after `stemedb reader` and the environment; throws ReaderConfigError. */
export function parseReaderConfig(args: readonly string[], env: NodeJS.ProcessEnv = process.env): ReaderConfig {
  let values: Values;
  try {
    ({ values } = parseArgs({ args: [...args], options: FLAGS, strict: true, allowPositionals: false }) as { values: Values });
  } catch (err) {
    throw new ReaderConfigError('arguments', (err as Error).message);
  }
  const data = pick(values, 'data', env, 'STEMEDB_DATA_DIR');
  if (data === undefined || data.value === '') throw new ReaderConfigError('--data', 'required (or set STEMEDB_DATA_DIR)');
  const listen = pick(values, 'listen', env, 'STEMEDB_LISTEN');

  const levelOpt = pick(values, 'log-level', env, 'STEMEDB_LOG_LEVEL');
  let logLevel: LogLevel | undefined;
  try {
    logLevel = parseLevel(levelOpt?.value);
  } catch (err) {
    throw new ReaderConfigError(levelOpt!.setting, (err as Error).message);
  }
  const ageMs = nonNegativeInteger(pick(values, 'max-connection-age-ms', env, 'STEMEDB_MAX_CONNECTION_AGE_MS'), MAX_CONNECTION_AGE_MS);
  const verify = verifyModeOf(pick(values, 'verify', env, 'STEMEDB_VERIFY'));
  const verifyWorkers = verifyWorkersOf(pick(values, 'verify-workers', env, 'STEMEDB_VERIFY_WORKERS'));
  const source = sourceOf(values, env);
  if (source.kind === 'wal') {
    if (values['consumer-id'] !== undefined) throw new ReaderConfigError('--consumer-id', 'only with --writer (a WAL directory reader is not a consumer)');
    const stray = clientTlsFlagNames('writer-').find((f) => values[f] !== undefined);
    if (stray !== undefined) throw new ReaderConfigError(`--${stray}`, 'only with --writer (the Tail source)');
  }
  const tls = tlsSetting(() => serverTlsFrom((flag, variable) => pick(values, flag, env, variable)));
  const healthListen = pick(values, 'health-listen', env, 'STEMEDB_HEALTH_LISTEN');
  const bootstrap = bootstrapOf(values, env);
  return {
    dataDir: data.value,
    source,
    listen: listen === undefined ? READER_LISTEN_DEFAULT : hostPort(listen),
    ...(logLevel === undefined ? {} : { logLevel }),
    maxConnectionAgeMs: ageMs === 0 ? null : ageMs,
    ...(verify === undefined ? {} : { verify }),
    ...(verifyWorkers === undefined ? {} : { verifyWorkers }),
    ...(tls === undefined ? {} : { tls }),
    ...(healthListen === undefined ? {} : { healthListen: hostPort(healthListen) }),
    ...(bootstrap === undefined ? {} : { bootstrap }),
  };
}

/** --bootstrap-from or --bootstrap-snapshot (not both), each with its variable. */
function bootstrapOf(values: Values, env: NodeJS.ProcessEnv): BootstrapSource | undefined {
  const from = pick(values, 'bootstrap-from', env, 'STEMEDB_BOOTSTRAP_FROM');
  const dir = pick(values, 'bootstrap-snapshot', env, 'STEMEDB_BOOTSTRAP_SNAPSHOT');
  if (from !== undefined && dir !== undefined) throw new ReaderConfigError(`${from.setting}/${dir.setting}`, 'give one bootstrap source, not both');
  const tls = tlsSetting(() => clientTlsFrom((flag, variable) => pick(values, flag, env, variable), 'bootstrap-'));
  if (from === undefined && tls !== undefined) throw new ReaderConfigError('--bootstrap-tls-ca', 'only with --bootstrap-from (the peer to dial)');
  if (from !== undefined) return { kind: 'peer', address: hostPort(from), ...(tls === undefined ? {} : { tls }) };
  if (dir !== undefined) {
    if (dir.value === '') throw new ReaderConfigError(dir.setting, 'must name a snapshot directory');
    return { kind: 'snapshot', dir: dir.value };
  }
  return undefined;
}

function verifyWorkersOf(v: Setting | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = nonNegativeInteger(v, 0);
  if (n > VERIFY_WORKERS_MAX) throw new ReaderConfigError(v.setting, `must be 0..${VERIFY_WORKERS_MAX} (got ${n})`);
  return n;
}

function verifyModeOf(v: Setting | undefined): VerifyMode | undefined {
  if (v === undefined) return undefined;
  if (!isVerifyMode(v.value)) throw new ReaderConfigError(v.setting, `must be one of ${VERIFY_MODES.join(', ')} (got '${v.value}')`);
  return v.value;
}

/** --consumer-id (or STEMEDB_CONSUMER_ID): a name the writer's registry accepts. */
function consumerIdOf(setting: Setting | undefined): string | undefined {
  if (setting === undefined) return undefined;
  const problem = consumerIdProblem(setting.value);
  if (problem !== null) throw new ReaderConfigError(setting.setting, problem);
  return setting.value;
}
