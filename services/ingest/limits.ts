/** Limits of the ingest worker's batches (docs/STORAGE.md "Ingest"). */

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
