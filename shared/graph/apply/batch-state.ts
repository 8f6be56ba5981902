/**
 * The in-memory overlay of one ingest batch: every write the batch makes, read
 * back by later records of the same batch, over a cache of store values read
 * in bulk (getMany) before the records are applied. At the end the overlay is
 * the batch's ops, in key order, for one HybridStore.applyBatch.
 */
import type { BatchOp, Entry, KVStore } from '../../storage/kv-store';

export class BatchState {
  /** Latest op per key (latin1 of the key bytes). */
  private readonly overlay = new Map<string, BatchOp>();
  /** Store values already read (undefined = absent in the store). */
  private readonly cache = new Map<string, Buffer | undefined>();

  constructor(private readonly store: KVStore) {}

  /** Reads the store values of `keys` not yet known, in one parallel getMany. */
  async prefetch(keys: readonly Buffer[]): Promise<void> {
    const wanted = new Map<string, Buffer>();
    for (const key of keys) {
      const k = key.toString('latin1');
      if (!this.overlay.has(k) && !this.cache.has(k)) wanted.set(k, key);
    }
    if (wanted.size === 0) return;
    const list = [...wanted.values()];
    const values = await this.store.getMany(list);
    list.forEach((key, i) => this.cache.set(key.toString('latin1'), values[i]));
  }

  /** The value as this batch sees it: its own write, else the store's. */
  async get(key: Buffer): Promise<Buffer | undefined> {
    const k = key.toString('latin1');
    const op = this.overlay.get(k);
    if (op !== undefined) return op.type === 'put' ? op.value : undefined;
    if (this.cache.has(k)) return this.cache.get(k);
    const value = await this.store.get(key);
    this.cache.set(k, value);
    return value;
  }

  /**
   * Entries under `prefix` as the store holds them (not this batch's writes:
   * callers merge those from their own indexes). Values are cached, so a later
   * `get` of a scanned key does not read again.
   */
  async scanStore(prefix: Buffer): Promise<Entry[]> {
    const out: Entry[] = [];
    for await (const entry of this.store.scanPrefix(prefix)) {
      out.push(entry);
      const k = entry[0].toString('latin1');
      if (!this.cache.has(k)) this.cache.set(k, entry[1]);
    }
    return out;
  }

  write(op: BatchOp): void {
    this.overlay.set(op.key.toString('latin1'), op);
  }

  writeAll(ops: readonly BatchOp[]): void {
    for (const op of ops) this.write(op);
  }

  /** The batch's ops in key order (sorted keys make LMDB commits much faster). */
  ops(): BatchOp[] {
    return [...this.overlay.values()].sort((a, b) => Buffer.compare(a.key, b.key));
  }
}
