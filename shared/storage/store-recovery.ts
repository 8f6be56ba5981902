/**
 * The hybrid store's cursors and its recovery on open (docs/STORAGE.md,
 * "Durability: what a power loss can leave"): each backend's applied-through
 * cursor, the redo intent that finishes a batch cut between the two commits,
 * and the rule that any other disagreement is refused (StoreDivergedError).
 */
import { createLogger } from '../telemetry/logger';
import { StoreDivergedError, StoreError } from './errors';
import { keys, META_NAMES } from './keys';
import type { KVStore } from './kv-store';
import { encodeU64, U64_VALUE_BYTES } from './number-values';
import { decodeRedoIntent } from './redo-intent';

const log = createLogger({ module: 'storage' });

/** Offsets each backend has applied the log through (0 = nothing yet). */
export interface Cursors {
  readonly rocks: number;
  readonly lmdb: number;
}

export const CURSOR_KEY = keys.meta(META_NAMES.cursor);
export const INTENT_KEY = keys.meta(META_NAMES.intent);
export const LMDB_CURSOR_KEY = keys.lmdbMeta(META_NAMES.cursor);

export function cursorValue(offset: number): Buffer {
  return encodeU64(BigInt(offset));
}

async function readCursor(store: KVStore, key: Buffer): Promise<number> {
  const value = await store.get(key);
  if (value === undefined) return 0;
  if (value.length !== U64_VALUE_BYTES) throw new StoreError(store.backend, 'open', `cursor is ${value.length} bytes, not ${U64_VALUE_BYTES}`, key);
  const offset = value.readBigUInt64BE(0);
  if (offset > BigInt(Number.MAX_SAFE_INTEGER)) throw new StoreError(store.backend, 'open', `cursor ${offset} is above 2^53-1`, key);
  return Number(offset);
}

/**
 * Finishes a batch a crash interrupted: replays the redo intent into LMDB when
 * LMDB stopped exactly before it, then clears it. Any other disagreement of the
 * cursors is a gap the intent cannot bridge: StoreDivergedError. Returns the
 * cursors to serve with.
 */
export async function recover(dir: string, rocks: KVStore, lmdb: KVStore): Promise<Cursors> {
  const rocksCursor = await readCursor(rocks, CURSOR_KEY);
  let lmdbCursor = await readCursor(lmdb, LMDB_CURSOR_KEY);
  const stored = await rocks.get(INTENT_KEY);
  const intent = stored === undefined ? undefined : decodeRedoIntent(stored);
  const diverged = (): StoreDivergedError => new StoreDivergedError(dir, rocksCursor, lmdbCursor, intent === undefined ? undefined : { from: intent.fromCursor, to: intent.toCursor });
  if (intent !== undefined && intent.toCursor > lmdbCursor) {
    // The intent is written with RocksDB's cursor: it can only finish LMDB's
    // half of that same batch, on top of exactly the cursor it was made from.
    if (intent.fromCursor !== lmdbCursor || intent.toCursor !== rocksCursor) throw diverged();
    await lmdb.batch([...intent.ops, { type: 'put', key: LMDB_CURSOR_KEY, value: cursorValue(intent.toCursor) }], { sync: true });
    log.info('replayed the redo intent into LMDB', { from_cursor: intent.fromCursor, to_cursor: intent.toCursor, ops: intent.ops.length });
    lmdbCursor = intent.toCursor;
  }
  if (rocksCursor !== lmdbCursor) throw diverged();
  if (intent !== undefined) await rocks.delete(INTENT_KEY);
  return { rocks: rocksCursor, lmdb: lmdbCursor };
}
