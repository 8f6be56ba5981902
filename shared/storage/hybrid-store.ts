/**
 * HybridStore: one KVStore over RocksDB (write-heavy tags) and LMDB
 * (read-heavy tags), routing every key by its tag (routing.ts, docs/STORAGE.md),
 * plus the exactly-once support ingest builds on.
 *
 * Exactly once (docs/STORAGE.md): `applyBatch(ops, appliedThrough)` commits
 * each backend's part together with that backend's own cursor in one atomic
 * batch: META cursor in RocksDB, LMETA cursor in LMDB. RocksDB commits first,
 * synced, and carries a redo intent (the LMDB half); LMDB commits second, and
 * its flush finishes before the next batch's RocksDB commit. So after a process
 * crash or a power loss LMDB is at RocksDB's cursor or exactly one batch behind
 * it with the intent that closes the gap, and the next open replays it before
 * serving. Any other disagreement is refused (StoreDivergedError) or, when
 * asked, rebuilt from nothing. A backend whose cursor is already at or past
 * `appliedThrough` skips its part: replaying the log never applies twice.
 *
 * Directory layout: `{dir}/rocksdb` and `{dir}/lmdb`. RocksDB's LOCK file makes
 * the whole directory single-process.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger } from '../telemetry/logger';
import { withSpan } from '../telemetry/tracing';
import { checkBatchOp, checkKey } from './arg-checks';
import { StoreDivergedError, StoreError, StoreFormatError } from './errors';
import type { BatchOp, BatchOpSource, Entry, KVStore, ScanOptions } from './kv-store';
import { LmdbStore } from './lmdb-store';
import { mergeScans } from './merge-scan';
import { encodeRedoIntent } from './redo-intent';
import type { ApplyResult, DumpEntry, HybridStoreHooks, HybridStoreOptions, StoreDurability } from './hybrid-store-options';
import { CURSOR_KEY, cursorValue, INTENT_KEY, LMDB_CURSOR_KEY, recover, type Cursors } from './store-recovery';
import { RocksStore } from './rocks-store';
import { checkStoreFormat, FORMAT_KEY, formatStampValue } from './store-format';
import { backendOfKey, backendsOfPrefix, type Backend } from './routing';
import { pinBackends, type StoreView } from './store-view';

const log = createLogger({ module: 'storage' });

export type { Cursors } from './store-recovery';
export type { StoreView } from './store-view';

export type { ApplyResult, DivergencePolicy, DumpEntry, HybridStoreHooks, HybridStoreOptions, StoreDurability } from './hybrid-store-options';

const RESERVED_KEYS = [CURSOR_KEY, INTENT_KEY, LMDB_CURSOR_KEY, FORMAT_KEY];
/** Their lengths: a key of another length is not one of them, without comparing bytes (a hot path of applyBatch). */
const RESERVED_KEY_LENGTHS = new Set(RESERVED_KEYS.map((k) => k.length));

/** Opens (creating if missing) the hybrid store in `dir`, finishing any interrupted batch first. */
export function openHybridStore(dir: string, options: HybridStoreOptions = {}): Promise<HybridStore> {
  return HybridStore.open(dir, options);
}

export class HybridStore implements KVStore {
  readonly backend = 'hybrid';
  private cursorState: { rocks: number; lmdb: number };
  /** The last applyBatch left an intent in RocksDB (cleared by the next batch or close). */
  private intentStored = false;
  /** An LMDB half failed after its RocksDB half committed: only a reopen can finish it. */
  private broken = false;
  private applyChain: Promise<unknown> = Promise.resolve();
  /** The last batch's LMDB flush, awaited before the next batch's RocksDB commit (and by flush/close). */
  private lmdbFlush: Promise<void> | undefined;
  private closed = false;
  /** Pinned views not yet released; close releases them. */
  private readonly views = new Set<StoreView>();

