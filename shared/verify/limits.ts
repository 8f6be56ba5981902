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
