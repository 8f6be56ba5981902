/**
 * The in-memory overlay of one ingest batch: every write the batch makes, read
 * back by later records of the same batch, over a cache of store values read
 * in bulk (getMany) before the records are applied. At the end the overlay is
 * the batch's ops, one per key, for one HybridStore.applyBatch.
 *
 * A batch may be applied while the previous one is still being committed
 * (ingest overlaps the two): then `below` holds that batch's ops, and every
 * read sees the store as it will be once they land — the batch's own writes
 * first, then `below`'s, then the store's.
 */
import type { BatchOp, Entry, KVStore } from '../../storage/kv-store';

/**
 * A batch's ops, one per key, in the order the batch first wrote each key,
 * with lookups by key and by prefix. They are not sorted for the commit: the
 * store orders each backend's share as that backend needs (LMDB's in key
 * order; RocksDB takes a batch in any order), and most ops are RocksDB's.
 */
export class BatchOps {
  /** latin1 of each op's key, ascending: made by the first prefix lookup (a batch reading through the one still committing). */
  private sortedKeys: string[] | undefined;

  private constructor(
    readonly ops: readonly BatchOp[],
    /** The same ops by latin1 key, for `get` (no longer changed by anyone). */
    private readonly byKey: ReadonlyMap<string, BatchOp>,
  ) {}

  /** A batch's latest op per key (the map's keys are the latin1 of the op keys; the caller no longer changes it). */
  static of(byKey: ReadonlyMap<string, BatchOp>): BatchOps {
    return new BatchOps([...byKey.values()], byKey);
  }

  get(key: string): BatchOp | undefined {
    return this.byKey.get(key);
  }

  /** The ops whose keys start with `prefix` (latin1), in key order. */
  *withPrefix(prefix: string): Generator<BatchOp> {
    // A latin1 string has one code unit per byte, so string order is byte order
    // (Buffer.compare), at a fraction of the cost.
    const keys = (this.sortedKeys ??= [...this.byKey.keys()].sort());
    for (let i = lowerBound(keys, prefix); i < keys.length && keys[i]!.startsWith(prefix); i++) yield this.byKey.get(keys[i]!)!;
  }
}

function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** What `BatchState.getHeld` answers for a key only the store can tell about. */
export const NOT_HELD: unique symbol = Symbol('not held');

export class BatchState {
  /** Latest op per key (latin1 of the key bytes). */
  private readonly overlay = new Map<string, BatchOp>();
  /** Set by `seal()`: the BatchOps shares `overlay`, which must not change after. */
  private sealed = false;
  /** Store values already read (undefined = absent in the store). */
  private readonly cache = new Map<string, Buffer | undefined>();

  constructor(
    private readonly store: KVStore,
    /** The previous batch's ops while they are being committed. @default none */
    private readonly below?: BatchOps,
  ) {}

  /** Reads the store values of `keys` not yet known, in one parallel getMany. */
  async prefetch(keys: readonly Buffer[]): Promise<void> {
    const wanted = new Map<string, Buffer>();
    for (const key of keys) {
      const k = key.toString('latin1');
      if (!this.overlay.has(k) && !this.cache.has(k) && this.below?.get(k) === undefined) wanted.set(k, key);
    }
    if (wanted.size === 0) return;
    const list = [...wanted.values()];
    const values = await this.store.getMany(list);
    list.forEach((key, i) => this.cache.set(key.toString('latin1'), values[i]));
  }

  /** `get` when the batch already holds the answer (its writes, the committing batch's, a value read before), without a promise; NOT_HELD when only the store can tell. */
  getHeld(key: Buffer): Buffer | undefined | typeof NOT_HELD {
    const k = key.toString('latin1');
    const op = this.overlay.get(k) ?? this.below?.get(k);
    if (op !== undefined) return op.type === 'put' ? op.value : undefined;
    return this.cache.has(k) ? this.cache.get(k) : NOT_HELD;
  }

  /** The value as this batch sees it: its own write, else the committing batch's, else the store's. */
  async get(key: Buffer): Promise<Buffer | undefined> {
    const k = key.toString('latin1');
    const op = this.overlay.get(k) ?? this.below?.get(k);
    if (op !== undefined) return op.type === 'put' ? op.value : undefined;
    if (this.cache.has(k)) return this.cache.get(k);
    const value = await this.store.get(key);
    this.cache.set(k, value);
    return value;
  }

  /**
   * Entries under `prefix` as the store holds them once the committing batch
   * (if any) has landed — not this batch's writes: callers merge those from
   * their own indexes. Values are cached, so a later `get` of a scanned key
   * does not read again.
   */
  async scanStore(prefix: Buffer): Promise<Entry[]> {
    const out: Entry[] = [];
    for await (const entry of this.store.scanPrefix(prefix)) {
      out.push(entry);
      const k = entry[0].toString('latin1');
      if (!this.cache.has(k)) this.cache.set(k, entry[1]);
    }
    return this.below === undefined ? out : this.mergeBelow(prefix, out);
  }

  /** `stored` (in key order) with the committing batch's ops under `prefix` applied. */
  private mergeBelow(prefix: Buffer, stored: Entry[]): Entry[] {
    const merged = new Map<string, Entry>();
    for (const e of stored) merged.set(e[0].toString('latin1'), e);
    let changed = false;
    for (const op of this.below!.withPrefix(prefix.toString('latin1'))) {
      changed = true;
      const k = op.key.toString('latin1');
      if (op.type === 'put') merged.set(k, [op.key, op.value]);
      else merged.delete(k);
    }
    if (!changed) return stored;
    return [...merged.keys()].sort().map((k) => merged.get(k)!);
  }

  write(op: BatchOp): void {
    if (this.sealed) throw new Error('a batch takes no write once its ops are sealed (they are being committed)');
    this.overlay.set(op.key.toString('latin1'), op);
  }

  writeAll(ops: readonly BatchOp[]): void {
    for (const op of ops) this.write(op);
  }

  /** The batch's ops, one per key, for one commit (the store orders each backend's share). Ends the batch's writes. */
  seal(): BatchOps {
    this.sealed = true;
    return BatchOps.of(this.overlay);
  }

  /** The batch's ops, one per key. */
  ops(): BatchOp[] {
    return [...this.seal().ops];
  }
}
