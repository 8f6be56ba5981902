/**
 * Bytes a hybrid store holds, per key kind (tag): entry count, key bytes and
 * value bytes as stored (one pass over `dump()`), beside the bytes allocated
 * on disk per backend directory. The ingest bench reports it as "size by key
 * kind"; docs/STORAGE.md ("What the store costs") quotes it.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openHybridStore, type HybridStore } from '../../shared/storage/hybrid-store';
import { tagOf } from '../../shared/storage/keys';
import type { Backend } from '../../shared/storage/routing';
import type { Table } from './results';
import { round } from './results';

export interface KindBytes {
  readonly tag: string;
  readonly backend: Backend;
  readonly entries: number;
  readonly keyBytes: number;
  readonly valueBytes: number;
}

export interface StoreBytes {
  /** One row per (tag, backend), largest key + value bytes first. */
  readonly kinds: readonly KindBytes[];
  /** Allocated bytes under `{dir}/rocksdb` and `{dir}/lmdb`. */
  readonly disk: Readonly<Record<Backend, number>>;
}

/** Bytes allocated on disk under `dir` (sparse files count what they use). */
export function diskBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    total += st.isDirectory() ? diskBytes(path) : st.blocks * 512;
  }
  return total;
}

/** Counts every entry of `store` by tag; `dir` is the store's directory (for the on-disk figures). */
export async function measureStoreBytes(store: HybridStore, dir: string): Promise<StoreBytes> {
  const byKind = new Map<string, { tag: string; backend: Backend; entries: number; keyBytes: number; valueBytes: number }>();
  for await (const { backend, key, value } of store.dump()) {
    const tag = tagOf(key);
    const id = `${tag}/${backend}`;
    let k = byKind.get(id);
    if (k === undefined) byKind.set(id, (k = { tag, backend, entries: 0, keyBytes: 0, valueBytes: 0 }));
    k.entries++;
    k.keyBytes += key.length;
    k.valueBytes += value.length;
  }
  const kinds = [...byKind.values()].sort((a, b) => b.keyBytes + b.valueBytes - (a.keyBytes + a.valueBytes) || a.tag.localeCompare(b.tag));
  return { kinds, disk: { rocksdb: diskBytes(join(dir, 'rocksdb')), lmdb: diskBytes(join(dir, 'lmdb')) } };
}

/** Opens the (closed) store in `dir`, measures it and closes it again. */
export async function measureStoreDir(dir: string): Promise<StoreBytes> {
  const store = await openHybridStore(dir);
  try {
    return await measureStoreBytes(store, dir);
  } finally {
    await store.close();
  }
}

/**
 * The "size by key kind" table: per tag its entries, key and value bytes per
 * record of the log, then per backend the logical total beside what the
 * backend allocated on disk, and the store against the log.
 */
export function storeBytesTable(s: StoreBytes, records: number, logBytes: number): Table {
  const perRecord = (b: number): number => round(b / records, 1);
  const rows: (string | number)[][] = s.kinds.map((k) => [k.tag, k.backend, k.entries, perRecord(k.keyBytes), perRecord(k.valueBytes), perRecord(k.keyBytes + k.valueBytes)]);
  for (const backend of ['rocksdb', 'lmdb'] as const) {
    const logical = s.kinds.filter((k) => k.backend === backend).reduce((sum, k) => sum + k.keyBytes + k.valueBytes, 0);
    rows.push([`all ${backend}`, backend, s.kinds.filter((k) => k.backend === backend).reduce((n, k) => n + k.entries, 0), '', '', perRecord(logical)]);
    rows.push([`${backend}/ on disk`, backend, '', '', '', perRecord(s.disk[backend])]);
  }
  const store = s.disk.rocksdb + s.disk.lmdb;
  rows.push(['store on disk (both)', '', '', '', '', perRecord(store)]);
  rows.push(['log (WAL) bytes', '', records, '', '', perRecord(logBytes)]);
  return {
    title: 'Size by key kind (bytes per record of the log)',
    columns: ['kind', 'backend', 'entries', 'key B/record', 'value B/record', 'total B/record'],
    rows,
    notes: [
      `Logical sizes are the keys and values as stored (before a backend's compression), read back with dump(); "on disk" is what each backend directory allocates after the final flush. Store on disk / log = ${round(store / logBytes, 2)}.`,
    ],
  };
}
