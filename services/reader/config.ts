/**
 * The reader's configuration: command-line flags, each with an environment
 * variable equivalent; a flag wins over its variable. Pure (no I/O, no gRPC),
 * so `stemedb reader` can report usage errors before anything heavy loads.
 */
import { parseArgs } from 'node:util';
import { MAX_CONNECTION_AGE_MS } from '../../shared/grpc/limits';
import { parseLevel, type LogLevel } from '../../shared/telemetry/logger';
import { OFFSET_WAIT_MS_MAX, READER_LISTEN_DEFAULT, STARTUP_HEAD_DEADLINE_MS } from './limits';

/** Where the reader's ingest reads the log. */
export type ReaderSource = { readonly kind: 'writer'; readonly address: string } | { readonly kind: 'wal'; readonly dir: string };

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
                      [--max-connection-age-ms N] [--log-level L]

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
  --listen HOST:PORT           STEMEDB_LISTEN         default ${READER_LISTEN_DEFAULT}; port 0 = any free port
  --max-connection-age-ms N    STEMEDB_MAX_CONNECTION_AGE_MS
                                                      close connections after N ms so clients
                                                      rebalance across readers; default
                                                      ${MAX_CONNECTION_AGE_MS}, 0 = never
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
} as const;

type Values = { [K in keyof typeof FLAGS]?: string };

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

/** --writer or --wal: flags first (both is an error), then the variables (both is an error). */
function sourceOf(values: Values, env: NodeJS.ProcessEnv): ReaderSource {
  const fromFlags = { writer: values.writer, wal: values.wal };
  if (fromFlags.writer !== undefined && fromFlags.wal !== undefined) throw new ReaderConfigError('--writer/--wal', 'give one source, not both');
  const writer = pick(values, 'writer', env, 'STEMEDB_WRITER');
  const wal = pick(values, 'wal', env, 'STEMEDB_WAL_DIR');
  const flagged = fromFlags.writer !== undefined ? 'writer' : fromFlags.wal !== undefined ? 'wal' : undefined;
  if (flagged === undefined && writer !== undefined && wal !== undefined) throw new ReaderConfigError('STEMEDB_WRITER/STEMEDB_WAL_DIR', 'both are set: give one source');
  const kind = flagged ?? (writer !== undefined ? 'writer' : wal !== undefined ? 'wal' : undefined);
  if (kind === 'writer' && writer !== undefined && writer.value !== '') return { kind: 'writer', address: hostPort(writer) };
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
  return {
    dataDir: data.value,
    source: sourceOf(values, env),
    listen: listen === undefined ? READER_LISTEN_DEFAULT : hostPort(listen),
    ...(logLevel === undefined ? {} : { logLevel }),
    maxConnectionAgeMs: ageMs === 0 ? null : ageMs,
  };
}
