/**
 * The writer-wide Tail budget (issue 11 must-hold 4), with a real writer
 * process: 100 Tail streams that never read, each asking for the largest
 * batches, grow the writer's RSS by less than 256 MiB (the figure is printed);
 * a live stream beside them still reads the whole log; one stream past
 * TAIL_STREAMS_MAX is RESOURCE_EXHAUSTED, and a slot freed is usable again.
 * The budget's arithmetic is checked on its own at the end.
 */
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { WriterServiceClient, type TailResponse } from '../../shared/gen/stemedb/v1/writer';
import { makeClient } from '../../shared/grpc/client';
import { OverloadedError } from '../../shared/grpc/errors';
import { TAIL_BATCH_BYTES_DEFAULT, TAIL_BATCH_BYTES_FLOOR, TAIL_BATCH_BYTES_MAX, TAIL_BUFFERED_BYTES_MAX, TAIL_STREAMS_MAX } from '../../services/writer/limits';
import { TailBudget } from '../../services/writer/tail-budget';
import { tailBatchBytes } from '../../services/writer/tail-handlers';
import { Wal } from '../../shared/wal';
import { makeTempDir } from '../helpers/tmp';
import { client, startWriterProcess, tailRecords, type WriterProcess } from './writer-fixtures';

const PAUSED_STREAMS = 100;
const RECORD_BYTES = 200 * 1024;
const RECORDS = 160; // 32 MiB of log: unbounded, every paused stream could buffer all of it
const RSS_GROWTH_BYTES_MAX = 256 * 1024 * 1024;

jest.setTimeout(180_000);

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

async function until(what: string | (() => string), cond: () => boolean, deadlineMs = 30_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Tail memory budget', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let writer: WriterProcess;

  beforeAll(async () => {
    tmp = makeTempDir('stemedb-tail-budget-');
    // Opaque payloads are all Tail needs; the writer's id index skips what does not decode.
    const wal = await Wal.open({ dir: tmp.path, durability: 'none' });
    for (let i = 0; i < RECORDS; i += 16) await wal.appendBatch(Array.from({ length: 16 }, () => randomBytes(RECORD_BYTES)));
    await wal.close();
    writer = await startWriterProcess(tmp.path);
  });
  afterAll(async () => {
    await writer?.stop();
    tmp?.cleanup();
  });

  it(`${PAUSED_STREAMS} paused streams asking for ${TAIL_BATCH_BYTES_MAX} bytes grow RSS by < 256 MiB; past ${TAIL_STREAMS_MAX} streams is RESOURCE_EXHAUSTED`, async () => {
    const pid = writer.proc.child.pid!;
    const c = client(writer.address);
    // Warm up: one full read, so the baseline includes the code paths and the page cache mapping.
    expect(await tailRecords(c, 0, RECORDS, TAIL_BATCH_BYTES_MAX)).toHaveLength(RECORDS);
    const baseline = rssBytes(pid);
    // Streams spread over connections of their own: a connection's HTTP/2 settings and window are shared.
    const channels = Array.from({ length: 8 }, () => makeClient(WriterServiceClient, writer.address, { channelOptions: { 'grpc.use_local_subchannel_pool': 1 } }));
    const calls: grpc.ClientReadableStream<TailResponse>[] = [];
    let started = 0;
    const errors: grpc.ServiceError[] = [];
    const open = (): grpc.ClientReadableStream<TailResponse> => {
      const channel = channels[calls.length % channels.length]!;
      const call = channel.tail({ fromOffset: 0n, maxBatchBytes: TAIL_BATCH_BYTES_MAX });
      call.pause(); // never read: HTTP/2 flow control stops the writer's sends
      call.on('metadata', () => void started++);
      call.on('error', (e: grpc.ServiceError) => void errors.push(e));
      calls.push(call);
      return call;
    };
    try {
      for (let i = 0; i < PAUSED_STREAMS; i++) open();
      await until('every paused stream to start', () => started === PAUSED_STREAMS);
      let peak = 0;
      for (let i = 0; i < 40; i++) {
        peak = Math.max(peak, rssBytes(pid));
        await new Promise((r) => setTimeout(r, 50));
      }
      const growth = peak - baseline;
      process.stderr.write(`tail budget: ${PAUSED_STREAMS} paused streams, writer RSS ${(baseline / 2 ** 20).toFixed(0)} MiB -> peak ${(peak / 2 ** 20).toFixed(0)} MiB (+${(growth / 2 ** 20).toFixed(1)} MiB)\n`);
      expect(growth).toBeLessThan(RSS_GROWTH_BYTES_MAX);
      while (calls.length < TAIL_STREAMS_MAX) open();
      await until(() => `the streams up to the cap to start (${started} did, ${errors.length} errors ${errors[0]?.details})`, () => started === TAIL_STREAMS_MAX);
      expect(errors).toEqual([]);
      open();
      await until('the stream past the cap to be refused', () => errors.length === 1);
      expect(errors[0]!.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(errors[0]!.details).toMatch(/tail_streams/);
      // Freeing one slot makes room again, and a live consumer beside the paused
      // streams (on its own connection: paused streams hold their connection's
      // HTTP/2 window) reads the whole log: the budget does not starve it.
      calls[0]!.cancel();
      const live = makeClient(WriterServiceClient, writer.address, { channelOptions: { 'grpc.use_local_subchannel_pool': 1 } });
      try {
        const deadline = Date.now() + 30_000;
        for (;;) {
          try {
            expect(await tailRecords(live, 0, RECORDS, TAIL_BATCH_BYTES_MAX)).toHaveLength(RECORDS);
            break;
          } catch (err) {
            // Until the writer has seen the cancel, the slot is still taken.
            if ((err as grpc.ServiceError).code !== grpc.status.RESOURCE_EXHAUSTED || Date.now() > deadline) throw err;
          }
        }
      } finally {
        live.close();
      }
    } finally {
      for (const call of calls) call.cancel();
      for (const channel of channels) channel.close();
      c.close();
    }
  });
});

