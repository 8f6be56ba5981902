/** Batch limits of the ingest worker, each at its edge. */
import { join } from 'node:path';
import { batchRecords } from '../../services/ingest/batcher';
import { IngestGapError, IngestOptionError } from '../../services/ingest/errors';
import { Ingestor } from '../../services/ingest/ingestor';
import { INGEST_BATCH_BYTES_MAX, INGEST_BATCH_DELAY_MS_MAX, INGEST_BATCH_RECORDS_MAX } from '../../services/ingest/limits';
import type { SourceRecord } from '../../services/ingest/wal-source';
import { VERIFY_WORKERS_MAX as INGEST_VERIFY_WORKERS_MAX } from '../../shared/verify/limits';
import { BoundedQueue } from '../../services/ingest/bounded-queue';
import { openHybridStore } from '../../shared/storage/hybrid-store';
import { setLogLevel } from '../../shared/telemetry/logger';
import { useTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';
import { agent, claim, logOf, MemorySource, signed, text } from '../graph/log-builder';

beforeAll(() => setLogLevel('error'));

const LOG = logOf(Array.from({ length: 7 }, (_, i) => signed(claim({ subject: 's', predicate: 'p', object: text(`v${i}`) }), [agent(i)])));

async function collect(records: readonly SourceRecord[], limits: { recordsMax: number; bytesMax: number; delayMs: number }): Promise<number[]> {
  const out: number[] = [];
  async function* gen(): AsyncGenerator<SourceRecord> {
    yield* records;
  }
  for await (const b of batchRecords(gen(), limits)) out.push(b.length);
  return out;
}

describe('batching', () => {
  const tmp = useTempDir('stemedb-batching-');

  it('a batch closes at recordsMax records', async () => {
    expect(await collect(LOG, { recordsMax: 3, bytesMax: 1e9, delayMs: 1000 })).toEqual([3, 3, 1]);
    expect(await collect(LOG, { recordsMax: 7, bytesMax: 1e9, delayMs: 1000 })).toEqual([7]);
    expect(await collect(LOG, { recordsMax: 6, bytesMax: 1e9, delayMs: 1000 })).toEqual([6, 1]);
  });

  it('a batch closes once its payloads reach bytesMax', async () => {
    const size = LOG[0]!.payload.length;
    expect(await collect(LOG.slice(0, 3), { recordsMax: 100, bytesMax: 2 * size, delayMs: 1000 })).toEqual([2, 1]);
    expect(await collect(LOG.slice(0, 3), { recordsMax: 100, bytesMax: 2 * size + 1, delayMs: 1000 })).toEqual([3]);
  });

  it('a batch closes after delayMs when no more records come', async () => {
    async function* slow(): AsyncGenerator<SourceRecord> {
      yield LOG[0]!;
      await new Promise((r) => setTimeout(r, 200));
      yield LOG[1]!;
    }
    const sizes: number[] = [];
    for await (const b of batchRecords(slow(), { recordsMax: 100, bytesMax: 1e9, delayMs: 5 })) sizes.push(b.length);
    expect(sizes).toEqual([1, 1]);
  });

  it('the check-ahead queue holds at most its capacity and hands items over in order', async () => {
    const q = new BoundedQueue<number>(2);
    expect(await q.push(1)).toBe(true);
    expect(await q.push(2)).toBe(true);
    let third = false;
    const pushing = q.push(3).then((ok) => (third = ok));
    await new Promise((r) => setImmediate(r));
    expect(third).toBe(false); // full: waits
    expect(await q.shift()).toBe(1);
    await pushing;
    expect(third).toBe(true);
    q.close();
    expect([await q.shift(), await q.shift(), await q.shift()]).toEqual([2, 3, undefined]);
    expect(await q.push(4)).toBe(false);
    const failing = new BoundedQueue<number>(1);
    failing.fail(new Error('boom'));
    await expect(failing.shift()).rejects.toThrow('boom');
    expect(() => new BoundedQueue(0)).toThrow(RangeError);
  });

  it.each([
    ['checked on this thread', { verifyWorkers: 0 }],
    ['checked on a worker', { verifyWorkers: 1 }],
  ])('a commit that fails is the error catchUp reports, even when the next batch was already waiting (%s)', async (_name, workers) => {
    const store = await openHybridStore(join(tmp.path, `fail-${workers.verifyWorkers}`));
    class DiskGone extends Error {}
    store.applyBatch = () => Promise.reject(new DiskGone('disk gone'));
    const ingestor = await Ingestor.open(store, new MemorySource(LOG), { batchRecordsMax: 1, verify: 'all', ...workers });
    try {
      await expect(ingestor.catchUp(LOG[LOG.length - 1]!.nextOffset)).rejects.toBeInstanceOf(DiskGone);
      // The Ingestor is unusable afterwards, and says so.
      await expect(ingestor.applyRecords(LOG.slice(1, 2))).rejects.toThrow(/an earlier batch failed \(disk gone\)/);
    } finally {
      await ingestor.close();
      await store.close();
    }
  });

  it('ingestor options are checked at their limits', async () => {
    const store = await openHybridStore(tmp.path);
    const source = new MemorySource(LOG);
    try {
      for (const bad of [{ batchRecordsMax: 0 }, { batchRecordsMax: INGEST_BATCH_RECORDS_MAX + 1 }, { batchBytesMax: INGEST_BATCH_BYTES_MAX + 1 }, { batchDelayMs: -1 }, { batchDelayMs: INGEST_BATCH_DELAY_MS_MAX + 1 }, { verifyWorkers: -1 }, { verifyWorkers: INGEST_VERIFY_WORKERS_MAX + 1 }]) {
        await expect(Ingestor.open(store, source, bad)).rejects.toThrow(IngestOptionError);
      }
      for (const ok of [{ batchRecordsMax: 1 }, { batchRecordsMax: INGEST_BATCH_RECORDS_MAX }, { batchBytesMax: INGEST_BATCH_BYTES_MAX }, { batchDelayMs: 0 }, { batchDelayMs: INGEST_BATCH_DELAY_MS_MAX }, { verifyWorkers: 0 }]) {
        await expect(Ingestor.open(store, source, ok)).resolves.toBeInstanceOf(Ingestor);
      }
    } finally {
      await store.close();
    }
  });

  it('a record that does not follow the applied offset is a source bug, refused before anything is applied', async () => {
    const store = await openHybridStore(tmp.path);
    try {
      const ingestor = await Ingestor.open(store, new MemorySource(LOG));
      await expect(ingestor.applyRecords([LOG[1]!])).rejects.toThrow(IngestGapError);
      await ingestor.applyRecords([LOG[0]!, LOG[1]!]);
      expect(ingestor.appliedOffset).toBe(LOG[1]!.nextOffset);
      expect(store.cursors()).toEqual({ rocks: LOG[1]!.nextOffset, lmdb: LOG[1]!.nextOffset });
    } finally {
      await store.close();
    }
  });

  it('run() follows the source until aborted, then resumes where it stopped', async () => {
    const store = await openHybridStore(tmp.path);
    try {
      const ingestor = await Ingestor.open(store, new MemorySource(LOG), { batchDelayMs: 0, batchRecordsMax: 2 });
      const stop = new AbortController();
      const running = ingestor.run(stop.signal);
      await waitFor(() => (ingestor.appliedOffset === LOG[6]!.nextOffset ? true : undefined), 'the whole log applied');
      stop.abort();
      await running;
      expect(ingestor.appliedOffset).toBe(LOG[6]!.nextOffset);
      expect(ingestor.counters).toEqual({ applied: 7, rejected: 0 });
    } finally {
      await store.close();
    }
  });
});
