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
import type { BatchOp, BatchOpSource, Entry, KVStore } from '../../storage/kv-store';
import { OP_ARENA_CHUNK_BYTES } from '../limits';

/** Int32 fields per op in an OpArena's index. */
const OP_META_FIELDS = 4;

/**
 * The bytes of a batch's ops, off the JavaScript heap: each op's key and value
 * are copied into large chunks as they are written, and the op is a few
 * integers in a typed array. A batch's ops live until its commit lands, over
 * the next batch's apply; as objects (an op, two Buffer views, per key) the
 * young-generation collector copied every one of them twice, to the survivor
 * space and then to the old generation (docs/STORAGE.md, "The op arena"). Ops
 * are views made on demand and dropped at once.
 */
export class OpArena {
  private readonly chunks: Buffer[] = [];
  private chunk: Buffer = Buffer.alloc(0);
  private used = 0;
  /** Per op: chunk, key start, key length, value length (-1: a delete); the value follows the key. */
  private meta = new Int32Array(OP_META_FIELDS * 256);
  private n = 0;

  get count(): number {
    return this.n;
  }

  /** Copies `op` in; its index. */
  add(op: BatchOp): number {
    const keyLength = op.key.length;
    const valueLength = op.type === 'put' ? op.value.length : -1;
    const bytes = keyLength + Math.max(0, valueLength);
    if (this.chunks.length === 0 || this.used + bytes > this.chunk.length) {
      this.chunk = Buffer.allocUnsafeSlow(Math.max(OP_ARENA_CHUNK_BYTES, bytes));
      this.chunks.push(this.chunk);
      this.used = 0;
    }
    const at = this.used;
    this.chunk.set(op.key, at);
    if (op.type === 'put') this.chunk.set(op.value, at + keyLength);
    this.used += bytes;
    if ((this.n + 1) * OP_META_FIELDS > this.meta.length) {
      const grown = new Int32Array(this.meta.length * 2);
      grown.set(this.meta);
      this.meta = grown;
    }
    const m = this.n * OP_META_FIELDS;
    this.meta[m] = this.chunks.length - 1;
    this.meta[m + 1] = at;
    this.meta[m + 2] = keyLength;
    this.meta[m + 3] = valueLength;
    return this.n++;
  }

  key(i: number): Buffer {
    const m = i * OP_META_FIELDS;
    const at = this.meta[m + 1]!;
    return this.chunks[this.meta[m]!]!.subarray(at, at + this.meta[m + 2]!);
  }

  /** The value op `i` puts, or undefined for a delete. */
  value(i: number): Buffer | undefined {
    const m = i * OP_META_FIELDS;
    const length = this.meta[m + 3]!;
    if (length < 0) return undefined;
    const at = this.meta[m + 1]! + this.meta[m + 2]!;
    return this.chunks[this.meta[m]!]!.subarray(at, at + length);
  }

  isPut(i: number): boolean {
    return this.meta[i * OP_META_FIELDS + 3]! >= 0;
  }

  op(i: number): BatchOp {
    const value = this.value(i);
    return value === undefined ? { type: 'delete', key: this.key(i) } : { type: 'put', key: this.key(i), value };
  }
}

/**
 * A batch's ops, one per key, in the order the batch first wrote each key,
 * with lookups by key and by prefix. They are not sorted for the commit: the
 * store orders each backend's share as that backend needs (LMDB's in key
 * order; RocksDB takes a batch in any order), and most ops are RocksDB's.
 */
export class BatchOps implements BatchOpSource {
  /** Arena index of each op, in `byKey` order: made by the first `op(i)`. */
  private order: Int32Array | undefined;
  /** latin1 of each op's key, ascending: made by the first prefix lookup (a batch reading through the one still committing). */
  private sortedKeys: string[] | undefined;

  private constructor(
    private readonly arena: OpArena,
    /** Op index by latin1 key (no longer changed by anyone). */
    private readonly byKey: ReadonlyMap<string, number>,
  ) {}

  /** A batch's latest op per key (the map's keys are the latin1 of the op keys). */
  static of(byKey: ReadonlyMap<string, BatchOp>): BatchOps {
    const arena = new OpArena();
    const index = new Map<string, number>();
    for (const [k, op] of byKey) index.set(k, arena.add(op));
    return new BatchOps(arena, index);
  }

