/**
 * Scans stream: breaking out after a few entries of a 100k-key range costs a
 * small fraction of reading it all, on every store.
 */
import type { KVStore } from '../../shared/storage/kv-store';
import { useTempDir } from '../helpers/tmp';
import { STORE_VARIANTS } from './stores';

const KEYS = 100_000;
const BATCH_OPS = 10_000;
const TAKE = 10;

describe.each(STORE_VARIANTS.filter((v) => v.name !== 'HybridStore (keys in RocksDB)'))('scan streaming: $name', (variant) => {
  const tmp = useTempDir('stemedb-stream-');
  let store: KVStore;

  beforeEach(async () => {
    store = await variant.open(tmp.path);
  });
  afterEach(async () => {
    await store.close();
  });

  it(`breaking after ${TAKE} of ${KEYS} entries is far cheaper than reading them all`, async () => {
    const value = Buffer.alloc(32, 1);
    for (let base = 0; base < KEYS; base += BATCH_OPS) {
      const ops = Array.from({ length: BATCH_OPS }, (_, i) => ({ type: 'put' as const, key: variant.key(String(base + i).padStart(6, '0')), value }));
      await store.batch(ops);
    }
    let badValues = 0;
    const timeTake = async (limit: number, reverse: boolean): Promise<[number, number]> => {
      const started = process.hrtime.bigint();
      let n = 0;
      for await (const entry of store.scanPrefix(variant.prefix, { reverse })) {
        if (!entry[1].equals(value)) badValues++;
        if (++n >= limit) break;
      }
      return [n, Number(process.hrtime.bigint() - started) / 1e6];
    };
    await timeTake(TAKE, false); // warm caches
    const [all, allMs] = await timeTake(Number.POSITIVE_INFINITY, false);
    const [few, fewMs] = await timeTake(TAKE, false);
    const [fewReverse, fewReverseMs] = await timeTake(TAKE, true);
    expect([all, few, fewReverse, badValues]).toEqual([KEYS, TAKE, TAKE, 0]);
    expect(fewMs).toBeLessThan(allMs / 10);
    expect(fewReverseMs).toBeLessThan(allMs / 10);
  });
});
