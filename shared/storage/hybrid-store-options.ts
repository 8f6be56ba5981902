/** The HybridStore's options and result types (hybrid-store.ts; docs/STORAGE.md). */
import type { KVStore } from './kv-store';
import type { RocksStoreOptions } from './rocks-store';
import type { Backend } from './routing';

/** Which backends an `applyBatch` wrote; false = skipped, already applied. */
export interface ApplyResult {
  readonly rocks: boolean;
  readonly lmdb: boolean;
}

/** One key/value of `dump()`. */
export interface DumpEntry {
  readonly backend: Backend;
  readonly key: Buffer;
  readonly value: Buffer;
}

/** Test seams. Production code passes none. */
export interface HybridStoreHooks {
  /**
   * Called after the RocksDB half of an `applyBatch` committed and before the
   * LMDB half. Throwing simulates a crash at that point: the LMDB half is not
   * written and the store refuses further batches until it is reopened.
   */
  readonly afterRocksCommit?: (appliedThrough: number) => void | Promise<void>;
  /**
   * Wraps each backend as it is opened (a fault-injecting layer that records
   * writes and their durability, for the power-loss test).
   */
  readonly wrapBackend?: (backend: KVStore) => KVStore;
}

/**
 * `sync`: every applyBatch's RocksDB half is a synced write and LMDB's half is
 * flushed before the next batch commits, so a power loss leaves a state the
 * redo intent can finish. `none`: commits are only visible (process crashes
 * stay exact; a power loss may leave a store that open refuses): benchmarks only.
 */
export type StoreDurability = 'sync' | 'none';

/** What open does with backends that hold different prefixes of the log. */
export type DivergencePolicy = 'refuse' | 'rebuild';

export interface HybridStoreOptions {
  readonly rocks?: RocksStoreOptions;
  /** @default 'sync' */
  readonly durability?: StoreDurability;
  /**
   * `refuse` throws StoreDivergedError; `rebuild` logs it, deletes both
   * backends and opens an empty store (ingest then replays the whole log).
   * @default 'refuse'
   */
  readonly onDivergence?: DivergencePolicy;
  /** @default none */
  readonly hooks?: HybridStoreHooks;
}

