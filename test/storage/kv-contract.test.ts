/**
 * The KVStore contract, run against RocksStore, LmdbStore and HybridStore.
 */
import { KVStore } from '../../shared/storage/kv-store';
import { StoreError } from '../../shared/storage/errors';
import { GET_MANY_CHUNK_KEYS, SCAN_CHUNK_ENTRIES, U64_MAX } from '../../shared/storage/limits';
import { encodeU64 } from '../../shared/storage/number-values';
import { RocksStore } from '../../shared/storage/rocks-store';
import { useTempDir } from '../helpers/tmp';
import { collect, names, STORE_VARIANTS } from './stores';

const v = (s: string): Buffer => Buffer.from(s);

describe.each(STORE_VARIANTS)('KVStore contract: $name', (variant) => {
  const tmp = useTempDir('stemedb-kv-');
  let store: KVStore;
  const k = variant.key;

  beforeEach(async () => {
    store = await variant.open(tmp.path);
  });
  afterEach(async () => {
    await store.close();
  });

  async function keysOf(iterable: AsyncIterable<[Buffer, Buffer]>): Promise<Buffer[]> {
    return (await collect(iterable)).map(([key]) => key);
  }

  async function putAll(list: string[]): Promise<void> {
    await store.batch(list.map((name) => ({ type: 'put' as const, key: k(name), value: v(name) })));
  }

  describe('point reads and writes', () => {
    it('get of an absent key is undefined; put, overwrite and delete are visible once resolved', async () => {
      expect(await store.get(k('a'))).toBeUndefined();
      await store.put(k('a'), v('1'));
      expect(await store.get(k('a'))).toEqual(v('1'));
      await store.put(k('a'), v('2'));
      expect(await store.get(k('a'))).toEqual(v('2'));
      await store.delete(k('a'));
      expect(await store.get(k('a'))).toBeUndefined();
    });

    it('deleting an absent key succeeds', async () => {
      await expect(store.delete(k('never'))).resolves.toBeUndefined();
    });

    it('stores an empty value as present and empty', async () => {
      await store.put(k('e'), Buffer.alloc(0));
      expect(await store.get(k('e'))).toEqual(Buffer.alloc(0));
    });

    it('a value read earlier does not change when the key is overwritten', async () => {
      await store.put(k('a'), v('first'));
      const before = await store.get(k('a'));
      await store.put(k('a'), v('other'));
      expect(before).toEqual(v('first'));
    });

    it.each([GET_MANY_CHUNK_KEYS - 1, GET_MANY_CHUNK_KEYS, GET_MANY_CHUNK_KEYS + 1, 3 * GET_MANY_CHUNK_KEYS + 5])(
      'getMany of %i keys answers in the order asked, undefined for absent keys',
      async (n) => {
        const all = names(n);
        const present = all.filter((_, i) => i % 3 !== 0);
        await putAll(present);
        const asked = [...all].reverse();
        const got = await store.getMany(asked.map(k));
        expect(got).toEqual(asked.map((name) => (present.includes(name) ? v(name) : undefined)));
      },
    );

    it('a RocksStore refuses a getMany chunk that is not a positive integer', async () => {
      for (const bad of [0, -1, 1.5, Number.NaN]) await expect(RocksStore.open(`${tmp.path}/chunk`, { getManyChunkKeys: bad })).rejects.toThrow(/getManyChunkKeys must be a positive integer/);
    });

    it('rejects a key that is not a non-empty Buffer with a StoreError', async () => {
      await expect(store.get(Buffer.alloc(0))).rejects.toBeInstanceOf(StoreError);
      await expect(store.put('text' as unknown as Buffer, v('x'))).rejects.toBeInstanceOf(StoreError);
    });
  });

  describe('scanPrefix', () => {
    const list = names(20, 2);

    beforeEach(async () => {
      await putAll([...list].reverse());
      await store.put(variant.neighbour, v('outside'));
    });

    it('yields every key with the prefix, in key order, and nothing outside it', async () => {
      const entries = await collect(store.scanPrefix(variant.prefix));
      expect(entries.map(([key]) => key)).toEqual(list.map(k));
      expect(entries.map(([, value]) => value.toString())).toEqual(list);
    });

    it('reverse yields descending order', async () => {
      expect(await keysOf(store.scanPrefix(variant.prefix, { reverse: true }))).toEqual([...list].reverse().map(k));
    });

    it('limit stops after that many entries, in either direction', async () => {
      expect(await keysOf(store.scanPrefix(variant.prefix, { limit: 3 }))).toEqual(list.slice(0, 3).map(k));
      expect(await keysOf(store.scanPrefix(variant.prefix, { limit: 3, reverse: true }))).toEqual(list.slice(-3).reverse().map(k));
      expect(await keysOf(store.scanPrefix(variant.prefix, { limit: 0 }))).toEqual([]);
    });

    it('gt resumes after a key forward, lt resumes before it in reverse', async () => {
      expect(await keysOf(store.scanPrefix(variant.prefix, { gt: k(list[4]!), limit: 2 }))).toEqual([k(list[5]!), k(list[6]!)]);
      expect(await keysOf(store.scanPrefix(variant.prefix, { lt: k(list[4]!), reverse: true, limit: 2 }))).toEqual([k(list[3]!), k(list[2]!)]);
    });

    it('gte and lte are inclusive bounds inside the prefix', async () => {
      expect(await keysOf(store.scanPrefix(variant.prefix, { gte: k(list[3]!), lte: k(list[5]!) }))).toEqual(list.slice(3, 6).map(k));
      expect(await keysOf(store.scanPrefix(variant.prefix, { gte: k(list[3]!), lte: k(list[5]!), reverse: true }))).toEqual(list.slice(3, 6).reverse().map(k));
    });

    it('bounds outside the prefix never widen it', async () => {
      expect(await keysOf(store.scanPrefix(variant.prefix, { lte: variant.neighbour }))).toEqual(list.map(k));
      expect(await keysOf(store.scanPrefix(variant.prefix, { gt: variant.neighbour }))).toEqual([]);
    });

    it('rejects two lower bounds and a negative limit', async () => {
      await expect(collect(store.scanPrefix(variant.prefix, { gt: k('a'), gte: k('a') }))).rejects.toBeInstanceOf(StoreError);
      await expect(collect(store.scanPrefix(variant.prefix, { limit: -1 }))).rejects.toBeInstanceOf(StoreError);
    });
  });

  it.each([SCAN_CHUNK_ENTRIES - 1, SCAN_CHUNK_ENTRIES, SCAN_CHUNK_ENTRIES + 1, 2 * SCAN_CHUNK_ENTRIES + 1])(
    'a scan over %i keys crosses chunk boundaries without losing or repeating a key',
    async (n) => {
      const list = names(n);
      await putAll(list);
      expect(await keysOf(store.scanPrefix(variant.prefix))).toEqual(list.map(k));
      expect(await keysOf(store.scanPrefix(variant.prefix, { reverse: true }))).toEqual([...list].reverse().map(k));
      expect(await keysOf(store.scanPrefix(variant.prefix, { limit: SCAN_CHUNK_ENTRIES }))).toEqual(list.slice(0, SCAN_CHUNK_ENTRIES).map(k));
    },
  );

  describe('batch', () => {
    it('applies ops in order: the later op on a key wins', async () => {
      await store.put(k('b'), v('old'));
      await store.batch([
        { type: 'put', key: k('a'), value: v('1') },
        { type: 'delete', key: k('a') },
        { type: 'delete', key: k('b') },
        { type: 'put', key: k('b'), value: v('2') },
        { type: 'put', key: k('c'), value: v('3') },
      ]);
      expect(await store.getMany([k('a'), k('b'), k('c')])).toEqual([undefined, v('2'), v('3')]);
    });

    it('a batch with an invalid op writes nothing', async () => {
      const bad = [
        { type: 'put' as const, key: k('a'), value: v('1') },
        { type: 'put' as const, key: Buffer.alloc(0), value: v('2') },
      ];
      await expect(store.batch(bad)).rejects.toBeInstanceOf(StoreError);
      expect(await store.get(k('a'))).toBeUndefined();
    });
  });

  describe('fetchAndAddU64', () => {
    it('starts from 0, returns the previous value and stores u64 big-endian', async () => {
      expect(await store.fetchAndAddU64(k('n'), 5n)).toBe(0n);
      expect(await store.fetchAndAddU64(k('n'), 2n)).toBe(5n);
      expect(await store.get(k('n'))).toEqual(encodeU64(7n));
      expect(await store.fetchAndAddU64(k('n'), -7n)).toBe(7n);
      expect(await store.get(k('n'))).toEqual(Buffer.alloc(8));
    });

    it('concurrent increments are exact and each sees a distinct previous value', async () => {
      const n = 300;
      const previous = await Promise.all(Array.from({ length: n }, () => store.fetchAndAddU64(k('n'), 1n)));
      expect([...previous].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(Array.from({ length: n }, (_, i) => BigInt(i)));
      expect(await store.get(k('n'))).toEqual(encodeU64(BigInt(n)));
    });

    it('increments interleaved with puts of other keys in batches stay exact', async () => {
      const adds = Array.from({ length: 50 }, (_, i) =>
        Promise.all([store.fetchAndAddU64(k('n'), 2n), store.batch([{ type: 'put', key: k(`x${i}`), value: v('x') }])]),
      );
      await Promise.all(adds);
      expect(await store.get(k('n'))).toEqual(encodeU64(100n));
    });

    it('refuses to go below 0 or above 2^64-1 and leaves the value unchanged', async () => {
      await store.fetchAndAddU64(k('n'), 3n);
      await expect(store.fetchAndAddU64(k('n'), -4n)).rejects.toBeInstanceOf(StoreError);
      expect(await store.fetchAndAddU64(k('n'), -3n)).toBe(3n);
      expect(await store.fetchAndAddU64(k('m'), U64_MAX - 1n)).toBe(0n);
      expect(await store.fetchAndAddU64(k('m'), 1n)).toBe(U64_MAX - 1n);
      await expect(store.fetchAndAddU64(k('m'), 1n)).rejects.toBeInstanceOf(StoreError);
      expect(await store.get(k('m'))).toEqual(encodeU64(U64_MAX));
    });

    it('refuses a stored value that is not 8 bytes', async () => {
      await store.put(k('n'), Buffer.alloc(7));
      await expect(store.fetchAndAddU64(k('n'), 1n)).rejects.toThrow(/7 bytes/);
    });
  });

  describe('compareAndSwapF32', () => {
    it('expected undefined swaps only when the key is absent', async () => {
      expect(await store.compareAndSwapF32(k('f'), undefined, 0.5)).toBe(true);
      expect(await store.compareAndSwapF32(k('f'), undefined, 0.75)).toBe(false);
      const stored = Buffer.alloc(4);
      stored.writeFloatBE(0.5);
      expect(await store.get(k('f'))).toEqual(stored);
    });

    it('swaps when the stored f32 equals expected rounded to f32, and not otherwise', async () => {
      expect(await store.compareAndSwapF32(k('f'), 0, 1)).toBe(false);
      await store.compareAndSwapF32(k('f'), undefined, 0.1);
      expect(await store.compareAndSwapF32(k('f'), 0.2, 0.3)).toBe(false);
      expect(await store.compareAndSwapF32(k('f'), 0.1, 0.3)).toBe(true);
      expect(await store.compareAndSwapF32(k('f'), Math.fround(0.3), -0)).toBe(true);
      expect(await store.compareAndSwapF32(k('f'), 0, 2)).toBe(true);
    });

    it('concurrent compare-and-swap retry loops never lose an update', async () => {
      await store.compareAndSwapF32(k('f'), undefined, 0);
      const bump = async (): Promise<void> => {
        for (;;) {
          const cur = (await store.get(k('f')))!.readFloatBE(0);
          if (await store.compareAndSwapF32(k('f'), cur, cur + 1)) return;
        }
      };
      await Promise.all(Array.from({ length: 40 }, bump));
      expect((await store.get(k('f')))!.readFloatBE(0)).toBe(40);
    });

    it('rejects non-finite numbers and values that overflow f32', async () => {
      await expect(store.compareAndSwapF32(k('f'), undefined, Number.NaN)).rejects.toBeInstanceOf(StoreError);
      await expect(store.compareAndSwapF32(k('f'), Number.POSITIVE_INFINITY, 1)).rejects.toBeInstanceOf(StoreError);
      await expect(store.compareAndSwapF32(k('f'), undefined, 1e39)).rejects.toBeInstanceOf(StoreError);
      expect(await store.get(k('f'))).toBeUndefined();
    });
  });

  describe('lifetime', () => {
    it('data written, flushed and closed is there after reopening', async () => {
      await putAll(names(10));
      await store.fetchAndAddU64(k('count'), 9n);
      await store.flush();
      await store.close();
      store = await variant.open(tmp.path);
      expect(await keysOf(store.scanPrefix(variant.prefix))).toEqual([...names(10), 'count'].sort().map(k));
      expect(await store.get(k('count'))).toEqual(encodeU64(9n));
    });

    it('close right after scans finish waits for their iterators to end, and the store reopens with its data', async () => {
      await putAll(names(10));
      const scans = await Promise.all(Array.from({ length: 20 }, () => keysOf(store.scanPrefix(variant.prefix))));
      expect(scans.every((keys) => keys.length === 10)).toBe(true);
      await store.close();
      store = await variant.open(tmp.path);
      expect(await keysOf(store.scanPrefix(variant.prefix))).toHaveLength(10);
    });

    it('calls after close reject with a StoreError', async () => {
      await store.close();
      await expect(store.get(k('a'))).rejects.toBeInstanceOf(StoreError);
      await expect(store.put(k('a'), v('x'))).rejects.toBeInstanceOf(StoreError);
      await expect(collect(store.scanPrefix(variant.prefix))).rejects.toBeInstanceOf(StoreError);
      store = await variant.open(tmp.path);
    });
  });
});