describe('TailBudget arithmetic', () => {
  it('refuses the stream past the cap and takes it back on close', () => {
    const b = new TailBudget({ streamsMax: 2 });
    const s1 = b.open();
    b.open();
    expect(() => b.open()).toThrow(OverloadedError);
    s1.close();
    s1.close(); // idempotent
    expect(b.open()).toBeDefined();
    expect(b.stats().streams).toBe(2);
  });

  it('cuts batches to the fair share and what is left, never below the floor, and gives bytes back', () => {
    const b = new TailBudget({ streamsMax: 8, bytesMax: 1000, batchBytesFloor: 100 });
    const [s1, s2] = [b.open(), b.open()];
    const a = s1.take(800); // share 500
    expect(a.bytes).toBe(500);
    const c = s2.take(800); // share 500, 500 left
    expect(c.bytes).toBe(500);
    const d = s2.take(800); // nothing left: the floor
    expect(d.bytes).toBe(100);
    expect(b.stats().bytes).toBe(1100);
    a.resize(200);
    expect(b.stats().bytes).toBe(800);
    a.release();
    a.release();
    c.release();
    d.release();
    expect(b.stats()).toMatchObject({ bytes: 0, bytesMax: 1100 });
    expect(s1.take(50).bytes).toBe(50); // never more than asked
  });

  it(`max_batch_bytes: 0 is the default; up to TAIL_BATCH_BYTES_MAX (${TAIL_BATCH_BYTES_MAX}) is kept; one more is cut to it`, () => {
    expect(tailBatchBytes(0)).toBe(TAIL_BATCH_BYTES_DEFAULT);
    expect(tailBatchBytes(1)).toBe(1);
    expect(tailBatchBytes(TAIL_BATCH_BYTES_MAX - 1)).toBe(TAIL_BATCH_BYTES_MAX - 1);
    expect(tailBatchBytes(TAIL_BATCH_BYTES_MAX)).toBe(TAIL_BATCH_BYTES_MAX);
    expect(tailBatchBytes(TAIL_BATCH_BYTES_MAX + 1)).toBe(TAIL_BATCH_BYTES_MAX);
  });

  it('the defaults: the budget and floor hold at most the documented overshoot', () => {
    expect(TAIL_BUFFERED_BYTES_MAX).toBeGreaterThanOrEqual(TAIL_BATCH_BYTES_FLOOR * 2);
    expect(TAIL_STREAMS_MAX).toBeGreaterThanOrEqual(PAUSED_STREAMS);
  });
});
