/**
 * Every limit of the domain layer, in one place: what a record must respect
 * (validation, `validate.ts`, enforces those at the edge), the bounds of its
 * log payload and of key files, and the encoders' buffer sizes. The proto
 * comments and docs/FORMAT.md quote them.
 * Units are last in each name: `_BYTES_MAX` counts UTF-8 bytes, `_MS_` is
 * milliseconds since the Unix epoch (UTC).
 */

/** Subjects and entity objects: 1..512 bytes of UTF-8. */
export const SUBJECT_BYTES_MAX = 512;
/** Predicates, epoch names and trust pack names: 1..256 bytes of UTF-8. */
export const PREDICATE_BYTES_MAX = 256;
/** Text objects and epoch descriptions: 0..4096 bytes of UTF-8. */
export const TEXT_BYTES_MAX = 4096;
/** Bytes objects: 0..4096 bytes. */
export const BYTES_VALUE_BYTES_MAX = 4096;
/** Signatures per record (distinct public keys). */
export const SIGNATURES_MAX = 16;
/** Agent revocation reasons: 0..1024 bytes of UTF-8. */
export const REVOKE_REASON_BYTES_MAX = 1024;
/** Entries per trust pack (distinct agents). */
export const TRUST_ENTRIES_MAX = 1024;

/** BLAKE3-256 ids, source hashes and parent hashes. */
export const HASH_BYTES = 32;
/** Raw Ed25519 public keys. */
export const PUBLIC_KEY_BYTES = 32;
/** Raw Ed25519 private keys (the 32-byte seed). */
export const PRIVATE_KEY_BYTES = 32;
/** Ed25519 signatures. */
export const SIGNATURE_BYTES = 64;

/** Earliest record timestamp, inclusive: 2000-01-01T00:00:00Z. */
export const RECORD_TIMESTAMP_MS_MIN = 946_684_800_000;
/** Latest record timestamp, inclusive: 2100-01-01T00:00:00Z. */
export const RECORD_TIMESTAMP_MS_MAX = 4_102_444_800_000;
/** Timestamp objects: within ±8.64e15 ms, the range of a JavaScript Date. */
export const OBJECT_TIMESTAMP_MS_ABS_MAX = 8_640_000_000_000_000n;

/** Smallest and largest integer object (signed 64-bit). */
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
/** Largest visual hash (unsigned 64-bit). */
export const UINT64_MAX = 2n ** 64n - 1n;

/** Confidence and trust weights: finite, 0..1 inclusive. */
export const CONFIDENCE_MIN = 0;
export const CONFIDENCE_MAX = 1;
/** Vote values: finite, -1..1 inclusive. */
export const VOTE_VALUE_MIN = -1;
export const VOTE_VALUE_MAX = 1;

/**
 * A log entry's traceparent, in bytes (log-payload.ts). A W3C traceparent is
 * 55 characters; this leaves future versions some room.
 */
export const TRACEPARENT_BYTES_MAX = 256;
/** Key files (key-file.ts) are tiny; a larger file is not one, and is not read into memory. */
export const KEY_FILE_BYTES_MAX = 4096;

/** Version byte that starts every canonical encoding. */
export const CANONICAL_FORMAT_VERSION = 1;
/**
 * The scratch buffer record ids are computed in (canonical.ts
 * `withCanonicalBytes`) is kept between records up to this size; one grown
 * larger by a large record is dropped after it.
 */
export const CANONICAL_SCRATCH_BYTES_MAX = 16 * 1024;
/**
 * First buffer of a ByteWriter (byte-writer.ts), the canonical encoding's
 * builder; it doubles as needed, so this only saves the first few doublings.
 */
export const BYTE_WRITER_INITIAL_BYTES = 256;

/** Strings up to this many bytes take the record decoder's ASCII fast path (as BinaryReader's ASCII_MAX_LENGTH); longer ones go to TextDecoder. */
export const ASCII_SCAN_BYTES_MAX = 4096;
/** Unknown protobuf groups nested deeper than this do not decode (as in the generated decoder's reader). */
export const WIRE_GROUP_DEPTH_MAX = 100;

/**
 * Longest array `sortStable` (sort.ts) sorts by insertion in place; a longer
 * one goes to Array.prototype.sort. V8's sort allocates work arrays on every
 * call, and ingest sorts a few short lists per record (votes, candidates,
 * values): a quarter of ingest's allocation is a few elements sorted.
 */
export const INSERTION_SORT_MAX = 16;
