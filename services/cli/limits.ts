/** Limits of the `stemedb` command line (units last). */

/**
 * One record's JSON text, pretty-printed or one line (a full trust pack is
 * ~150 KiB): the record readers (record-input.ts) and `stemedb hash` refuse larger.
 */
export const RECORD_JSON_BYTES_MAX = 1024 * 1024;

/** Records `stemedb append` reads from all its inputs together. */
export const APPEND_RECORDS_MAX = 1_000_000;

/**
 * Attempts of one CLI call through the client library (the first included)
 * when the server is unreachable: few, so a wrong address fails in about a second.
 */
export const CLI_CALL_ATTEMPTS_MAX = 3;

/**
 * Deadline of each ListClaims page `stemedb claims` asks for; longer than the
 * CLI's other reader calls (READER_CALL_DEADLINE_MS), since a page carries up
 * to PAGE_SIZE_MAX claims and the gold standards of their pairs.
 */
export const CLAIMS_PAGE_DEADLINE_MS = 30_000;
