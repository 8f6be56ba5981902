/** Errors of the reader service (mapped to gRPC statuses by shared/grpc/status.ts, by class name). */

/**
 * Ingest did not reach a query's `min_offset` (or an `as_of_offset` past the
 * applied offset) within the reader's own wait bound. DEADLINE_EXCEEDED; a
 * call whose own deadline passes first gets the plain DeadlineError.
 */
export class OffsetWaitError extends Error {
  override readonly name = 'OffsetWaitError';
  constructor(
    /** The request field that asked for the offset, e.g. `options.min_offset`. */
    readonly field: string,
    /** Ingest had to pass this offset (applied offset >= it). */
    readonly targetOffset: number,
    /** Where ingest was when the wait gave up. */
    readonly appliedOffset: number,
    readonly waitedMs: number,
  ) {
    super(`${field}: the reader has applied the log through ${appliedOffset}, not yet ${targetOffset}, after waiting ${waitedMs} ms`);
  }
}
