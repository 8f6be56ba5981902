/**
 * The one place errors become gRPC statuses. Handlers throw typed errors
 * (domain, log or `errors.ts`); this module picks the status code, the text the
 * client sees, and the trailing metadata naming the offending field.
 *
 * Errors are recognised by their class `name` (and duck-typed fields) rather
 * than `instanceof`, so the gRPC layer needs no import of the log or store
 * modules and keeps working across duplicated module instances.
 *
 * Client-fault errors (bad input, bad signature, quota) show their message,
 * which names the field. Server-side failures show a generic text; the real
 * message and stack go to the log, with an incident id that appears in both.
 */
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { createLogger, type Logger } from '../telemetry/logger';
import { STATUS_DETAILS_CHARS_MAX } from './limits';

const Status = grpc.status;

/** Trailing metadata key holding the dotted path of the offending request field. */
export const FIELD_METADATA_KEY = 'stemedb-field';
/** Trailing metadata key holding the error class name, e.g. `ValidationError`. */
export const ERROR_NAME_METADATA_KEY = 'stemedb-error';
/** Trailing metadata key: milliseconds after which a retry may succeed (quotas). */
export const RETRY_AFTER_METADATA_KEY = 'stemedb-retry-after-ms';

type LogLevel = 'debug' | 'warn' | 'error';

interface Mapping {
  readonly code: grpc.status;
  /** Whether the client may see the error's own message. */
  readonly expose: boolean;
  readonly log: LogLevel;
  /** What the client sees when the message is not exposed. */
  readonly generic?: string;
  /** The request field to name when the error itself names none. */
  readonly field?: string;
  /** Client text built from the error's fields when its message is not exposed (it may name server paths). */
  readonly detailsOf?: (err: unknown) => string | undefined;
}

const clientFault = (code: grpc.status): Mapping => ({ code, expose: true, log: 'debug' });

const LOG_UNAVAILABLE = 'the log cannot be written right now; nothing was acknowledged';

/** Error class name → status. WalOffsetError depends on its `kind` (below). */
const MAPPINGS: Readonly<Record<string, Mapping>> = {
  ValidationError: clientFault(Status.INVALID_ARGUMENT),
  DecodeError: clientFault(Status.INVALID_ARGUMENT),
  SignatureError: clientFault(Status.UNAUTHENTICATED),
  AdminSignatureRequiredError: clientFault(Status.PERMISSION_DENIED),
  PermissionError: clientFault(Status.PERMISSION_DENIED),
  AgentNotAdmittedError: clientFault(Status.PERMISSION_DENIED),
  QuotaExceededError: clientFault(Status.RESOURCE_EXHAUSTED),
  PeerRateLimitError: clientFault(Status.RESOURCE_EXHAUSTED),
  OverloadedError: { code: Status.RESOURCE_EXHAUSTED, expose: true, log: 'warn' },
  SizeLimitError: clientFault(Status.RESOURCE_EXHAUSTED),
  NotFoundError: clientFault(Status.NOT_FOUND),
  DeadlineError: clientFault(Status.DEADLINE_EXCEEDED),
  CancelledError: clientFault(Status.CANCELLED),
  AbortError: clientFault(Status.CANCELLED),
  UnavailableError: { code: Status.UNAVAILABLE, expose: true, log: 'warn' },
  WalUnavailableError: { code: Status.UNAVAILABLE, expose: false, log: 'error', generic: LOG_UNAVAILABLE },
  WalLockedError: { code: Status.UNAVAILABLE, expose: false, log: 'error', generic: LOG_UNAVAILABLE },
  WalClosedError: { code: Status.UNAVAILABLE, expose: false, log: 'warn', generic: 'the log is closed (the server is shutting down)' },
  WalLimitError: clientFault(Status.RESOURCE_EXHAUSTED),
  // The segment file, offset and reason reach the client (never the server's directory path).
  WalCorruptionError: { code: Status.DATA_LOSS, expose: false, log: 'error', generic: 'the log is damaged at this position', detailsOf: walDamageDetails },
  // Lens and graph read arguments (shared/lens, shared/graph): a bad query option, page size or token.
  LensInputError: clientFault(Status.INVALID_ARGUMENT),
  UnknownLensError: { ...clientFault(Status.INVALID_ARGUMENT), field: 'options.lens' },
  GraphInputError: clientFault(Status.INVALID_ARGUMENT),
  // Pattern queries (shared/query): a pattern that does not parse; one past its work or row bound.
  QuerySyntaxError: clientFault(Status.INVALID_ARGUMENT),
  QueryBudgetError: { ...clientFault(Status.RESOURCE_EXHAUSTED), field: 'pattern' },
  // A reader did not reach a query's min_offset / as_of_offset within its wait bound.
  OffsetWaitError: clientFault(Status.DEADLINE_EXCEEDED),
  // A snapshot this reader would serve is past a bound of the format (shared/snapshot/limits.ts).
  SnapshotLimitError: { code: Status.RESOURCE_EXHAUSTED, expose: true, log: 'warn' },
};

function walDamageDetails(err: unknown): string | undefined {
  const file = stringProp(err, 'file');
  const offset = numberProp(err, 'offset');
  const reason = stringProp(err, 'reason');
  if (file === undefined || offset === undefined) return undefined;
  return `the log is damaged in segment ${file} at offset ${offset}${reason === undefined ? '' : `: ${reason}`}`;
}

