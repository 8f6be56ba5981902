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
 * Longest object index form kept as is in a PO key, in UTF-8 bytes; longer
 * forms are hashed (object-index.ts). With the longest predicate (256) and
 * subject (512), a PO key stays under the store's KEY_BYTES_MAX (1978) even
 * when every byte of the form is an escaped NUL.
 */
export const OBJECT_INDEX_FORM_BYTES_MAX = 512;
/**
 * Candidates (assertions) kept in ingest's cached pair models
 * (apply/pair-cache.ts) before the least recently used pairs are dropped; also
 * the largest `pairCacheCandidatesMax` an Ingestor takes.
 */
export const PAIR_CACHE_CANDIDATES_MAX = 200_000;
/** Largest page of a name listing (subjects, predicates, subjects of a value). */
export const NAME_PAGE_SIZE_MAX = 1000;
/**
 * Revoked agents one read collects (the Authority lens's `revokedAgents`).
 * Revocations are rare admin actions; past this the read fails loudly rather
 * than holding an unbounded set.
 */
export const REVOKED_AGENTS_READ_MAX = 100_000;
/** Largest count or length a varint of the binary value encodings holds (u32 range; binary-fields.ts). */
export const VARINT_VALUE_MAX = 0xffffffff;
/** Bytes of the longest such varint: 5 × 7 bits cover 32. */
export const VARINT_BYTES_MAX = 5;
/**
 * First buffer of a binary value writer (binary-fields.ts); it doubles as
 * needed. An ESC value and a one-alternative MV of a short text (61 bytes,
 * docs/STORAGE.md's example) fit; finish() hands out the written part of it.
 */
export const FIELD_WRITER_INITIAL_BYTES = 64;
/**
 * The MV encoder keeps the error field names of the first this many
 * alternatives (and of this many assertion ids in each) built once, instead
 * of building them per encoding; past them names are built when needed.
 */
export const STORED_NAMED_ALTERNATIVES_MAX = 16;
export const STORED_NAMED_IDS_MAX = 16;
/**
 * Bytes of one chunk of a batch's op arena (shared/graph/apply/batch-state.ts):
 * a batch's keys and values are copied into chunks this large (an op larger
 * than one gets a chunk of its own), so a thousand-record batch is a few
 * chunks, not tens of thousands of heap objects.
 */
export const OP_ARENA_CHUNK_BYTES = 256 * 1024;