  private constructor(
    private readonly rocks: KVStore,
    private readonly lmdb: KVStore,
    cursors: Cursors,
    private readonly hooks: HybridStoreHooks,
    private readonly durability: StoreDurability,
    /** The store directory. */
    readonly dir: string,
    /** The store holds its format stamp (store-format.ts); the first applyBatch writes it otherwise. */
    private formatStamped: boolean,
  ) {
    this.cursorState = { ...cursors };
  }

  static async open(dir: string, options: HybridStoreOptions = {}): Promise<HybridStore> {
    try {
      return await HybridStore.openOnce(dir, options);
    } catch (err) {
      if (!(err instanceof StoreDivergedError || err instanceof StoreFormatError) || options.onDivergence !== 'rebuild') throw err;
      if (err instanceof StoreFormatError) log.warn('store written in another format; deleting both backends to rebuild from the log', { dir, found_format: err.found, expected_format: err.expected });
      else log.warn('store backends diverged; deleting both to rebuild from the log', { dir, rocks_cursor: err.rocksCursor, lmdb_cursor: err.lmdbCursor, intent_from: err.intent?.from, intent_to: err.intent?.to });
      await Promise.all([rm(join(dir, 'rocksdb'), { recursive: true, force: true }), rm(join(dir, 'lmdb'), { recursive: true, force: true })]);
      return HybridStore.openOnce(dir, options);
    }
  }

  private static async openOnce(dir: string, options: HybridStoreOptions): Promise<HybridStore> {
    const wrap = options.hooks?.wrapBackend ?? ((b: KVStore) => b);
    const rocks = wrap(await RocksStore.open(join(dir, 'rocksdb'), options.rocks));
    let lmdb: KVStore | undefined;
    try {
      lmdb = wrap(await LmdbStore.open(join(dir, 'lmdb')));
      const cursors = await recover(dir, rocks, lmdb);
      const stamped = await checkStoreFormat(dir, rocks, cursors.rocks);
      return new HybridStore(rocks, lmdb, cursors, options.hooks ?? {}, options.durability ?? 'sync', dir, stamped);
    } catch (err) {
      await Promise.allSettled([rocks.close(), lmdb?.close()]);
      throw err;
    }
  }

  private store(backend: Backend): KVStore {
    return backend === 'rocksdb' ? this.rocks : this.lmdb;
  }

  private storeOf(op: string, key: Buffer): KVStore {
    return this.store(route(op, key));
  }

  /** Which backend holds `key`. Throws a StoreError for bytes that are not a key. */
  backendOf(key: Buffer): Backend {
    return route('backendOf', key);
  }

  async get(key: Buffer): Promise<Buffer | undefined> {
    return this.storeOf('get', key).get(key);
  }

  async getMany(keyList: readonly Buffer[]): Promise<(Buffer | undefined)[]> {
    const rocksAt: number[] = [];
    const lmdbAt: number[] = [];
    keyList.forEach((key, i) => (route('getMany', key) === 'rocksdb' ? rocksAt : lmdbAt).push(i));
    const [fromRocks, fromLmdb] = await Promise.all([
      rocksAt.length === 0 ? [] : this.rocks.getMany(rocksAt.map((i) => keyList[i]!)),
      lmdbAt.length === 0 ? [] : this.lmdb.getMany(lmdbAt.map((i) => keyList[i]!)),
    ]);
    const out = new Array<Buffer | undefined>(keyList.length);
    rocksAt.forEach((at, j) => (out[at] = fromRocks[j]));
    lmdbAt.forEach((at, j) => (out[at] = fromLmdb[j]));
    return out;
  }

  async put(key: Buffer, value: Buffer): Promise<void> {
    return this.storeOf('put', key).put(key, value);
  }

  async delete(key: Buffer): Promise<void> {
    return this.storeOf('delete', key).delete(key);
  }

