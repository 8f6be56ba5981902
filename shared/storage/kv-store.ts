/**
 * The KVStore contract every backend (RocksStore, LmdbStore) and the
 * HybridStore implement: ordered binary keys, binary values.
 *
 * Keys compare as unsigned bytes (memcmp; a shorter key sorts before any key it
 * prefixes). Writes resolve once committed and visible to later reads; they are
 * durable after `flush()`. Keys are built by `keys.ts` only.
 */
import type { BackendName } from './errors';

/** One write of an atomic batch. Ops apply in order: a later op on the same key wins. */
export type BatchOp = { readonly type: 'put'; readonly key: Buffer; readonly value: Buffer } | { readonly type: 'delete'; readonly key: Buffer };

/**
 * A batch's ops as a caller may hold them compactly (ingest keeps a batch's
 * keys and values in one arena, off the JavaScript heap): `op(i)` makes op i
 * (0 ≤ i < size) as views the store reads and drops at once. HybridStore's
 * `applyBatch` takes one, so a batch being committed (while the next one
 * applies) is not thousands of heap objects for the young-generation
 * collector to copy (docs/STORAGE.md, "The op arena").
 */
export interface BatchOpSource {
  readonly size: number;
  op(i: number): BatchOp;
  /** Op i's key (no op object made). */
  key(i: number): Buffer;
  /**
   * Every key and value is a Buffer by construction (an OpArena refuses
   * anything else as it copies it in): the store checks each key's length
   * without making the op.
   */
  readonly buffersOnly?: boolean;
}

/**
 * Bounds and direction of a prefix scan. Bounds narrow the prefix range; they
 * are how a caller resumes after the last key it saw (`gt` forward, `lt` in
 * reverse). At most one lower (`gte`/`gt`) and one upper (`lte`/`lt`) bound.
 */
export interface ScanOptions {
  /** Only keys >= this. */
  readonly gte?: Buffer;
  /** Only keys > this. */
  readonly gt?: Buffer;
  /** Only keys <= this. */
  readonly lte?: Buffer;
  /** Only keys < this. */
  readonly lt?: Buffer;
  /** Stop after this many entries (a non-negative integer). @default unlimited */
  readonly limit?: number;
  /** Descending key order. @default false */
  readonly reverse?: boolean;
}

/** How a batch is committed. */
export interface BatchOptions {
  /**
   * Resolve only once the batch, and every write that resolved before it, is
   * durable on disk (RocksDB: a synced WAL write; LMDB: the commit flushed).
   * @default false (committed and visible; durable after a later sync or `flush()`)
   */
  readonly sync?: boolean;
}

/** A key and its value, as a scan yields them. */
export type Entry = [key: Buffer, value: Buffer];

export interface KVStore {
  /** Which backend this is (for errors, spans and dumps). */
  readonly backend: BackendName;

  /** The value, or undefined when the key is absent. */
  get(key: Buffer): Promise<Buffer | undefined>;

  /** Values for many keys, in the order asked, read in parallel. */
  getMany(keys: readonly Buffer[]): Promise<(Buffer | undefined)[]>;

  put(key: Buffer, value: Buffer): Promise<void>;

  /** Removes the key; deleting an absent key is not an error. */
  delete(key: Buffer): Promise<void>;

  /**
   * Entries whose key starts with `prefix` (the empty prefix = every key), in
   * key order, streamed in chunks: never a whole array. Breaking out of the
   * loop releases the underlying iterator.
   */
  scanPrefix(prefix: Buffer, options?: ScanOptions): AsyncIterable<Entry>;

  /** Applies every op or none (one atomic commit). */
  batch(ops: readonly BatchOp[], options?: BatchOptions): Promise<void>;

  /** Resolves once every write that resolved before the call is durable on disk. */
  flush(): Promise<void>;

  /**
   * Adds `delta` (may be negative) to the unsigned 64-bit big-endian counter at
   * `key` (absent = 0) and returns the previous value. Atomic with respect to
   * every other call on this store in this process. Throws a StoreError, writing
   * nothing, when the result would leave 0..2^64-1 or the stored value is not
   * 8 bytes.
   */
  fetchAndAddU64(key: Buffer, delta: bigint): Promise<bigint>;

  /**
   * Sets the 32-bit float (big-endian) at `key` to `next` if it currently holds
   * `expected` (undefined = the key is absent); returns whether it did. Values
   * compare as floats after rounding `expected` to f32 (so 0 equals -0).
   * `expected` and `next` must be finite. Atomic like `fetchAndAddU64`.
   */
  compareAndSwapF32(key: Buffer, expected: number | undefined, next: number): Promise<boolean>;

  /**
   * A point-in-time view of every key, fixed when this returns (RocksDB: a
   * native iterator's implicit snapshot; LMDB: one read transaction held until
   * release). Writes committed afterwards are not in it. Optional: backends
   * that cannot pin a view leave it out, and snapshots refuse them.
   */
  pinnedScan?(): PinnedScan;

  /** Waits for pending writes and releases the store; later calls fail. */
  close(): Promise<void>;
}

/** Every entry of one backend as it was when the view was pinned (docs/SNAPSHOTS.md). */
export interface PinnedScan {
  /** Key order; iterate at most once. */
  readonly entries: AsyncIterable<Entry>;
  /** Releases the pinned view (idempotent); iterating afterwards fails. */
  release(): Promise<void>;
}
