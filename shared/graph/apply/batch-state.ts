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
/** Slots of a fresh arena's key table (a power of two); it doubles at half full. */
const KEY_SLOTS_INITIAL = 1024;

/** FNV-1a over `key`'s bytes: the arena's key table hash. */
export function hashKey(key: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key[i]!, 0x01000193);
  return h;
}

/**
 * A batch's ops, one per key, off the JavaScript heap: each op's key and value
 * are copied into large chunks as they are written, an op is a few integers in
 * a typed array, and a table keyed by the key bytes (open addressing, FNV-1a)
 * finds a key's latest op. A batch's ops live until its commit lands, over the
 * next batch's apply; as objects (an op, two Buffer views and a latin1 string
 * per key, in a Map) the young-generation collector copied every one of them
 * twice, to the survivor space and then to the old generation
 * (docs/STORAGE.md, "The op arena"). Ops are views made on demand and dropped
 * at once.
 *
 * Keys are numbered in the order they were first written (their position);
 * a later write of a key adds a new op and makes it the key's latest, so the
 * first-write order stays, as a Map's insertion order would.
 */
export class OpArena {
  private readonly chunks: Buffer[] = [];
  private chunk: Buffer = Buffer.alloc(0);
  private used = 0;
  /** Per op: chunk, key start, key length, value length (-1: a delete); the value follows the key. */
  private meta = new Int32Array(OP_META_FIELDS * 256);
  private n = 0;
  /** Per position: the key's latest op, and its hash. */
  private latest = new Int32Array(256);
  private hashes = new Int32Array(256);
  private keys = 0;
  /** Hash slot → position + 1 (0: empty). */
  private slots = new Int32Array(KEY_SLOTS_INITIAL);
  private sealed = false;

  /** Ops added (every write, including the ones a later write of their key replaced). */
  get count(): number {
    return this.n;
  }

  /** Distinct keys. */
  get size(): number {
    return this.keys;
  }

  /** Copies `op` in; its op index. Ends in an Error once `seal()`ed. */
  add(op: BatchOp): number {
    if (this.sealed) throw new Error('a batch takes no write once its ops are sealed (they are being committed)');
    // What the store would refuse later (BatchOpSource.buffersOnly): refused here, before anything is copied.
    if (!Buffer.isBuffer(op.key) || (op.type === 'put' ? !Buffer.isBuffer(op.value) : op.type !== 'delete')) {
      throw new TypeError(`a batch op must be a put of a Buffer key and value or a delete of a Buffer key (got a ${String(op.type)} of ${typeof op.key})`);
    }
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
    if ((this.n + 1) * OP_META_FIELDS > this.meta.length) this.meta = grown(this.meta);
    const m = this.n * OP_META_FIELDS;
    this.meta[m] = this.chunks.length - 1;
    this.meta[m + 1] = at;
    this.meta[m + 2] = keyLength;
    this.meta[m + 3] = valueLength;
    const index = this.n++;
    this.setLatest(op.key, index);
    return index;
  }