  /**
   * Key order across both backends. A prefix naming a whole tag reads one
   * backend; a wider one (a subject-only `{subject}\x00`) merges both scans.
   */
  scanPrefix(prefix: Buffer, options: ScanOptions = {}): AsyncIterable<Entry> {
    const backends = backendsOfPrefix(prefix);
    if (backends.length === 1) return this.store(backends[0]!).scanPrefix(prefix, options);
    return {
      [Symbol.asyncIterator]: () => mergeScans(this.rocks.scanPrefix(prefix, options), this.lmdb.scanPrefix(prefix, options), options.reverse === true, options.limit),
    };
  }

  /**
   * Atomic within each backend; RocksDB's part commits first. A crash between
   * the two commits can leave only the RocksDB part: ingest uses `applyBatch`,
   * whose redo intent closes that gap.
   */
  async batch(ops: readonly BatchOp[]): Promise<void> {
    const source = opListSource(ops);
    const { rocks, lmdb } = splitSource('batch', source, false);
    if (rocks.length > 0) await this.rocks.batch(opsAt(source, rocks));
    if (lmdb.length > 0) await this.lmdb.batch(opsAt(source, lmdb));
  }

  async flush(): Promise<void> {
    await this.lmdbFlush;
    await Promise.all([this.rocks.flush(), this.lmdb.flush()]);
  }

  async fetchAndAddU64(key: Buffer, delta: bigint): Promise<bigint> {
    return this.storeOf('fetchAndAddU64', key).fetchAndAddU64(key, delta);
  }

  async compareAndSwapF32(key: Buffer, expected: number | undefined, next: number): Promise<boolean> {
    return this.storeOf('compareAndSwapF32', key).compareAndSwapF32(key, expected, next);
  }

  /** The offsets each backend has applied through. Equal except after a lost LMDB commit. */
  cursors(): Cursors {
    return { ...this.cursorState };
  }

  /**
   * Applies a batch of log-derived ops that brings the store through
   * `appliedThrough` (a log offset, > 0, increasing from batch to batch), each
   * backend's part in one atomic batch with its cursor. A backend whose cursor
   * is already >= `appliedThrough` skips its part. Calls run one at a time in
   * call order. Ops must not touch the cursor or intent keys.
   */
  applyBatch(ops: readonly BatchOp[] | BatchOpSource, appliedThrough: number): Promise<ApplyResult> {
    // Durability (`sync`): this batch's RocksDB half, which carries the intent
    // from LMDB's cursor, becomes durable only after the previous batch's LMDB
    // half did (the awaited flush below), and LMDB commits only after RocksDB's
    // synced write: so LMDB is never durable ahead of RocksDB, nor more than
    // this one intent behind it. LMDB's flush overlaps with the next batch's work.
    const source = isOpList(ops) ? opListSource(ops) : ops;
    const run = this.applyChain.then(() => this.applyNow(source, appliedThrough));
    this.applyChain = run.catch(() => undefined);
    return run;
  }

  private applyNow(source: BatchOpSource, appliedThrough: number): Promise<ApplyResult> {
    if (this.closed) throw new StoreError('hybrid', 'applyBatch', 'store is closed');
    if (this.broken) throw new StoreError('hybrid', 'applyBatch', 'an earlier LMDB commit failed after its RocksDB half; reopen the store to replay the redo intent');
    if (!Number.isSafeInteger(appliedThrough) || appliedThrough <= 0) {
      throw new StoreError('hybrid', 'applyBatch', `appliedThrough must be an integer 1..2^53-1, got ${appliedThrough}`);
    }
    // Each backend's share as positions in `source`: its ops are made only
    // when that backend commits, and not held across a wait (BatchOpSource).
    const { rocks, lmdb } = splitSource('applyBatch', source);
    const doRocks = appliedThrough > this.cursorState.rocks;
    const doLmdb = appliedThrough > this.cursorState.lmdb;
    const attributes = { applied_through: appliedThrough, ops_rocks: doRocks ? rocks.length : 0, ops_lmdb: doLmdb ? lmdb.length : 0 };
    return withSpan('store.apply_batch', { ...attributes, durability: this.durability }, async () => {
      await this.awaitLmdbFlush();
      if (doRocks) await this.commitRocks(source, rocks, lmdb, appliedThrough, doLmdb);
      if (doLmdb) await this.commitLmdb(source, lmdb, appliedThrough);
      return { rocks: doRocks, lmdb: doLmdb };
    });
  }

