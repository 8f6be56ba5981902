/**
 * Failures of a call, as one typed error: the gRPC status, the server's text,
 * the request field it names (trailer `stemedb-field`), the error class
 * (`stemedb-error`), a retry-after for quotas (`stemedb-retry-after-ms`), and a
 * hint a person can act on. `oneLine()` is what the CLI prints.
 */
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';

/** Trailing metadata keys the servers set on every failure (docs/FORMAT.md "Writing a client"). */
export const FIELD_TRAILER = 'stemedb-field';
export const ERROR_TRAILER = 'stemedb-error';
export const RETRY_AFTER_TRAILER = 'stemedb-retry-after-ms';

const HINTS: Readonly<Partial<Record<number, string>>> = {
  [status.INVALID_ARGUMENT]: 'fix the named field and send again',
  [status.UNAUTHENTICATED]: "sign the record with a key from 'stemedb keygen'; every signature must verify",
  [status.PERMISSION_DENIED]: 'epochs and gold standards need a signature by a key the writer lists with --admin-key',
  [status.RESOURCE_EXHAUSTED]: 'slow down and retry (after the retry-after, if given), or send less at once',
  [status.NOT_FOUND]: 'check the id; add min_offset if you just wrote it',
  [status.DEADLINE_EXCEEDED]: "the server did not answer in time; for a min_offset, check the offset against 'stemedb head'",
  [status.OUT_OF_RANGE]: "the offset is outside the log; 'stemedb head' shows the first and head offsets",
  [status.UNAVAILABLE]: 'is the server running at that address? the call is safe to retry',
  [status.DATA_LOSS]: "the log is damaged at this position; run 'stemedb wal check' on the writer's WAL",
  [status.INTERNAL]: 'a server fault; the incident id appears in its log',
  [status.CANCELLED]: 'the call was cancelled',
  [status.FAILED_PRECONDITION]: 'the server is not in a state to answer this',
};

const text = (md: Metadata | undefined, key: string): string | undefined => {
  const v = md?.get(key)[0];
  return v === undefined ? undefined : v.toString();
};

/** grpc-js's transport texts, shortened: "No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:9. Resolution note: " → "no connection: connect ECONNREFUSED 127.0.0.1:9". */
function cleanDetails(details: string): string {
  return details
    .replace(/^No connection established\. Last error: (?:Error: )?/, 'no connection: ')
    .replace(/\.? ?Resolution note:.*$/, '')
    .replace(/ \(\d{4}-\d\d-\d\dT[^)]*\)/, '')
    .replace(/\. Last error: .*$/, '')
    .trim();
}

export class StemeRpcError extends Error {
  override readonly name = 'StemeRpcError';
  constructor(
    /** The gRPC status code. */
    readonly code: number,
    /** Its name, e.g. `INVALID_ARGUMENT`. */
    readonly codeName: string,
    /** The server's text (transport texts shortened). */
    readonly details: string,
    /** Dotted path of the request field at fault, e.g. `record.assertion.confidence`. */
    readonly field: string | undefined,
    /** The server's error class, e.g. `ValidationError`. */
    readonly errorName: string | undefined,
    /** A quota's "retry after this many ms". */
    readonly retryAfterMs: number | undefined,
    /** The RPC, e.g. `Append`. */
    readonly method: string,
  ) {
    super(`${method}: ${codeName}: ${details}${field === undefined ? '' : ` [field ${field}]`}`);
  }

  /** What to do about it. */
  get hint(): string {
    return HINTS[this.code] ?? 'see docs/FORMAT.md "Writing a client" for what each status means';
  }

  /** `INVALID_ARGUMENT: record.assertion.confidence: … [field record.assertion.confidence] (Append; hint: …)`: what the CLI prints. */
  oneLine(): string {
    const field = this.field === undefined ? '' : ` [field ${this.field}]`;
    const retry = this.retryAfterMs === undefined ? '' : `; retry after ${this.retryAfterMs} ms`;
    return `${this.codeName}: ${this.details.replace(/\s*\n\s*/g, ' ')}${field} (${this.method}${retry}; hint: ${this.hint})`;
  }
}

/** Whether `err` looks like a grpc-js ServiceError. */
export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number' && typeof (err as Partial<ServiceError>).details === 'string';
}

/** A StemeRpcError for a grpc-js ServiceError; anything else is returned unchanged. */
export function toRpcError(err: unknown, method: string): unknown {
  if (err instanceof StemeRpcError || !isServiceError(err)) return err;
  const retry = text(err.metadata, RETRY_AFTER_TRAILER);
  const retryMs = retry === undefined ? undefined : Number(retry);
  return new StemeRpcError(
    err.code,
    status[err.code] ?? String(err.code),
    cleanDetails(err.details),
    text(err.metadata, FIELD_TRAILER),
    text(err.metadata, ERROR_TRAILER),
    retryMs !== undefined && Number.isFinite(retryMs) ? retryMs : undefined,
    method,
  );
}
