/**
 * Bytes a hybrid store holds, per key kind (tag): entry count, key bytes and
 * value bytes as stored (one pass over `dump()`), beside the bytes allocated
 * on disk per backend directory. The ingest bench reports it as "size by key
 * kind"; docs/STORAGE.md ("What the store costs") quotes it.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { open as openLmdb } from 'lmdb';
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
  /** How the LMDB file's pages are used (measureStoreDir only: read from the closed store). */
  readonly lmdbPages?: LmdbPages;
}

/** LMDB's own page counts (lmdb-js getStats()) of a store's data file. */
export interface LmdbPages {
  readonly pageSize: number;
  /** Pages of the data file (last page number + 1). */
  readonly file: number;
  readonly leaf: number;
  readonly branch: number;
  readonly overflow: number;
  /** Everything else: free pages (freed by the last commits, reused by the next), the free list and the two meta pages. */
  readonly other: number;
}

interface LmdbStats {
  readonly pageSize: number;
  readonly treeLeafPageCount: number;
  readonly treeBranchPageCount: number;
  readonly overflowPages: number;
  readonly lastPageNumber: number;
}

/** Page counts of the (closed) LMDB environment in `dir`, opened read-only. */
export async function lmdbPages(dir: string): Promise<LmdbPages> {
  const db = openLmdb({ path: dir, readOnly: true });
  try {
    const st = db.getStats() as LmdbStats;
    const file = st.lastPageNumber + 1;
    const tree = st.treeLeafPageCount + st.treeBranchPageCount + st.overflowPages;
    return { pageSize: st.pageSize, file, leaf: st.treeLeafPageCount, branch: st.treeBranchPageCount, overflow: st.overflowPages, other: file - tree };
  } finally {
    await db.close();
  }
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
  let measured: StoreBytes;
  try {
    measured = await measureStoreBytes(store, dir);
  } finally {
    await store.close();
  }
  return { ...measured, lmdbPages: await lmdbPages(join(dir, 'lmdb')) };
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
  const notes = [
    `Logical sizes are the keys and values as stored (before a backend's compression), read back with dump(); "on disk" is what each backend directory allocates with the store closed and reopened (at rest: RocksDB has moved its write-ahead log into a table file). Store on disk / log = ${round(store / logBytes, 2)}.`,
  ];
  const p = s.lmdbPages;
  if (p !== undefined) {
    const lmdbLogical = s.kinds.filter((k) => k.backend === 'lmdb').reduce((sum, k) => sum + k.keyBytes + k.valueBytes, 0);
    const leafBytes = p.leaf * p.pageSize;
    notes.push(
      `LMDB's file: ${p.file} pages of ${p.pageSize} bytes — ${p.leaf} leaf, ${p.branch} branch, ${p.overflow} overflow, and ${p.other} (${round((100 * p.other) / p.file, 1)}%) free pages (the ones the last commits freed), free list and meta pages; the leaf pages hold ${round(lmdbLogical / 1e6, 1)} MB of keys and values in ${round(leafBytes / 1e6, 1)} MB (docs/STORAGE.md "What the store costs").`,
    );
  }
  return {
    title: 'Size by key kind (bytes per record of the log)',
    columns: ['kind', 'backend', 'entries', 'key B/record', 'value B/record', 'total B/record'],
    rows,
    notes,
  };
}