  /** Waits for the previous batch's LMDB flush; a failed flush breaks the store like a failed commit. */
  private async awaitLmdbFlush(): Promise<void> {
    const pending = this.lmdbFlush;
    if (pending === undefined) return;
    try {
      await pending;
    } catch (err) {
      this.broken = true;
      throw err;
    } finally {
      if (this.lmdbFlush === pending) this.lmdbFlush = undefined;
    }
  }

  /** RocksDB's part of a batch: its share of `source`, its cursor, and the redo intent carrying LMDB's share (or the intent's removal). */
  private rocksPart(source: BatchOpSource, rocks: Int32Array, lmdb: Int32Array, appliedThrough: number, withIntent: boolean): BatchOp[] {
    const part: BatchOp[] = opsAt(source, rocks);
    part.push({ type: 'put', key: CURSOR_KEY, value: cursorValue(appliedThrough) });
    if (!this.formatStamped) part.push({ type: 'put', key: FORMAT_KEY, value: formatStampValue() });
    if (withIntent) {
      const intent = encodeRedoIntent({ fromCursor: this.cursorState.lmdb, toCursor: appliedThrough, ops: opsAt(source, lmdb) });
      part.push({ type: 'put', key: INTENT_KEY, value: intent });
    } else if (this.intentStored) {
      part.push({ type: 'delete', key: INTENT_KEY });
    }
    return part;
  }

  private async commitRocks(source: BatchOpSource, rocks: Int32Array, lmdb: Int32Array, appliedThrough: number, withIntent: boolean): Promise<void> {
    await this.rocks.batch(this.rocksPart(source, rocks, lmdb, appliedThrough, withIntent), { sync: this.durability === 'sync' });
    this.cursorState.rocks = appliedThrough;
    this.intentStored = withIntent;
    this.formatStamped = true;
  }

  private async commitLmdb(source: BatchOpSource, lmdb: Int32Array, appliedThrough: number): Promise<void> {
    try {
      await this.hooks.afterRocksCommit?.(appliedThrough);
      await this.lmdb.batch(withLmdbCursor(opsAt(source, lmdb), appliedThrough));
    } catch (err) {
      // The RocksDB half (and its intent) may be committed: only a reopen,
      // which replays the intent, makes the two backends agree again.
      if (this.intentStored) this.broken = true;
      throw err;
    }
    this.cursorState.lmdb = appliedThrough;
    if (this.durability === 'sync') {
      const flushed = this.lmdb.flush();
      flushed.catch(() => undefined); // awaited by the next batch, flush() or close()
      this.lmdbFlush = flushed;
    }
  }

  /**
   * Pins a consistent view of both backends at one applied offset: queued
   * behind the batch in flight (if any), taken in one turn of the event loop,
   * and ingest's next batch goes on at once (docs/SNAPSHOTS.md).
   */
  pinView(): Promise<StoreView> {
    const asked = performance.now();
    const run = this.applyChain.then(() => {
      if (this.closed) throw new StoreError('hybrid', 'pinView', 'store is closed');
      if (this.broken) throw new StoreError('hybrid', 'pinView', 'an earlier LMDB commit failed; reopen the store first');
      const view = pinBackends(this.rocks, this.lmdb, this.cursorState, INTENT_KEY, performance.now() - asked);
      const tracked: StoreView = { ...view, release: async () => (this.views.delete(tracked), view.release()) };
      this.views.add(tracked);
      return tracked;
    });
    this.applyChain = run.catch(() => undefined);
    return run;
  }

