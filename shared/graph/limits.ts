/** Limits of the graph read API. */

/** Largest page a paged read (bySource, escalations) returns. */
export const PAGE_SIZE_MAX = 1000;
/** Page size when the caller names none. */
export const PAGE_SIZE_DEFAULT = 100;
/** Assertions read per store round trip when streaming a history. */
export const HISTORY_CHUNK_ASSERTIONS = 256;
/**
 * Decoded stored records a GraphReader keeps (about 1 KiB each), so a hot
 * pair's full resolution does not decode its candidates again.
 */
export const DECODED_RECORDS_CACHED_MAX = 50_000;
/**
 * Revoked agents one read collects (the Authority lens's `revokedAgents`).
 * Revocations are rare admin actions; past this the read fails loudly rather
 * than holding an unbounded set.
 */
export const REVOKED_AGENTS_READ_MAX = 100_000;
