/**
 * Chunked hand-off from a source to the batcher (wal-source.ts RecordChunks):
 * the batcher takes a chunked source a chunk at a time — never record by
 * record — and still closes each batch at exactly its limits, splitting a
 * chunk that does not fit; WriterTailSource hands over one chunk per Tail
 * message (a damaged record after good ones: the good ones first, then the
 * error); WalDirSource one chunk per log read, the same records as the WAL's
 * record-by-record tail.
 */
import { batchRecords, type BatchLimits } from '../../services/ingest/batcher';
import { TailIntegrityError, WriterTailSource } from '../../services/ingest/sources/writer-tail-source';
import { WalDirSource } from '../../services/ingest/sources/wal-dir-source';
import { chunkedRecords, recordChunks, type SourceRecord } from '../../services/ingest/wal-source';
import { blake3 } from '../../shared/domain/hash';
import type { TailResponse } from '../../shared/gen/stemedb/v1/writer';
import { WalReader } from '../../shared/wal';
import { useTempDir } from '../helpers/tmp';
import { startFakeWriter, type FakeWriter } from '../grpc/fake-writer';
import { sourceRecords, writeWal } from '../graph/log-builder';

/** How long the Tail tests wait for one more chunk. */
const CHUNK_WAIT_MS = 2_000;
const LOG = sourceRecords(Array.from({ length: 10 }, (_, i) => Buffer.from(`payload ${i}`)));

/** `LOG` cut into chunks of these sizes; counts the chunk steps and the record steps taken. */
function chunked(sizes: readonly number[]): { records: AsyncIterable<SourceRecord>; steps: { chunks: number; records: number } } {
  const steps = { chunks: 0, records: 0 };
  const records = chunkedRecords(async function* chunks() {
    let at = 0;
    for (const n of sizes) {
      steps.chunks += 1;
      yield LOG.slice(at, (at += n));
    }
  });
  const flat = records.next.bind(records);
  records.next = (...args) => {
    steps.records += 1;
    return flat(...args);
  };
  return { records, steps };
}

async function batchSizes(records: AsyncIterable<SourceRecord>, limits: BatchLimits): Promise<{ sizes: number[]; offsets: number[] }> {
  const sizes: number[] = [];
  const offsets: number[] = [];
  for await (const b of batchRecords(records, limits)) {
    sizes.push(b.length);
    offsets.push(...b.map((r) => r.offset));
  }
  return { sizes, offsets };
}

describe('the batcher over a chunked source', () => {
  it('takes chunks, never single records, and splits a chunk at recordsMax', async () => {
    const { records, steps } = chunked([4, 4, 2]);
    const got = await batchSizes(records, { recordsMax: 3, bytesMax: 1e9, delayMs: 1000 });
    expect(got.sizes).toEqual([3, 3, 3, 1]);
    expect(got.offsets).toEqual(LOG.map((r) => r.offset));
    expect(steps).toEqual({ chunks: 3, records: 0 });
  });

  it('fills a batch from several chunks up to recordsMax', async () => {
    const { records } = chunked([1, 1, 1, 1, 1, 5]);
    expect((await batchSizes(records, { recordsMax: 4, bytesMax: 1e9, delayMs: 1000 })).sizes).toEqual([4, 4, 2]);
  });

  it('closes a batch once its payloads reach bytesMax, inside a chunk', async () => {
    const size = LOG[0]!.payload.length; // every payload here has the same length
    const { records } = chunked([10]);
    expect((await batchSizes(records, { recordsMax: 100, bytesMax: 2 * size, delayMs: 1000 })).sizes).toEqual([2, 2, 2, 2, 2]);
    expect((await batchSizes(chunked([10]).records, { recordsMax: 100, bytesMax: 2 * size + 1, delayMs: 1000 })).sizes).toEqual([3, 3, 3, 1]);
  });

  it('closes a batch after delayMs when no chunk comes, and keeps the next one whole', async () => {
    const slow = chunkedRecords(async function* chunks() {
      yield LOG.slice(0, 2);
      await new Promise((r) => setTimeout(r, 200));
      yield LOG.slice(2, 5);
    });
    expect((await batchSizes(slow, { recordsMax: 100, bytesMax: 1e9, delayMs: 5 })).sizes).toEqual([2, 3]);
  });

  it('a plain record stream is taken one record per chunk', async () => {
    async function* plain(): AsyncGenerator<SourceRecord> {
      yield* LOG.slice(0, 3);
    }
    const chunks: number[] = [];
    const it = recordChunks(plain());
    for (let r = await it.next(); r.done !== true; r = await it.next()) chunks.push(r.value.length);
    expect(chunks).toEqual([1, 1, 1]);
  });
});

