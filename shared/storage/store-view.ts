/**
 * A consistent read view of the whole hybrid store at one applied offset
 * (docs/SNAPSHOTS.md, "Consistency"): both backends pinned in the same turn of
 * the event loop, between two `applyBatch` calls, so the RocksDB part and the
 * LMDB part hold exactly the batches through the same cursor. What snapshots
 * copy; never a decoded value, only keys and bytes.
 */
import { StoreError } from './errors';
import type { Entry, KVStore, PinnedScan } from './kv-store';
import type { Cursors } from './store-recovery';

/** Both backends as they were at `appliedThrough`. Release it when done (the LMDB half holds a read transaction). */
export interface StoreView {
  /** The offset both backends had applied through when the view was pinned. */
  readonly appliedThrough: number;
  /** RocksDB's entries in key order, without the transient redo intent. */
  readonly rocks: AsyncIterable<Entry>;
  /** LMDB's entries in key order. */
  readonly lmdb: AsyncIterable<Entry>;
  /** How long the pin held up the next batch (ms): the ingest pause a snapshot costs. */
  readonly pauseMs: number;
  /** How long the pin waited for the batch in flight to commit (ms). */
  readonly waitMs: number;
  release(): Promise<void>;
}

/**
 * Pins both backends now. Called from inside the store's apply chain, so no
 * batch is half-committed; refuses a store whose cursors disagree.
 */
export function pinBackends(rocks: KVStore, lmdb: KVStore, cursors: Cursors, intentKey: Buffer, waitMs: number): StoreView {
  if (cursors.rocks !== cursors.lmdb) {
    throw new StoreError('hybrid', 'pinView', `the backends are at different offsets (RocksDB ${cursors.rocks}, LMDB ${cursors.lmdb}); reopen the store to finish the last batch`);
  }
  if (rocks.pinnedScan === undefined || lmdb.pinnedScan === undefined) throw new StoreError('hybrid', 'pinView', 'a backend cannot pin a point-in-time view');
  const started = performance.now();
  const rocksScan = rocks.pinnedScan();
  let lmdbScan: PinnedScan;
  try {
    lmdbScan = lmdb.pinnedScan();
  } catch (err) {
    void rocksScan.release();
    throw err;
  }
  const pauseMs = performance.now() - started;
  return {
    appliedThrough: cursors.rocks,
    rocks: withoutKey(rocksScan.entries, intentKey),
    lmdb: lmdbScan.entries,
    pauseMs,
    waitMs,
    release: async () => {
      await Promise.all([rocksScan.release(), lmdbScan.release()]);
    },
  };
}

async function* withoutKey(entries: AsyncIterable<Entry>, skip: Buffer): AsyncGenerator<Entry> {
  for await (const entry of entries) if (!entry[0].equals(skip)) yield entry;
}
