/**
 * KVStore on RocksDB through level-rocksdb (levelup 5 over rocksdb 5.2, which
 * bundles RocksDB 6.17). Write-optimized: atomic batches go through the native
 * chained batch; writes are not synced (RocksDB's WAL makes them survive a
 * process crash); `flush()` writes one synced delete, which fsyncs the WAL and
 * with it every earlier write.
 *
 * Point reads cross to the libuv thread pool, so `getMany` issues chunks
 * concurrently. Scans use one native iterator bounded by the prefix range; the
 * binding fills it in chunks, and breaking out of the loop ends it.
 *
 * RocksDB takes a LOCK file: one process opens a directory at a time.
 */
import { mkdirSync } from 'node:fs';
import level = require('level-rocksdb');
import { withSpan } from '../telemetry/tracing';
import { checkAddArgs, checkBatch, checkCasArgs, checkKey, checkValue } from './arg-checks';
import { StoreError } from './errors';
import { KeyLocks } from './key-locks';
import { scanRange } from './key-range';
import { keys, META_NAMES } from './keys';
import type { BatchOp, BatchOptions, Entry, KVStore, PinnedScan, ScanOptions } from './kv-store';
import { GET_MANY_CHUNK_KEYS, ROCKS_WRITE_BUFFER_BYTES_DEFAULT } from './limits';
import { addStep, casStep, encodeF32 } from './number-values';
import { batchAttributes, startScanSpan } from './store-spans';

export interface RocksStoreOptions {
  /** Memtable size before RocksDB flushes it to an SST file. @default 16 MiB */
  readonly writeBufferBytes?: number;
  /**
   * Keys per native read of `getMany`; the chunks run concurrently on the
   * libuv pool. Small chunks spread a large read over the pool's threads;
   * one chunk costs one hand-off (a pool thread's wake-up and a completion
   * callback) however many keys it holds. @default GET_MANY_CHUNK_KEYS
   */
  readonly getManyChunkKeys?: number;
}

const BACKEND = 'rocksdb';

type LevelDb = level.LevelDb;
type LevelChainedBatch = level.LevelChainedBatch;
type LevelIterator = level.LevelIterator;
type LevelIteratorOptions = level.LevelIteratorOptions;

type LevelCallback<T> = (cb: (err: Error | null | undefined, value?: T) => void) => void;

function call<T>(op: string, key: Buffer | undefined, fn: LevelCallback<T>): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    fn((err, value) => (err ? reject(new StoreError(BACKEND, op, err.message, key, { cause: err })) : resolve(value)));
  });
}

/**
 * The chained batch of the rocksdb binding itself, below levelup and
 * encoding-down. Keys and values here are Buffers in binary encoding, which
 * those layers pass through unchanged, yet each put through them costs an
 * object spread and two more wrappers: 0.95 against 0.47 µs per put to build a
 * 1000-put batch (measured on the development machine). Called once the store
 * is open, as every batch is.
 */
function bindingBatch(db: LevelDb): () => LevelChainedBatch {
  let layer: { batch(): LevelChainedBatch; readonly db?: unknown } = db;
  while (typeof layer.db === 'object' && layer.db !== null && typeof (layer.db as { batch?: unknown }).batch === 'function') {
    layer = layer.db as { batch(): LevelChainedBatch; readonly db?: unknown };
  }
  const bottom = layer;
  return () => bottom.batch();
}

export class RocksStore implements KVStore {
  readonly backend = BACKEND;
  private closed = false;
  private readonly locks = new KeyLocks();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly iterators = new Set<LevelIterator>();
  /** A new chained batch of the binding (bindingBatch). */
  private readonly newBatch: () => LevelChainedBatch;

  private constructor(
    private readonly db: LevelDb,
    /** The RocksDB directory. */
    readonly dir: string,
    private readonly getManyChunkKeys: number,
  ) {
    this.newBatch = bindingBatch(db);
  }

  /** Opens (creating if missing) the RocksDB directory `dir`. */
  static open(dir: string, options: RocksStoreOptions = {}): Promise<RocksStore> {
    const getManyChunkKeys = options.getManyChunkKeys ?? GET_MANY_CHUNK_KEYS;
    if (!Number.isSafeInteger(getManyChunkKeys) || getManyChunkKeys < 1) return Promise.reject(new RangeError(`rocksdb: getManyChunkKeys must be a positive integer (got ${getManyChunkKeys})`));
    mkdirSync(dir, { recursive: true });
    return new Promise((resolve, reject) => {
      level(
        dir,
        { keyEncoding: 'binary', valueEncoding: 'binary', createIfMissing: true, writeBufferSize: options.writeBufferBytes ?? ROCKS_WRITE_BUFFER_BYTES_DEFAULT },
        (err, db) => (err ? reject(new StoreError(BACKEND, 'open', `${dir}: ${err.message}`, undefined, { cause: err })) : resolve(new RocksStore(db, dir, getManyChunkKeys))),
      );
    });
  }

