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
    /** The offset as the request gave it (min_offset is a record's first byte: target = it + 1). */
    readonly requestedOffset: number = targetOffset,
    /** The log's head when the wait gave up, when the source could say. */
    readonly headOffset?: number,
  ) {
    super(offsetWaitMessage(field, targetOffset, appliedOffset, waitedMs, requestedOffset, headOffset));
  }
}

/** `min_offset 9000 is past the log head 6219; waited 10000 ms`, or where ingest stands when the head is ahead. */
function offsetWaitMessage(field: string, target: number, applied: number, waitedMs: number, requested: number, head: number | undefined): string {
  const name = field.slice(field.lastIndexOf('.') + 1);
  if (head !== undefined && target > head) return `${name} ${requested} is past the log head ${head}; waited ${waitedMs} ms`;
  const headText = head === undefined ? 'log head unknown' : `log head ${head}`;
  return `${field}: the reader has applied the log through ${applied}, not yet ${target} (${headText}), after waiting ${waitedMs} ms`;
}

/**
 * The writer's log no longer holds the records this store needs next
 * (retention deleted them), and no bootstrap source is configured.
 */
export class ReaderTrimmedError extends Error {
  override readonly name = 'ReaderTrimmedError';
  constructor(
    readonly dataDir: string,
    /** The store has applied every record below this offset. */
    readonly appliedOffset: number,
    /** The lowest offset the log still holds. */
    readonly firstOffset: number,
    /** "writer HOST:PORT" or "wal DIR". */
    readonly source: string,
  ) {
    super(
      `store ${dataDir} has applied the log through ${appliedOffset}, but ${source} now starts at ${firstOffset} (the records between were deleted by retention); ` +
        'start this reader with --bootstrap-from HOST:PORT (a peer reader) or --bootstrap-snapshot DIR to restore a newer snapshot',
    );
  }
}

/** The store was built from another log than the one the source serves. */
export class StoreLogMismatchError extends Error {
  override readonly name = 'StoreLogMismatchError';
  constructor(
    readonly dataDir: string,
    readonly storeLogId: string,
    readonly sourceLogId: string,
    readonly source: string,
  ) {
    super(`store ${dataDir} holds log ${storeLogId}, but ${source} serves log ${sourceLogId}; give this reader its own --data directory (or delete it to rebuild)`);
  }
}
