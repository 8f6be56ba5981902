/**
 * Limits of ingest (units last): the worker's batches (docs/STORAGE.md
 * "Ingest"), its trace spans, and how a reader's writer tail source and
 * progress reports pace their calls to the writer.
 */

/** Most log records applied in one store batch. */
export const INGEST_BATCH_RECORDS_MAX = 1000;
/** A batch closes once its payloads reach this many bytes. */
export const INGEST_BATCH_BYTES_MAX = 4 * 1024 * 1024;
/** How long a batch waits for more records once it has one (live tailing). */
export const INGEST_BATCH_DELAY_MS = 10;
/** Longest wait a caller may configure between a batch's first record and its commit. */
export const INGEST_BATCH_DELAY_MS_MAX = 1000;
/** Batches checked (or being checked) ahead of the one being applied. */
export const INGEST_CHECK_AHEAD_BATCHES = 2;
/**
 * Ingest's loops over a batch (decode, apply) give the event loop a turn after
 * this many records, so the previous batch's commit (native writes whose
 * completions run on this thread) moves on beside them (turns.ts).
 */
export const INGEST_YIELD_RECORDS = 64;
/**
 * ...and at the latest after this long (checked every INGEST_YIELD_CHECK_RECORDS
 * records): a completion of the commit waits at most about this long for the
 * loop, however much each record costs (records that read the store, or a
 * loaded machine, make 64 records take many times longer than trusted ones).
 */
export const INGEST_YIELD_MS = 1;
/** How often (in records) the loops look at the clock for INGEST_YIELD_MS. */
export const INGEST_YIELD_CHECK_RECORDS = 8;

/** Most links one batch span carries (a span with thousands of links helps nobody; trace-links.ts). */
export const INGEST_SPAN_LINKS_MAX = 64;
/** Most per-record `ingest.record` spans one batch starts (records past it keep only the batch link). */
export const INGEST_RECORD_SPANS_MAX = 256;

/** Writer tail source (sources/writer-tail-source.ts): first wait before reconnecting after a failed or ended stream. */
export const RECONNECT_BACKOFF_MS_MIN = 50;
/** Longest wait between reconnection attempts. */
export const RECONNECT_BACKOFF_MS_MAX = 2_000;
/** Each failed attempt in a row multiplies the wait by this. */
export const RECONNECT_BACKOFF_FACTOR = 2;
/** Payload bytes per Tail message asked of the writer (0 = the writer's default). */
export const TAIL_SOURCE_BATCH_BYTES = 0;
/** Deadline of the tail source's Head call to the writer. */
export const TAIL_SOURCE_HEAD_DEADLINE_MS = 10_000;

/** How often a reader reports its applied offset to the writer while it moves (sources/progress-reporter.ts). */
export const PROGRESS_REPORT_INTERVAL_MS = 1_000;
/** Deadline of one ReportProgress call. */
export const PROGRESS_REPORT_DEADLINE_MS = 5_000;

/** Least time between two redraws of `stemedb ingest`'s terminal progress bar (progress-bar.ts). */
export const PROGRESS_INTERVAL_MS = 200;