  /**
   * Every key and value of both backends: RocksDB's in key order, then LMDB's.
   * Deterministic for a given applied log: the transient redo intent is left out.
   */
  async *dump(): AsyncGenerator<DumpEntry> {
    for await (const [key, value] of this.rocks.scanPrefix(Buffer.alloc(0))) {
      if (!key.equals(INTENT_KEY) && !key.equals(FORMAT_KEY)) yield { backend: 'rocksdb', key, value };
    }
    for await (const [key, value] of this.lmdb.scanPrefix(Buffer.alloc(0))) yield { backend: 'lmdb', key, value };
  }

  /** Waits for running batches, clears a completed redo intent and closes both backends. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.applyChain;
    this.closed = true;
    await Promise.all([...this.views].map((v) => v.release()));
    try {
      await this.lmdbFlush;
      if (this.intentStored && !this.broken) await this.rocks.delete(INTENT_KEY);
    } finally {
      await Promise.all([this.rocks.close(), this.lmdb.close()]);
    }
  }
}

/** The backend of a key, or a StoreError naming the operation for bytes that are not a key. */
function route(op: string, key: Buffer): Backend {
  checkKey('hybrid', op, key);
  return routeChecked(op, key);
}

/** `route` for a key checkKey has passed. */
function routeChecked(op: string, key: Buffer): Backend {
  try {
    return backendOfKey(key);
  } catch (err) {
    throw new StoreError('hybrid', op, err instanceof Error ? err.message : String(err), key, { cause: err });
  }
}

/** An array of ops, not a BatchOpSource. */
function isOpList(ops: readonly BatchOp[] | BatchOpSource): ops is readonly BatchOp[] {
  return Array.isArray(ops);
}

function opListSource(ops: readonly BatchOp[]): BatchOpSource {
  return { size: ops.length, op: (i) => ops[i]!, key: (i) => ops[i]!.key };
}

/** LMDB's part of a batch: its share and its cursor. */
function withLmdbCursor(part: BatchOp[], appliedThrough: number): BatchOp[] {
  part.push({ type: 'put', key: LMDB_CURSOR_KEY, value: cursorValue(appliedThrough) });
  return part;
}

/** The ops of `source` at `positions`, in order. */
function opsAt(source: BatchOpSource, positions: Int32Array): BatchOp[] {
  const out: BatchOp[] = [];
  for (let i = 0; i < positions.length; i++) out.push(source.op(positions[i]!));
  return out;
}

/**
 * Checks every op (and, with `refuseReserved`, that none writes the cursor,
 * intent or format keys) and returns each backend's positions in source
 * order, in one pass. Checking the whole batch before either backend commits
 * keeps a bad op from leaving half a batch.
 */
function splitSource(op: string, source: BatchOpSource, refuseReserved = true): { rocks: Int32Array; lmdb: Int32Array } {
  const n = source.size;
  const at = new Int32Array(n);
  let rocksCount = 0;
  let lmdbEnd = n;
  for (let i = 0; i < n; i++) {
    let key: Buffer;
    if (source.buffersOnly === true) {
      key = source.key(i);
      checkKey('hybrid', 'batch', key);
    } else {
      const o = source.op(i);
      checkBatchOp('hybrid', o);
      key = o.key;
    }
    if (refuseReserved && RESERVED_KEY_LENGTHS.has(key.length) && RESERVED_KEYS.some((k) => k.equals(key))) {
      throw new StoreError('hybrid', op, 'ops must not write the cursor, intent or format keys', key);
    }
    // RocksDB's positions fill `at` from the front, LMDB's from the back.
    if (routeChecked(op, key) === 'rocksdb') at[rocksCount++] = i;
    else at[--lmdbEnd] = i;
  }
  return { rocks: at.subarray(0, rocksCount), lmdb: at.subarray(lmdbEnd).reverse() };
}
