/**
 * The store variants the KVStore contract runs against. Each names the keys it
 * uses, built by the codec: a kind whose text component orders like the name.
 * The hybrid store runs twice, once per backend its keys route to.
 */
import { join } from 'node:path';
import type { KVStore } from '../../shared/storage/kv-store';
import { openHybridStore } from '../../shared/storage/hybrid-store';
import { keys, prefixes } from '../../shared/storage/keys';
import { LmdbStore } from '../../shared/storage/lmdb-store';
import { RocksStore } from '../../shared/storage/rocks-store';

export interface StoreVariant {
  readonly name: string;
  open(dir: string): Promise<KVStore>;
  /** A key whose order among the variant's keys is the order of `name`. */
  key(name: string): Buffer;
  /** The prefix every `key(...)` starts with. */
  readonly prefix: Buffer;
  /** A key just outside `prefix`, sorting after all of its keys. */
  readonly neighbour: Buffer;
}

const epochKeys = { key: (name: string) => keys.epoch(name), prefix: prefixes.kind('epoch'), neighbour: keys.assertion(Buffer.alloc(32, 0)) };
const viewKeys = { key: (name: string) => keys.view('ada', 'born', name), prefix: prefixes.views('ada', 'born'), neighbour: keys.view('ada', 'borne', 'x') };

export const STORE_VARIANTS: readonly StoreVariant[] = [
  { name: 'RocksStore', open: (dir) => RocksStore.open(join(dir, 'rocks')), ...epochKeys },
  // A chunk size that divides none of the contract's getMany sizes (the id index reads in chunks of 1024).
  { name: 'RocksStore (getMany in chunks of 7)', open: (dir) => RocksStore.open(join(dir, 'rocks'), { getManyChunkKeys: 7 }), ...epochKeys },
  { name: 'LmdbStore', open: (dir) => LmdbStore.open(join(dir, 'lmdb')), ...epochKeys },
  { name: 'HybridStore (keys in RocksDB)', open: (dir) => openHybridStore(dir), ...epochKeys },
  { name: 'HybridStore (keys in LMDB)', open: (dir) => openHybridStore(dir), ...viewKeys },
];

/** Every entry of a scan, in order (for tests; production code streams). */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

export function names(n: number, width = 6): string[] {
  return Array.from({ length: n }, (_, i) => `k${String(i).padStart(width, '0')}`);
}
