/**
 * A fault-injecting KVStore layer for power-loss tests. It forwards every call
 * to a real backend and records each committed write (a put, a delete or an
 * atomic batch, in commit order) and how much of that record is durable:
 *
 * - a batch written with `{ sync: true }` makes itself and every earlier write
 *   durable (RocksDB: a synced WAL write; LMDB: the commit flushed);
 * - `flush()` makes every write committed before the call durable.
 *
 * The layer is the durability model: it does not pass `sync` on or flush the
 * real backend (which keeps the test fast; nothing survives the session but
 * what `crashState` rebuilds). A shared PowerSwitch cuts the power at the N-th
 * cut point — just before a write, or just after one committed — and that call
 * and every later one fail with PowerCut. `crashState` then rebuilds a backend as
 * a power loss may have left it: the directory as it was when the session
 * started, plus the durable writes, plus any prefix of the writes that were
 * committed but not yet durable (both engines recover a prefix of their commits).
 */
import { cpSync } from 'node:fs';
import type { BatchOp, BatchOptions, Entry, KVStore, ScanOptions } from '../../shared/storage/kv-store';

export class PowerCut extends Error {
  override readonly name = 'PowerCut';
  constructor() {
    super('simulated power loss');
  }
}

/** Counts cut points (before and after each write) across every layer of one session and cuts the power at number `cutAt` (1-based). */
export class PowerSwitch {
  private points = 0;
  on = true;
  constructor(private readonly cutAt: number) {}

  /** Throws PowerCut when the power is off or this point is the one that cuts it. */
  point(): void {
    this.check();
    this.points += 1;
    if (this.points >= this.cutAt) {
      this.on = false;
      throw new PowerCut();
    }
  }

  check(): void {
    if (!this.on) throw new PowerCut();
  }
}

export class RecordingStore implements KVStore {
  readonly backend: KVStore['backend'];
  /** Committed writes, in commit order. */
  readonly writes: BatchOp[][] = [];
  /** writes[0 .. durable) are durable. */
  durable = 0;

  constructor(
    private readonly inner: KVStore,
    private readonly power: PowerSwitch,
  ) {
    this.backend = inner.backend;
  }

  get(key: Buffer): Promise<Buffer | undefined> {
    this.power.check();
    return this.inner.get(key);
  }

  getMany(keyList: readonly Buffer[]): Promise<(Buffer | undefined)[]> {
    this.power.check();
    return this.inner.getMany(keyList);
  }

  scanPrefix(prefix: Buffer, options?: ScanOptions): AsyncIterable<Entry> {
    this.power.check();
    return this.inner.scanPrefix(prefix, options);
  }

  put(key: Buffer, value: Buffer): Promise<void> {
    return this.write([{ type: 'put', key, value }], false);
  }

  delete(key: Buffer): Promise<void> {
    return this.write([{ type: 'delete', key }], false);
  }

  batch(ops: readonly BatchOp[], options: BatchOptions = {}): Promise<void> {
    return this.write([...ops], options.sync === true);
  }

  async flush(): Promise<void> {
    this.power.check();
    const committed = this.writes.length;
    await new Promise((resolve) => setImmediate(resolve)); // a flush takes a while; the power may go first
    if (this.power.on) this.durable = Math.max(this.durable, committed);
  }

  fetchAndAddU64(): Promise<bigint> {
    return Promise.reject(new Error('fetchAndAddU64 is not recorded by the power-loss layer'));
  }

  compareAndSwapF32(): Promise<boolean> {
    return Promise.reject(new Error('compareAndSwapF32 is not recorded by the power-loss layer'));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async write(ops: BatchOp[], sync: boolean): Promise<void> {
    this.power.point();
    await this.inner.batch(ops);
    this.writes.push(ops);
    // A write in flight when the power went may be on disk, but was never acknowledged.
    this.power.check();
    if (sync) this.durable = this.writes.length;
    this.power.point(); // committed; the power may go before the caller hears of it
  }

  /**
   * Writes the backend a power loss may leave into `target` (a copy of the
   * session's starting directory `base`): the durable writes and then the
   * first `extra` (0..pending) of the rest.
   */
  async crashState(base: string, target: string, extra: number, open: (dir: string) => Promise<KVStore>): Promise<void> {
    cpSync(base, target, { recursive: true });
    const store = await open(target);
    try {
      for (const ops of this.writes.slice(0, this.durable + extra)) await store.batch(ops);
      await store.flush();
    } finally {
      await store.close();
    }
  }

  /** Writes committed but not durable when the power went. */
  get pending(): number {
    return this.writes.length - this.durable;
  }
}
