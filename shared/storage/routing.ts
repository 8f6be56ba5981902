/**
 * Which backend holds a tag (docs/STORAGE.md "Routing"). RocksDB (LSM) takes the
 * write-heavy tags: each record rewrites them (votes, counters) or appends to
 * them (assertion bodies), and the two write-once listing indexes that neither
 * a resolution nor a query reads (SRC for BySource, SIGNER for BySigner), whose
 * 32-byte ids cost about 0.7× their bytes in RocksDB's prefix- and
 * snappy-compressed blocks and over twice their bytes in LMDB's B-tree
 * (measured: docs/STORAGE.md "What the store costs"). LMDB (synchronous
 * memory-mapped reads) takes what a resolution, a query or an ingest check
 * reads (MV, SP, PV, PO, REF, SUBJ, PS, CHILD, ...) and everything else,
 * including tags added later. Moving a tag changes the store format
 * (store-format.ts).
 */
import { tagOf } from './keys';

export type Backend = 'rocksdb' | 'lmdb';

/** Tags kept in RocksDB; every other tag is kept in LMDB. */
export const ROCKS_TAGS: ReadonlySet<string> = new Set(['H', 'V', 'VC', 'VW', 'E', 'SUPERSEDED', 'META', 'PENDING', 'SRC', 'SIGNER']);

export function backendOfTag(tag: string): Backend {
  return ROCKS_TAGS.has(tag) ? 'rocksdb' : 'lmdb';
}

/** The backend a key belongs to, by its tag. */
export function backendOfKey(key: Buffer): Backend {
  return backendOfTag(tagOf(key));
}

/**
 * The backends that can hold keys starting with `prefix`: one when the prefix
 * spells out a whole tag (`…\x00SP:`), both otherwise (a subject-only prefix
 * `{subject}\x00`, the global prefix, a partial tag, the empty prefix).
 */
export function backendsOfPrefix(prefix: Buffer): readonly Backend[] {
  if (prefix.length === 0) return BOTH;
  let start = 1;
  if (prefix[0] !== 0x00) {
    const nul = prefix.indexOf(0x00);
    if (nul < 0) return BOTH;
    start = nul + 1;
  }
  const colon = prefix.indexOf(0x3a, start);
  if (colon < 0) return BOTH;
  return [backendOfTag(prefix.toString('latin1', start, colon))];
}

const BOTH: readonly Backend[] = ['rocksdb', 'lmdb'];