  /** Makes op `index` the latest of `key`: a new position when the key is new. */
  private setLatest(key: Uint8Array, index: number): void {
    const h = hashKey(key);
    const mask = this.slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const slot = this.slots[i]!;
      if (slot === 0) {
        if (this.keys === this.latest.length) {
          this.latest = grown(this.latest);
          this.hashes = grown(this.hashes);
        }
        this.latest[this.keys] = index;
        this.hashes[this.keys] = h;
        this.slots[i] = ++this.keys;
        if (this.keys * 2 > this.slots.length) this.rehash();
        return;
      }
      if (this.hashes[slot - 1] === h && this.keyEquals(this.latest[slot - 1]!, key)) {
        this.latest[slot - 1] = index;
        return;
      }
    }
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let p = 0; p < this.keys; p++) {
      let i = this.hashes[p]! & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = p + 1;
    }
    this.slots = slots;
  }

  private keyEquals(index: number, key: Uint8Array): boolean {
    const m = index * OP_META_FIELDS;
    const length = this.meta[m + 2]!;
    if (length !== key.length) return false;
    const chunk = this.chunks[this.meta[m]!]!;
    const at = this.meta[m + 1]!;
    for (let i = 0; i < length; i++) if (chunk[at + i] !== key[i]) return false;
    return true;
  }

  /** The position of `key` (its first-write order), or -1 when the batch did not write it. */
  positionOf(key: Uint8Array): number {
    const h = hashKey(key);
    const mask = this.slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const slot = this.slots[i]!;
      if (slot === 0) return -1;
      if (this.hashes[slot - 1] === h && this.keyEquals(this.latest[slot - 1]!, key)) return slot - 1;
    }
  }

  /** The latest op index of the key at `position`. */
  latestAt(position: number): number {
    return this.latest[position]!;
  }

  /** Ends the writes: the ops are being committed. */
  seal(): void {
    this.sealed = true;
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

function grown(a: Int32Array): Int32Array<ArrayBuffer> {
  const out = new Int32Array(a.length * 2);
  out.set(a);
  return out;
}

/**
 * A batch's ops, one per key, in the order the batch first wrote each key,
 * with lookups by key and by prefix. They are not sorted for the commit: the
 * store orders each backend's share as that backend needs (LMDB's in key
 * order; RocksDB takes a batch in any order), and most ops are RocksDB's.
 */
export class BatchOps implements BatchOpSource {
  /** OpArena.add refuses any key or value that is not a Buffer. */
  readonly buffersOnly = true;
  /** latin1 of each key with its position, ascending: made by the first prefix lookup (a batch reading through the one still committing). */
  private sortedKeys: { readonly keys: string[]; readonly positions: number[] } | undefined;

  private constructor(private readonly arena: OpArena) {}

  /** A batch's latest op per key (the map's keys are the latin1 of the op keys). */
  static of(byKey: ReadonlyMap<string, BatchOp>): BatchOps {
    const arena = new OpArena();
    for (const op of byKey.values()) arena.add(op);
    return BatchOps.over(arena);
  }

  /** The ops of `arena` (a sealed BatchState's), which takes no more writes. */
  static over(arena: OpArena): BatchOps {
    arena.seal();
    return new BatchOps(arena);
  }

  /** How many ops (keys). */
  get size(): number {
    return this.arena.size;
  }

  /** Op i (in the order the batch first wrote each key), made afresh as views of the arena. */
  op(i: number): BatchOp {
    return this.arena.op(this.arena.latestAt(i));
  }

  /** Op i's key, a view of the arena. */
  key(i: number): Buffer {
    return this.arena.key(this.arena.latestAt(i));
  }

  /** The ops, made afresh as views of the arena. */
  get ops(): BatchOp[] {
    const out = new Array<BatchOp>(this.size);
    for (let i = 0; i < out.length; i++) out[i] = this.op(i);
    return out;
  }

  /** The op at `key` (its latin1), or undefined when the batch did not write it. */
  get(key: string): BatchOp | undefined {
    const p = this.arena.positionOf(Buffer.from(key, 'latin1'));
    return p < 0 ? undefined : this.op(p);
  }

  /** The value the batch leaves at `key`: a Buffer, undefined for a delete, NOT_HELD when the batch does not touch it. */
  valueOf(key: Uint8Array): Buffer | undefined | typeof NOT_HELD {
    const p = this.arena.positionOf(key);
    return p < 0 ? NOT_HELD : this.arena.value(this.arena.latestAt(p));
  }

  /** The ops whose keys start with `prefix` (latin1), in key order. */
  *withPrefix(prefix: string): Generator<BatchOp> {
    // A latin1 string has one code unit per byte, so string order is byte order
    // (Buffer.compare), at a fraction of the cost.
    const sorted = (this.sortedKeys ??= this.sortKeys());
    for (let i = lowerBound(sorted.keys, prefix); i < sorted.keys.length && sorted.keys[i]!.startsWith(prefix); i++) yield this.op(sorted.positions[i]!);
  }

  private sortKeys(): { keys: string[]; positions: number[] } {
    const latin1 = new Array<string>(this.size);
    for (let p = 0; p < latin1.length; p++) latin1[p] = this.arena.key(this.arena.latestAt(p)).toString('latin1');
    const positions = latin1.map((_, p) => p).sort((a, b) => (latin1[a]! < latin1[b]! ? -1 : latin1[a]! > latin1[b]! ? 1 : 0));
    return { keys: positions.map((p) => latin1[p]!), positions };
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
  /** The batch's ops (its overlay): keys, values and the latest op of each key. */
  private readonly arena = new OpArena();
  /** Store values already read (undefined = absent in the store), by latin1 key. */
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
      if (this.heldValue(key) !== NOT_HELD) continue;
      const k = key.toString('latin1');
      if (!this.cache.has(k)) wanted.set(k, key);
    }
    if (wanted.size === 0) return;
    const list = [...wanted.values()];
    const values = await this.store.getMany(list);
    list.forEach((key, i) => this.cache.set(key.toString('latin1'), values[i]));
  }

  /** The value this batch's writes, else the committing batch's, leave at `key`; NOT_HELD when neither touches it. */
  private heldValue(key: Buffer): Buffer | undefined | typeof NOT_HELD {
    const p = this.arena.positionOf(key);
    if (p >= 0) return this.arena.value(this.arena.latestAt(p));
    return this.below === undefined ? NOT_HELD : this.below.valueOf(key);
  }

  /** A value read from the store before, NOT_HELD when none was (no latin1 key is made while nothing was read). */
  private cached(key: Buffer): Buffer | undefined | typeof NOT_HELD {
    if (this.cache.size === 0) return NOT_HELD;
    const k = key.toString('latin1');
    return this.cache.has(k) ? this.cache.get(k) : NOT_HELD;
  }

  /** `get` when the batch already holds the answer (its writes, the committing batch's, a value read before), without a promise; NOT_HELD when only the store can tell. */
  getHeld(key: Buffer): Buffer | undefined | typeof NOT_HELD {
    const held = this.heldValue(key);
    return held !== NOT_HELD ? held : this.cached(key);
  }

  /** The value as this batch sees it: its own write, else the committing batch's, else the store's. */
  async get(key: Buffer): Promise<Buffer | undefined> {
    const held = this.getHeld(key);
    if (held !== NOT_HELD) return held;
    const value = await this.store.get(key);
    this.cache.set(key.toString('latin1'), value);
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
    this.arena.add(op);
  }

  writeAll(ops: readonly BatchOp[]): void {
    for (const op of ops) this.arena.add(op);
  }

  /** The batch's ops, one per key, for one commit (the store orders each backend's share). Ends the batch's writes. */
  seal(): BatchOps {
    return BatchOps.over(this.arena);
  }

  /** The batch's ops, one per key. */
  ops(): BatchOp[] {
    return [...this.seal().ops];
  }
}