const WAL_OFFSET_CODES: Readonly<Record<string, grpc.status>> = {
  not_boundary: Status.INVALID_ARGUMENT,
  before_first: Status.OUT_OF_RANGE,
  beyond_head: Status.OUT_OF_RANGE,
};

const INTERNAL: Mapping = { code: Status.INTERNAL, expose: false, log: 'error', generic: 'internal error' };

/** What the client learns about a failure: also the shape of an in-stream `AppendError`. */
export interface ErrorDescription {
  readonly code: grpc.status;
  /** Text for the client: the error's message, or a generic one for server-side failures. */
  readonly details: string;
  /** Dotted path of the offending request field, when the error names one. */
  readonly field?: string;
  /** Class name of the error (`Error` for anything unnamed). */
  readonly name: string;
  readonly retryAfterMs?: number;
}

/** A gRPC status as an Error: what `sendUnaryData` and `call.emit('error')` accept. */
export class RpcStatusError extends Error implements grpc.ServiceError {
  override readonly name = 'RpcStatusError';
  constructor(
    readonly code: grpc.status,
    readonly details: string,
    readonly metadata: grpc.Metadata = new grpc.Metadata(),
  ) {
    super(`${grpc.status[code] ?? code}: ${details}`);
  }
}

export interface DescribeOptions {
  /** Logger for server-side failures. @default a logger with `component: 'grpc'` */
  readonly logger?: Logger;
  /** Field to name when the error itself names none (e.g. `from_offset` for a log offset error). */
  readonly field?: string;
  /** The RPC, for the log line, e.g. `/stemedb.v1.WriterService/Append`. */
  readonly method?: string;
}

let defaultLogger: Logger | undefined;

function stringProp(err: unknown, key: string): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const v = (err as Record<string, unknown>)[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function numberProp(err: unknown, key: string): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const v = (err as Record<string, unknown>)[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A ServiceError from a call this process made to another server. */
function isUpstreamServiceError(err: unknown): err is grpc.ServiceError {
  return err instanceof Error && typeof (err as Partial<grpc.ServiceError>).code === 'number' && (err as Partial<grpc.ServiceError>).metadata instanceof grpc.Metadata;
}

function mappingFor(err: unknown, name: string): Mapping {
  if (name === 'WalOffsetError') {
    const code = WAL_OFFSET_CODES[stringProp(err, 'kind') ?? ''];
    return code === undefined ? INTERNAL : clientFault(code);
  }
  return MAPPINGS[name] ?? INTERNAL;
}

function truncate(text: string): string {
  return text.length <= STATUS_DETAILS_CHARS_MAX ? text : `${text.slice(0, STATUS_DETAILS_CHARS_MAX - 1)}…`;
}

/** Decide code, client text and field for any thrown value, logging server-side failures. */
export function describeError(err: unknown, options: DescribeOptions = {}): ErrorDescription {
  const logger = options.logger ?? (defaultLogger ??= createLogger({ component: 'grpc' }));
  if (err instanceof RpcStatusError) return { code: err.code, details: err.details, name: err.name, field: err.metadata.get(FIELD_METADATA_KEY)[0]?.toString() };
  const name = err instanceof Error ? err.name : 'Error';
  const message = err instanceof Error ? err.message : String(err);
  const mapped = MAPPINGS[name];
  const field = stringProp(err, 'field') ?? options.field ?? mapped?.field;
  const logFields = { method: options.method, error_name: name, error: message, field };

  if (isUpstreamServiceError(err)) {
    // A dependency failed: the caller can retry, unless it was its own deadline or cancellation.
    const passThrough = err.code === Status.DEADLINE_EXCEEDED || err.code === Status.CANCELLED;
    logger.warn('upstream call failed', { ...logFields, upstream_code: grpc.status[err.code] });
    return { code: passThrough ? err.code : Status.UNAVAILABLE, details: truncate(`upstream ${grpc.status[err.code] ?? err.code}: ${err.details}`), name };
  }

  const mapping = mappingFor(err, name);
  if (mapping.expose) {
    if (mapping.log !== 'debug') logger[mapping.log]('request failed', logFields);
    else logger.debug('request rejected', logFields);
    return { code: mapping.code, details: truncate(message), field, name, retryAfterMs: numberProp(err, 'retryAfterMs') };
  }
  const incident = randomBytes(6).toString('hex');
  logger[mapping.log]('request failed', { ...logFields, incident, stack: err instanceof Error ? err.stack : undefined });
  const text = mapping.detailsOf?.(err) ?? mapping.generic ?? 'internal error';
  return { code: mapping.code, details: truncate(`${text} (incident ${incident})`), field, name: mapping === INTERNAL ? 'Error' : name };
}

/** Map any thrown value to a gRPC status error with the field named in details and metadata. */
export function toServiceError(err: unknown, options: DescribeOptions = {}): RpcStatusError {
  if (err instanceof RpcStatusError) return err;
  const d = describeError(err, options);
  const metadata = new grpc.Metadata();
  metadata.set(ERROR_NAME_METADATA_KEY, d.name);
  if (d.field !== undefined) metadata.set(FIELD_METADATA_KEY, d.field);
  if (d.retryAfterMs !== undefined) metadata.set(RETRY_AFTER_METADATA_KEY, String(Math.ceil(d.retryAfterMs)));
  return new RpcStatusError(d.code, d.details, metadata);
}