  /** Ops held in `arena`, by latin1 key (the overlay of a sealed BatchState). */
  static over(arena: OpArena, byKey: ReadonlyMap<string, number>): BatchOps {
    return new BatchOps(arena, byKey);
  }

  /** How many ops (keys). */
  get size(): number {
    return this.byKey.size;
  }

  /** Op i (in the order the batch first wrote each key), made afresh as views of the arena. */
  op(i: number): BatchOp {
    if (this.order === undefined) {
      this.order = new Int32Array(this.byKey.size);
      let j = 0;
      for (const index of this.byKey.values()) this.order[j++] = index;
    }
    return this.arena.op(this.order[i]!);
  }

  /** The ops, made afresh as views of the arena. */
  get ops(): BatchOp[] {
    const out = new Array<BatchOp>(this.byKey.size);
    let j = 0;
    for (const i of this.byKey.values()) out[j++] = this.arena.op(i);
    return out;
  }

  get(key: string): BatchOp | undefined {
    const i = this.byKey.get(key);
    return i === undefined ? undefined : this.arena.op(i);
  }

  /** The value the batch leaves at `key`: a Buffer, undefined for a delete, NOT_HELD when the batch does not touch it. */
  valueOf(key: string): Buffer | undefined | typeof NOT_HELD {
    const i = this.byKey.get(key);
    return i === undefined ? NOT_HELD : this.arena.value(i);
  }

  /** The ops whose keys start with `prefix` (latin1), in key order. */
  *withPrefix(prefix: string): Generator<BatchOp> {
    // A latin1 string has one code unit per byte, so string order is byte order
    // (Buffer.compare), at a fraction of the cost.
    const keys = (this.sortedKeys ??= [...this.byKey.keys()].sort());
    for (let i = lowerBound(keys, prefix); i < keys.length && keys[i]!.startsWith(prefix); i++) yield this.arena.op(this.byKey.get(keys[i]!)!);
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
  /** The batch's ops' bytes. */
  private readonly arena = new OpArena();
  /** Index in `arena` of the latest op per key (latin1 of the key bytes). */
  private readonly overlay = new Map<string, number>();
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
      if (!this.overlay.has(k) && !this.cache.has(k) && (this.below === undefined || this.below.valueOf(k) === NOT_HELD)) wanted.set(k, key);
    }
    if (wanted.size === 0) return;
    const list = [...wanted.values()];
    const values = await this.store.getMany(list);
    list.forEach((key, i) => this.cache.set(key.toString('latin1'), values[i]));
  }

  /** The value this batch's writes, else the committing batch's, leave at `k`; NOT_HELD when neither touches it. */
  private heldValue(k: string): Buffer | undefined | typeof NOT_HELD {
    const i = this.overlay.get(k);
    if (i !== undefined) return this.arena.value(i);
    return this.below === undefined ? NOT_HELD : this.below.valueOf(k);
  }

  /** `get` when the batch already holds the answer (its writes, the committing batch's, a value read before), without a promise; NOT_HELD when only the store can tell. */
  getHeld(key: Buffer): Buffer | undefined | typeof NOT_HELD {
    const k = key.toString('latin1');
    const held = this.heldValue(k);
    if (held !== NOT_HELD) return held;
    return this.cache.has(k) ? this.cache.get(k) : NOT_HELD;
  }

  /** The value as this batch sees it: its own write, else the committing batch's, else the store's. */
  async get(key: Buffer): Promise<Buffer | undefined> {
    const k = key.toString('latin1');
    const held = this.heldValue(k);
    if (held !== NOT_HELD) return held;
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
    this.overlay.set(op.key.toString('latin1'), this.arena.add(op));
  }

  writeAll(ops: readonly BatchOp[]): void {
    for (const op of ops) this.write(op);
  }

  /** The batch's ops, one per key, for one commit (the store orders each backend's share). Ends the batch's writes. */
  seal(): BatchOps {
    this.sealed = true;
    return BatchOps.over(this.arena, this.overlay);
  }

  /** The batch's ops, one per key. */
  ops(): BatchOp[] {
    return [...this.seal().ops];
  }
}
