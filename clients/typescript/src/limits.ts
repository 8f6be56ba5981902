/**
 * Every limit and default of the TypeScript client, in one place (units last).
 * The README quotes them.
 */

/** Deadline of one unary attempt when the caller gives none. */
export const CALL_DEADLINE_MS_DEFAULT = 10_000;

/** Attempts of a retried call (the first one included). */
export const RETRY_ATTEMPTS_MAX = 5;

/** Backoff before the second attempt; doubled per attempt, with jitter. */
export const RETRY_BACKOFF_MS_INITIAL = 100;

/** Longest backoff between two attempts (a quota's retry-after included). */
export const RETRY_BACKOFF_MS_MAX = 5_000;

/** Records an AppendStream keeps in flight (queued or sent, not yet answered) before `append` waits. */
export const APPEND_STREAM_IN_FLIGHT_MAX = 1024;

/** Records in one AppendStream request (the writer's limit). */
export const APPEND_STREAM_MESSAGE_RECORDS_MAX = 1024;

/** Records per AppendStream request by default: a group commit's share without a long wait for the first receipt. */
export const APPEND_STREAM_MESSAGE_RECORDS_DEFAULT = 128;

/** Records per AppendBatch call (the writer's limit). */
export const APPEND_BATCH_RECORDS_MAX = 1024;

/** Consecutive failed reconnects after which a Watch or Tail gives up (each waits its backoff). */
export const STREAM_RECONNECTS_MAX = 20;

