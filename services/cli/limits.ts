/** Limits of the `stemedb` command line (units last). */

/** One record's JSON text, pretty-printed or one line (a full trust pack is ~150 KiB). */
export const RECORD_JSON_BYTES_MAX = 1024 * 1024;

/** Records `stemedb append` reads from all its inputs together. */
export const APPEND_RECORDS_MAX = 1_000_000;
