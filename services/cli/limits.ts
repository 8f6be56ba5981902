/** Limits of the `stemedb` command line (units last). */

/** One record's JSON text, pretty-printed or one line (a full trust pack is ~150 KiB). */
export const RECORD_JSON_BYTES_MAX = 1024 * 1024;

/** Records `stemedb append` reads from all its inputs together. */
export const APPEND_RECORDS_MAX = 1_000_000;

/**
 * V8's largest semi-space for the service processes (writer, reader, dev), in
 * MiB (`node --max-semi-space-size`). Ingest allocates ~40 KB per record, and
 * most of it dies within one batch; with the default (16 MiB) a batch's
 * objects outlive the scavenges in the middle of it and are copied and
 * promoted. At 32 MiB offline ingest used 9% less main-thread CPU and 8% less
 * in all threads (docs/OPERATIONS.md, "Memory"). V8 reads it at start-up only.
 */
export const SERVICE_SEMI_SPACE_MIB = 32;
