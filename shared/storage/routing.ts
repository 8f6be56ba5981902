/**
 * Which backend holds a tag (docs/STORAGE.md "Routing"). LMDB (synchronous
 * memory-mapped reads, but a B-tree that allocates over twice its entries'
 * bytes) keeps what the common query and ingest's checks read one key at a
 * time or seek in (MV, SP, SUBJ, PS, CHILD, TRUST, GS, ...) and every tag not
 * listed here, including tags added later. RocksDB (LSM, prefix- and
 * snappy-compressed blocks at about 0.7× their logical bytes) keeps the
 * write-heavy tags (assertion bodies, counters) and the write-once indexes that
 * are only ever read as prefix scans: PV (a pair's or an assertion's votes,
 * read beside the H getMany that already goes to RocksDB), PO and REF (who
 * claims a value, who refers to an entity), ESC, SRC and SIGNER (listings).
 * Measured: docs/STORAGE.md "What the store costs". Moving a tag changes the
 * store format (store-format.ts).
 */
import { tagCode, tagCodeOf, tagOf } from './keys';

export type Backend = 'rocksdb' | 'lmdb';

/** Tags kept in RocksDB; every other tag is kept in LMDB. */
export const ROCKS_TAGS: ReadonlySet<string> = new Set(['H', 'VC', 'VW', 'E', 'SUPERSEDED', 'META', 'PENDING', 'SRC', 'SIGNER', 'PV', 'PO', 'REF', 'ESC']);

export function backendOfTag(tag: string): Backend {
  return ROCKS_TAGS.has(tag) ? 'rocksdb' : 'lmdb';
}

const ROCKS_TAG_CODES: ReadonlySet<number> = new Set([...ROCKS_TAGS].map(tagCode).filter((c) => c >= 0));

/** The backend a key belongs to, by its tag (its numeric code: no string per key). */
export function backendOfKey(key: Buffer): Backend {
  const code = tagCodeOf(key);
  if (code < 0) return backendOfTag(tagOf(key));
  return ROCKS_TAG_CODES.has(code) ? 'rocksdb' : 'lmdb';
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