describe('WriterTailSource chunks', () => {
  let writer: FakeWriter;
  let sent: TailResponse[] = [];
  const message = (records: readonly SourceRecord[], hashOf = (r: SourceRecord): Buffer => r.hash): TailResponse => ({
    records: records.map((r) => ({ offset: BigInt(r.offset), payload: r.payload, payloadHash: hashOf(r) })),
    headOffset: 0n,
  });

  beforeAll(async () => {
    writer = await startFakeWriter({
      tail: async (_req, out, ctx) => {
        for (const m of sent) await out.write(m);
        await new Promise((r) => (ctx.signal.aborted ? r(undefined) : ctx.signal.addEventListener('abort', r, { once: true })));
      },
    });
  });
  afterAll(async () => writer.close());

  /** Up to `count` chunks, or fewer when none comes within CHUNK_WAIT_MS (a source that wrongly waits for more). */
  async function chunksOf(count: number): Promise<{ chunks: number[][]; error: unknown }> {
    const source = new WriterTailSource(writer.running.address, { backoffMsMin: 10, backoffMsMax: 20, consumerId: null });
    const stop = new AbortController();
    const it = source.records(0, stop.signal).chunks();
    const chunks: number[][] = [];
    try {
      while (chunks.length < count) {
        let timer: NodeJS.Timeout | undefined;
        const quiet = new Promise<undefined>((res) => (timer = setTimeout(() => res(undefined), CHUNK_WAIT_MS)));
        const r = await Promise.race([it.next(), quiet]).finally(() => clearTimeout(timer));
        if (r === undefined || r.done === true) break;
        chunks.push(r.value.map((x) => x.offset));
      }
      return { chunks, error: undefined };
    } catch (err) {
      return { chunks, error: err };
    } finally {
      stop.abort();
      await it.return?.();
      await source.close();
    }
  }

  it('hands over one chunk per Tail message', async () => {
    sent = [message(LOG.slice(0, 3)), message(LOG.slice(3, 4)), message(LOG.slice(4, 10))];
    const { chunks, error } = await chunksOf(3);
    expect(error).toBeUndefined();
    expect(chunks.map((c) => c.length)).toEqual([3, 1, 6]);
    expect(chunks.flat()).toEqual(LOG.map((r) => r.offset));
  });

  it('a record whose payload does not match its BLAKE3 ends the chunks after the good records before it', async () => {
    sent = [message(LOG.slice(0, 4), (r) => (r.offset === LOG[2]!.offset ? blake3(Buffer.from('another')) : r.hash))];
    const { chunks, error } = await chunksOf(2);
    expect(chunks).toEqual([[LOG[0]!.offset, LOG[1]!.offset]]);
    expect(error).toBeInstanceOf(TailIntegrityError);
    expect(error).toMatchObject({ offset: LOG[2]!.offset, reason: expect.stringMatching(/BLAKE3/) });
  });
});

describe('WalDirSource chunks', () => {
  const tmp = useTempDir('stemedb-record-chunks-');

  it('one chunk per log read, the same records as the record-by-record tail', async () => {
    const payloads = Array.from({ length: 300 }, (_, i) => Buffer.alloc(5000, i));
    const head = await writeWal(tmp.path, payloads);
    const source = await WalDirSource.open(tmp.path);
    const reader = await WalReader.open({ dir: tmp.path });
    const stop = new AbortController();
    try {
      const chunks: SourceRecord[][] = [];
      let offset = 0;
      for await (const c of { [Symbol.asyncIterator]: () => source.records(0, stop.signal).chunks() }) {
        chunks.push([...c]);
        offset = c[c.length - 1]!.nextOffset;
        if (offset >= head) break;
      }
      const expected: SourceRecord[] = [];
      for await (const r of reader.tail(0, { signal: stop.signal })) {
        expected.push(r);
        if (r.nextOffset >= head) break;
      }
      expect(chunks.length).toBeGreaterThan(1); // 1.5 MB of records: more than one 1 MiB read
      expect(chunks.every((c) => c.length > 1)).toBe(true);
      const summary = (rs: SourceRecord[]): string[] => rs.map((r) => `${r.offset} ${blake3(r.payload).toString('hex')}`);
      expect(summary(chunks.flat())).toEqual(summary(expected));
    } finally {
      stop.abort();
      await reader.close();
      await source.close();
    }
  });
});
