/**
 * Structured JSON logs, one object per line on stderr, carrying the active
 * trace and span ids. Library code logs through this, never `console.log`.
 */
import { trace } from '@opentelemetry/api';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Fields attached to a log line. bigint and Buffer values are rendered as strings/hex. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** Where log lines go; tests may replace it. @default process.stderr */
export interface LogSink {
  write(line: string): void;
}

let minLevel: LogLevel = parseLevel(process.env.STEMEDB_LOG_LEVEL) ?? 'info';
let sink: LogSink = { write: (line) => process.stderr.write(line) };

export function parseLevel(value: string | undefined): LogLevel | undefined {
  if (value === undefined || value === '') return undefined;
  const v = value.toLowerCase();
  if (v === 'debug' || v === 'info' || v === 'warn' || v === 'error') return v;
  throw new Error(`unknown log level '${value}' (expected debug, info, warn or error)`);
}

export function setLogLevel(level: LogLevel): void {
  minLevel = level;
}

export function setLogSink(next: LogSink): void {
  sink = next;
}

function render(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

function emit(level: LogLevel, base: LogFields, msg: string, fields?: LogFields): void {
  if (LEVEL_RANK[level] < LEVEL_RANK[minLevel]) return;
  const line: Record<string, unknown> = { time: new Date().toISOString(), level, msg };
  const span = trace.getActiveSpan();
  if (span !== undefined) {
    const ctx = span.spanContext();
    line.trace_id = ctx.traceId;
    line.span_id = ctx.spanId;
  }
  for (const [k, v] of Object.entries(base)) line[k] = render(v);
  if (fields !== undefined) for (const [k, v] of Object.entries(fields)) line[k] = render(v);
  sink.write(JSON.stringify(line) + '\n');
}

export function createLogger(base: LogFields = {}): Logger {
  return {
    debug: (msg, f) => emit('debug', base, msg, f),
    info: (msg, f) => emit('info', base, msg, f),
    warn: (msg, f) => emit('warn', base, msg, f),
    error: (msg, f) => emit('error', base, msg, f),
    child: (f) => createLogger({ ...base, ...f }),
  };
}
