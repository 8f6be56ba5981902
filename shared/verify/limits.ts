/** Limits of the shared signature verifier (worker threads). */

/** Most worker threads one verifier starts. */
export const VERIFY_WORKERS_MAX = 8;
/**
 * Most signatures in one message to a worker. A turn of the event loop with
 * more is split over several messages (and workers), so one big AppendBatch
 * or ingest batch uses every worker, and a worker's answer never waits on
 * thousands of verifications.
 */
export const VERIFY_BATCH_SIGNATURES_MAX = 64;
/**
 * Most signatures the calling thread verifies of one round as its inline
 * share (SignatureVerifierOptions.inlineShare): what bounds how long it holds
 * its event loop, about 64 × 90 µs ≈ 6 ms with libsodium on the development
 * machine.
 */
export const VERIFY_INLINE_SHARE_SIGNATURES_MAX = 64;
/**
 * The inline share is taken only when the calling thread's event loop was
 * busy less than this share of the last window: a thread that is busy on its
 * own work would become the bottleneck if it verified too.
 */
export const VERIFY_INLINE_SHARE_BUSY_MAX = 0.5;
/** The window over which the calling thread's event-loop utilization is measured for the inline share. */
export const VERIFY_INLINE_SHARE_WINDOW_MS = 100;