  /** Runs `fn` as a tracked operation: `close()` waits for it. */
  private track<T>(op: string, key: Buffer | undefined, fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreError(BACKEND, op, 'store is closed', key));
    let p: Promise<T>;
    try {
      p = fn();
    } catch (err) {
      return Promise.reject(err);
    }
    this.pending.add(p);
    const forget = (): void => void this.pending.delete(p);
    p.then(forget, forget);
    return p;
  }

  private rawGet(key: Buffer): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      this.db.get(key, (err, value) => {
        if (err && err.notFound === true) resolve(undefined);
        else if (err) reject(new StoreError(BACKEND, 'get', err.message, key, { cause: err }));
        else resolve(value);
      });
    });
  }

  private async rawPut(key: Buffer, value: Buffer): Promise<void> {
    await call('put', key, (cb) => this.db.put(key, value, {}, cb));
  }

  get(key: Buffer): Promise<Buffer | undefined> {
    return this.track('get', key, () => {
      checkKey(BACKEND, 'get', key);
      return withSpan('store.get', { backend: BACKEND, key_len: key.length }, async (span) => {
        const value = await this.rawGet(key);
        span.setAttribute('value_len', value?.length ?? -1);
        return value;
      });
    });
  }

  getMany(keyList: readonly Buffer[]): Promise<(Buffer | undefined)[]> {
    return this.track('getMany', undefined, () => {
      for (const key of keyList) checkKey(BACKEND, 'getMany', key);
      return withSpan('store.get_many', { backend: BACKEND, keys: keyList.length }, async () => {
        const chunks: Promise<(Buffer | undefined)[]>[] = [];
        for (let i = 0; i < keyList.length; i += this.getManyChunkKeys) {
          const chunk = keyList.slice(i, i + this.getManyChunkKeys);
          chunks.push(call<(Buffer | undefined)[]>('getMany', undefined, (cb) => this.db.getMany(chunk, cb)).then((v) => v ?? []));
        }
        return (await Promise.all(chunks)).flat();
      });
    });
  }

  put(key: Buffer, value: Buffer): Promise<void> {
    return this.track('put', key, () => {
      checkKey(BACKEND, 'put', key);
      checkValue(BACKEND, 'put', key, value);
      return withSpan('store.put', { backend: BACKEND, key_len: key.length, value_len: value.length }, () => this.locks.run([key], () => this.rawPut(key, value)));
    });
  }

  delete(key: Buffer): Promise<void> {
    return this.track('delete', key, () => {
      checkKey(BACKEND, 'delete', key);
      return withSpan('store.delete', { backend: BACKEND, key_len: key.length }, () =>
        this.locks.run([key], async () => void (await call('delete', key, (cb) => this.db.del(key, {}, cb)))),
      );
    });
  }

  batch(ops: readonly BatchOp[], options: BatchOptions = {}): Promise<void> {
    const sync = options.sync === true;
    // Let go once the binding's batch has copied them: while a batch is
    // written no op of it stays on the heap (BatchOpSource, kv-store.ts).
    const held: { ops: readonly BatchOp[] | undefined } = { ops };
    return this.track('batch', undefined, () => {
      checkBatch(BACKEND, held.ops!);
      return withSpan('store.batch', batchAttributes(BACKEND, held.ops!, options), () =>
        this.locks.runExclusive(async () => {
          // checkBatch has checked every key and value: the binding's own
          // `_put`/`_del` skip abstract-leveldown's second check of each.
          const b = this.newBatch();
          for (const op of held.ops!) {
            if (op.type === 'put') b._put(op.key, op.value);
            else b._del(op.key);
          }
          held.ops = undefined;
          await call('batch', undefined, (cb) => b.write({ sync }, cb));
        }),
      );
    });
  }

  flush(): Promise<void> {
    const marker = keys.meta(META_NAMES.flush);
    return this.track('flush', undefined, () =>
      withSpan('store.flush', { backend: BACKEND }, async () => void (await call('flush', undefined, (cb) => this.db.del(marker, { sync: true }, cb)))),
    );
  }

  fetchAndAddU64(key: Buffer, delta: bigint): Promise<bigint> {
    return this.track('fetchAndAddU64', key, () => {
      checkAddArgs(BACKEND, key, delta);
      return this.locks.run([key], async () => {
        const step = addStep(await this.rawGet(key), delta);
        if (!step.ok) throw new StoreError(BACKEND, 'fetchAndAddU64', step.reason, key);
        await this.rawPut(key, step.next);
        return step.previous;
      });
    });
  }

  compareAndSwapF32(key: Buffer, expected: number | undefined, next: number): Promise<boolean> {
    return this.track('compareAndSwapF32', key, () => {
      checkCasArgs(BACKEND, key, expected, next);
      return this.locks.run([key], async () => {
        const step = casStep(await this.rawGet(key), expected);
        if (!step.ok) throw new StoreError(BACKEND, 'compareAndSwapF32', step.reason, key);
        if (step.swap) await this.rawPut(key, encodeF32(next));
        return step.swap;
      });
    });
  }

  scanPrefix(prefix: Buffer, options: ScanOptions = {}): AsyncIterable<Entry> {
    return { [Symbol.asyncIterator]: () => this.iterate(prefix, options) };
  }

  private async *iterate(prefix: Buffer, options: ScanOptions): AsyncGenerator<Entry> {
    if (this.closed) throw new StoreError(BACKEND, 'scan', 'store is closed');
    const range = scanRange(BACKEND, prefix, options);
    if (range.empty || options.limit === 0) return;
    const iterOptions: LevelIteratorOptions = { reverse: options.reverse === true, limit: options.limit ?? -1 };
    if (range.lower !== undefined) iterOptions[range.lower.inclusive ? 'gte' : 'gt'] = range.lower.key;
    if (range.upper !== undefined) iterOptions[range.upper.inclusive ? 'lte' : 'lt'] = range.upper.key;
    const span = startScanSpan(BACKEND, prefix, options);
    const it = this.db.iterator(iterOptions);
    this.iterators.add(it);
    let entries = 0;
    let failure: unknown;
    try {
      for (;;) {
        const entry = await this.nextEntry(it);
        if (entry === undefined) return;
        entries++;
        yield entry;
      }
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      span.end(entries, failure);
      // Ending a native iterator is one more trip through the libuv pool (about
      // a fifth of a short scan's time, measured): the scan's caller goes on at
      // once, and close() waits for the end like any running operation.
      if (this.iterators.delete(it)) this.endInBackground(it);
    }
  }

  private nextEntry(it: LevelIterator): Promise<Entry | undefined> {
    if (!this.iterators.has(it)) return Promise.reject(new StoreError(BACKEND, 'scan', 'store closed during the scan'));
    return new Promise((resolve, reject) => {
      it.next((err, key, value) => {
        if (err) reject(new StoreError(BACKEND, 'scan', err.message, undefined, { cause: err }));
        else resolve(key === undefined ? undefined : [key, value!]);
      });
    });
  }

  private endInBackground(it: LevelIterator): void {
    const ended = endIterator(it);
    this.pending.add(ended);
    void ended.then(() => this.pending.delete(ended));
  }

  /** Waits for running operations, ends open scans and closes RocksDB. */
  /**
   * Every key as of now: the native iterator is created before this returns,
   * and a RocksDB iterator reads from the implicit snapshot taken at its
   * creation, so later writes never show through.
   */
  pinnedScan(): PinnedScan {
    if (this.closed) throw new StoreError(BACKEND, 'pinnedScan', 'store is closed');
    const it = this.db.iterator({ reverse: false, limit: -1 });
    this.iterators.add(it);
    const release = async (): Promise<void> => {
      if (this.iterators.delete(it)) await endIterator(it);
    };
    const iterate = async function* (self: RocksStore): AsyncGenerator<Entry> {
      try {
        for (;;) {
          const entry = await self.nextEntry(it);
          if (entry === undefined) return;
          yield entry;
        }
      } finally {
        await release();
      }
    };
    return { entries: iterate(this), release };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.pending]);
    const open = [...this.iterators];
    this.iterators.clear();
    await Promise.all(open.map(endIterator));
    await call('close', undefined, (cb) => this.db.close(cb));
  }
}

function endIterator(it: LevelIterator): Promise<void> {
  return new Promise((resolve) => it.end(() => resolve()));
}
