/**
 * Every limit of the storage layer, in one place (units last in each name).
 * Tests exercise each one at its edge ±1.
 */

/**
 * Largest key either backend accepts: LMDB's compiled-in maximum key size.
 * RocksDB has no practical limit, but a key must fit both so that routing can
 * never make a key unstorable.
 */
export const KEY_BYTES_MAX = 1978;

/** Fixed-width binary key components: BLAKE3 ids and source hashes. */
export const ID_BYTES = 32;
/** Fixed-width binary key components: agents (raw Ed25519 public keys). */
export const AGENT_BYTES = 32;
/** Offsets and other numbers in keys: unsigned 64-bit big-endian. */
export const KEY_NUMBER_BYTES = 8;

/**
 * Entries an LMDB scan reads per chunk before yielding to the event loop. Each
 * chunk runs in its own short read transaction, so a slow consumer never pins
 * an old snapshot (which would stop LMDB reusing freed pages).
 */
export const SCAN_CHUNK_ENTRIES = 256;

/**
 * Keys per native `getMany` call on RocksDB. Larger requests are split into
 * chunks issued concurrently, so the libuv thread pool serves them in parallel
 * (measured: one awaited get at a time ~18k/s, 64 in flight ~100k/s).
 */
export const GET_MANY_CHUNK_KEYS = 64;


/** Values read and written by `fetchAndAddU64`: unsigned 64-bit. */
export const U64_MAX = 2n ** 64n - 1n;

/** RocksDB memtable size before a flush to an SST file. */
export const ROCKS_WRITE_BUFFER_BYTES_DEFAULT = 16 * 1024 * 1024;
