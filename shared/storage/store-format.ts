/**
 * The store format stamp (docs/STORAGE.md, "Store format"): which tag lives in
 * which backend and how the graph's values are encoded. A store is stamped
 * with STORE_FORMAT_VERSION by its first applyBatch; a store holding data under
 * another stamp (or none: every store written before the stamp existed is
 * format 1) is refused with StoreFormatError, never read through the wrong
 * routing or codec.
 */
import { StoreError, StoreFormatError } from './errors';
import { keys, META_NAMES } from './keys';
import type { KVStore } from './kv-store';
import { encodeU64, U64_VALUE_BYTES } from './number-values';

/**
 * 1: before the stamp (ESC held JSON resolutions, MV version 1, SRC and SIGNER
 * lived in LMDB). 2: compact ESC values, MV version 2, SRC and SIGNER in RocksDB.
 * 3: no S index and no V (PV is the only home of votes); PV, PO, REF and ESC
 * in RocksDB.
 */
export const STORE_FORMAT_VERSION = 3;

/** What a store without a stamp was written in. */
const UNSTAMPED_FORMAT = 1;

/** RocksDB's META:format, u64 big-endian. */
export const FORMAT_KEY = keys.meta(META_NAMES.format);

/** The stamp's value: STORE_FORMAT_VERSION, u64 big-endian. */
export function formatStampValue(): Buffer {
  return encodeU64(BigInt(STORE_FORMAT_VERSION));
}

/**
 * Checks the stamp of a store whose RocksDB half has applied the log through
 * `appliedThrough` (0 = nothing) and says whether it is stamped. A store that
 * has applied nothing and has no stamp is new: the first applyBatch stamps it,
 * in the same atomic RocksDB batch as its data and cursor. One that applied
 * something without a stamp was written before the stamp existed (format 1);
 * it and a store of any other format are refused.
 */
export async function checkStoreFormat(dir: string, rocks: KVStore, appliedThrough: number): Promise<boolean> {
  const stored = await rocks.get(FORMAT_KEY);
  if (stored === undefined) {
    if (appliedThrough > 0) throw new StoreFormatError(dir, UNSTAMPED_FORMAT, STORE_FORMAT_VERSION);
    return false;
  }
  if (stored.length !== U64_VALUE_BYTES) throw new StoreError(rocks.backend, 'open', `store format is ${stored.length} bytes, not ${U64_VALUE_BYTES}`, FORMAT_KEY);
  const found = stored.readBigUInt64BE(0);
  if (found !== BigInt(STORE_FORMAT_VERSION)) throw new StoreFormatError(dir, found > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(found), STORE_FORMAT_VERSION);
  return true;
}
