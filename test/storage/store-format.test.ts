/**
 * The store format stamp (shared/storage/store-format.ts): a new store is
 * stamped, a store with data and no stamp (written before it) or another
 * stamp is refused with StoreFormatError saying to rebuild, and
 * `onDivergence: 'rebuild'` rebuilds it; the stamp is neither dumped nor
 * writable through applyBatch.
 */
import { join } from 'node:path';
import { StoreError, StoreFormatError } from '../../shared/storage/errors';
import { openHybridStore } from '../../shared/storage/hybrid-store';
import { keys } from '../../shared/storage/keys';
import { encodeU64 } from '../../shared/storage/number-values';
import { RocksStore } from '../../shared/storage/rocks-store';
import { FORMAT_KEY, STORE_FORMAT_VERSION } from '../../shared/storage/store-format';
import { setLogSink } from '../../shared/telemetry/logger';
import { useTempDir } from '../helpers/tmp';
import { collect } from './stores';

const ID = Buffer.alloc(32, 0x11);
const put = (key: Buffer, value: string) => ({ type: 'put' as const, key, value: Buffer.from(value) });

describe('store format', () => {
  const tmp = useTempDir('stemedb-format-');
  let logLines: Record<string, unknown>[] = [];
  beforeAll(() => setLogSink({ write: (line) => void logLines.push(JSON.parse(line) as Record<string, unknown>) }));
  afterAll(() => setLogSink({ write: (line) => void process.stderr.write(line) }));
  beforeEach(() => {
    logLines = [];
  });

  /** A store applied through 100, closed, then its stamp set to `stamp` (undefined = removed) behind its back. */
  async function storeStamped(stamp: bigint | undefined): Promise<void> {
    const store = await openHybridStore(tmp.path);
    await store.applyBatch([put(keys.assertion(ID), 'h'), put(keys.subjectPredicate('ada', 'born', 0, ID), '')], 100);
    await store.close();
    const rocks = await RocksStore.open(join(tmp.path, 'rocksdb'));
    try {
      if (stamp === undefined) await rocks.delete(FORMAT_KEY);
      else await rocks.put(FORMAT_KEY, encodeU64(stamp));
    } finally {
      await rocks.close();
    }
  }

  it('a store is stamped with this build’s format by its first applyBatch, which dump() does not list', async () => {
    const store = await openHybridStore(tmp.path);
    await store.batch([put(keys.assertion(ID), 'h')]);
    await store.close();
    const before = await RocksStore.open(join(tmp.path, 'rocksdb'));
    try {
      expect(await before.get(FORMAT_KEY)).toBeUndefined();
    } finally {
      await before.close();
    }
    const applied = await openHybridStore(tmp.path);
    await applied.applyBatch([put(keys.subjectPredicate('ada', 'born', 0, ID), '')], 50);
    const dumped = (await collect(applied.dump())).map((e) => e.key);
    expect(dumped).toHaveLength(4); // H and META:cursor, SP and LMETA:cursor
    expect(dumped.some((k) => k.equals(FORMAT_KEY))).toBe(false);
    await applied.close();
    const rocks = await RocksStore.open(join(tmp.path, 'rocksdb'));
    try {
      expect(await rocks.get(FORMAT_KEY)).toEqual(encodeU64(BigInt(STORE_FORMAT_VERSION)));
    } finally {
      await rocks.close();
    }
    const again = await openHybridStore(tmp.path);
    await again.close();
  });

  it('a store with data and no stamp (written before it) is refused, saying to rebuild from the log', async () => {
    await storeStamped(undefined);
    const err = await openHybridStore(tmp.path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreFormatError);
    expect(err).toMatchObject({ dir: tmp.path, found: 1, expected: STORE_FORMAT_VERSION });
    expect((err as Error).message).toContain('Rebuild it from the log');
  });

  it('a store of the previous format (2: S and V kept, PV, PO, REF and ESC in LMDB) is refused', async () => {
    expect(STORE_FORMAT_VERSION).toBe(3);
    await storeStamped(2n);
    await expect(openHybridStore(tmp.path)).rejects.toMatchObject({ name: 'StoreFormatError', found: 2, expected: 3 });
  });

  it('a store of another format is refused; with onDivergence rebuild it is emptied and stamped anew', async () => {
    await storeStamped(BigInt(STORE_FORMAT_VERSION + 1));
    await expect(openHybridStore(tmp.path)).rejects.toMatchObject({ name: 'StoreFormatError', found: STORE_FORMAT_VERSION + 1 });
    const rebuilt = await openHybridStore(tmp.path, { onDivergence: 'rebuild' });
    try {
      expect(rebuilt.cursors()).toEqual({ rocks: 0, lmdb: 0 });
      expect(await collect(rebuilt.dump())).toEqual([]);
      expect(logLines).toContainEqual(expect.objectContaining({ level: 'warn', found_format: STORE_FORMAT_VERSION + 1, expected_format: STORE_FORMAT_VERSION }));
    } finally {
      await rebuilt.close();
    }
    const reopened = await openHybridStore(tmp.path);
    await reopened.close();
  });

  it('the stamp is reserved: applyBatch refuses to write it', async () => {
    const store = await openHybridStore(tmp.path);
    try {
      await expect(store.applyBatch([put(FORMAT_KEY, 'x')], 10)).rejects.toBeInstanceOf(StoreError);
      expect(store.cursors()).toEqual({ rocks: 0, lmdb: 0 });
    } finally {
      await store.close();
    }
  });
});
