/**
 * Every limit and fixed size of the write-ahead log, in one place. Units are last
 * in each name. docs/WAL.md quotes these values; tests check each at ±1.
 */

/** Bytes of the header at the start of every segment file. */
export const SEGMENT_HEADER_BYTES = 32;
/** Bytes of the frame before each payload: len (4) + crc32c (4) + blake3 (32). */
export const RECORD_HEADER_BYTES = 40;
/** Largest payload one record may carry; checked before anything is allocated. */
export const RECORD_BYTES_MAX = 4 * 1024 * 1024;
/** Default size at which the active segment is rotated (file bytes, header included). */
export const SEGMENT_BYTES_MAX_DEFAULT = 64 * 1024 * 1024;
/** Smallest accepted `segmentBytesMax`: a header plus one empty record. */
export const SEGMENT_BYTES_MIN = SEGMENT_HEADER_BYTES + RECORD_HEADER_BYTES;
/** Default cap on the framed bytes of one group-commit batch. */
export const BATCH_BYTES_MAX_DEFAULT = 8 * 1024 * 1024;
/**
 * No longer changes the append path: every batch is written and fdatasync'ed on
 * the thread pool (docs/WAL.md, "The group-commit rule"). It was the size up to
 * which batches were synced on the event loop; kept exported (256 KiB) for code
 * that sizes a "large batch" by it.
 */
export const SYNC_FLUSH_BYTES_MAX = 256 * 1024;
/**
 * Batches written but not yet covered by an fdatasync while another fdatasync
 * is in flight: batch n+1 is written during batch n's fdatasync, batch n+2
 * gathers until batch n+1's fdatasync starts.
 */
export const GROUP_COMMIT_AHEAD_BATCHES_MAX = 1;
/** Largest group-commit delay accepted (a longer one is a configuration mistake). */
export const GROUP_COMMIT_DELAY_MS_MAX = 1000;
/** Bytes read per chunk when scanning a segment (recovery, check, reader refresh). */
export const SCAN_CHUNK_BYTES = 1024 * 1024;
/** Payload bytes `read(offset)` fetches with the frame header in one call (larger records take a second read). */
export const READ_AHEAD_BYTES = 4096;
/** Default `bytesMax` of one `readFrom` batch used by `tail`. */
export const TAIL_READ_BYTES_MAX = 1024 * 1024;
/** Segment files a reader keeps open at once (least recently used are closed). */
export const OPEN_SEGMENT_FILES_MAX = 16;
/** How often a `WalReader` tail re-checks the files when no fs.watch event arrives. */
export const READER_POLL_INTERVAL_MS = 200;
/** Attempts to create the LOCK file before giving up (each may clear one stale lock). */
export const LOCK_ATTEMPTS_MAX = 5;
/** The largest global offset the log may reach (offsets are JS numbers inside the process). */
export const OFFSET_MAX = Number.MAX_SAFE_INTEGER;
/** Bytes of the `MANIFEST` file. */
export const MANIFEST_BYTES = 80;
/** Bytes of a log's random identity (128 bits). */
export const LOG_ID_BYTES = 16;
/**
 * The unit a disk writes atomically, as the torn-write rule assumes it: a lost
 * write shows up as zeroed SECTOR_BYTES-aligned pieces (docs/WAL.md, "The recovery rule").
 */
export const SECTOR_BYTES = 512;
