/**
 * The pipelined group commit against a HeldIo whose fdatasyncs are held: no
 * append is answered before the fdatasync that covers it returns, a batch
 * written while an fdatasync is in flight waits for the next one, answers come
 * in log order, a rotation waits for the in-flight fdatasync, a failed
 * fdatasync with the next batch already written fails both and the log, and
 * close waits for a write still on the thread pool.
 */
import { readdirSync } from 'node:fs';
import { Wal, WalUnavailableError } from '../../shared/wal';
import { useTempDir } from '../helpers/tmp';
import { HeldIo, tracked, turns } from './held-io';
import { memoryLogger, payloadOf } from './wal-fixtures';

/** Two records per call. */
const two = (size = 100): Buffer[] => [payloadOf(size), payloadOf(size)];

describe('pipelined group commit', () => {
  const tmp = useTempDir('stemedb-wal-pipe-');

  async function open(io: HeldIo, segmentBytesMax?: number): Promise<Wal> {
    const wal = await Wal.open({ dir: tmp.path, durability: 'fsync', fileIo: io, logger: memoryLogger(), ...(segmentBytesMax === undefined ? {} : { segmentBytesMax }) });
    io.resetCounts();
    return wal;
  }

  test('nothing is acknowledged before its fdatasync returns, and a batch written during a held fdatasync waits for the next one', async () => {
    const io = new HeldIo();
    const wal = await open(io);
    const first = tracked(wal.appendBatch(two()));
    await io.until(() => io.syncs.length === 1, 'the first fdatasync');
    const second = tracked(wal.appendBatch(two()));
    await io.until(() => io.writesDone === 2, 'the second batch written while the first fdatasync is held');
    await turns();
    expect(first.settled()).toBe('pending');
    expect(second.settled()).toBe('pending');
    expect(wal.headOffset).toBe(0);
    // No fdatasync for the second batch while the first is in flight.
    expect(io.syncs).toHaveLength(1);

    io.syncs[0]!.release();
    const r1 = await first.promise;
    expect(wal.headOffset).toBe(r1.nextOffset);
    await io.until(() => io.syncs.length === 2, 'the second fdatasync');
    await turns();
    // The first fdatasync was called before the second batch's write completed: it does not acknowledge it.
    expect(io.syncs[0]!.writesDoneAtStart).toBe(1);
    expect(second.settled()).toBe('pending');
    expect(wal.headOffset).toBe(r1.nextOffset);
    // The second fdatasync started after the second write completed.
    expect(io.syncs[1]!.writesDoneAtStart).toBe(2);

    io.syncs[1]!.release();
    const r2 = await second.promise;
    expect(r2.offset).toBe(r1.nextOffset);
    expect(wal.headOffset).toBe(r2.nextOffset);
    expect(wal.stats()).toEqual({ appends: 4, batches: 2, fsyncs: 2, bytesWritten: r2.nextOffset });
    await wal.close();
  });

  test('acknowledgements come in log order even when fdatasyncs are released newest first', async () => {
    const io = new HeldIo();
    const wal = await open(io);
    const order: number[] = [];
    const calls = 40;
    const done = Promise.all(
      Array.from({ length: calls }, async (_, i) => {
        await turns(i % 7);
        const r = await wal.appendBatch(two(50 + i));
        order.push(r.offset);
      }),
    );
    // Release whatever fdatasyncs are held, newest first, until every call is answered.
    let released = 0;
    let finished = false;
    void done.then(() => {
      finished = true;
      io.poke();
    });
    while (!finished) {
      await io.until(() => finished || io.syncs.length > released, 'an fdatasync');
      await turns(2);
      for (let i = io.syncs.length - 1; i >= released; i--) io.syncs[i]!.release();
      released = io.syncs.length;
    }
    await done;
    expect(order).toHaveLength(calls);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(wal.stats().appends).toBe(calls * 2);
    await wal.close();
  });

  test('a rotation waits until the in-flight fdatasync has returned', async () => {
    const io = new HeldIo();
    // Room for one 2 × 300 B batch per segment: the second batch must rotate.
    const wal = await open(io, 32 + 2 * 340 + 100);
    const first = tracked(wal.appendBatch(two(300)));
    await io.until(() => io.syncs.length === 1, 'the first fdatasync');
    const second = tracked(wal.appendBatch(two(300)));
    await turns();
    expect(readdirSync(tmp.path).filter((n) => n.endsWith('.wal'))).toHaveLength(1);
    expect(io.writesStarted).toBe(1);
    io.syncs[0]!.release();
    await first.promise;
    await io.until(() => io.syncs.length === 2, 'the second fdatasync, in the new segment');
    expect(readdirSync(tmp.path).filter((n) => n.endsWith('.wal'))).toHaveLength(2);
    io.syncs[1]!.release();
    const r2 = await second.promise;
    expect(wal.segments().map((s) => s.baseOffset)).toEqual([0, r2.offset]);
    expect((await wal.read(r2.offset)).payload).toHaveLength(300);
    await wal.close();
  });

  test('a failed fdatasync while the next batch is already written rejects both, and the log stays failed', async () => {
    const io = new HeldIo();
    const logger = memoryLogger();
    const wal = await Wal.open({ dir: tmp.path, durability: 'fsync', fileIo: io, logger });
    io.resetCounts();
    const first = tracked(wal.appendBatch(two()));
    await io.until(() => io.syncs.length === 1, 'the first fdatasync');
    const second = tracked(wal.appendBatch(two()));
    await io.until(() => io.writesDone === 2, 'the second batch written');
    const third = tracked(wal.appendBatch(two()));
    io.syncs[0]!.fail();
    await expect(first.promise).rejects.toBeInstanceOf(WalUnavailableError);
    await expect(second.promise).rejects.toBeInstanceOf(WalUnavailableError);
    await expect(third.promise).rejects.toBeInstanceOf(WalUnavailableError);
    await turns();
    // The failed fdatasync was the only one: nothing written after it is ever synced or acknowledged.
    expect(io.syncs).toHaveLength(1);
    expect(wal.headOffset).toBe(0);
    expect(wal.stats()).toEqual({ appends: 0, batches: 0, fsyncs: 0, bytesWritten: 0 });
    await expect(wal.append(payloadOf(10))).rejects.toBeInstanceOf(WalUnavailableError);
    expect(logger.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    await wal.close();
  });

  test('after a failure, close waits for a write still on the thread pool before closing its descriptor', async () => {
    const io = new HeldIo();
    const wal = await open(io);
    const first = tracked(wal.appendBatch(two()));
    await io.until(() => io.syncs.length === 1, 'the first fdatasync');
    io.holdWrites = true;
    const second = tracked(wal.appendBatch(two()));
    await io.until(() => io.heldWrites.length === 1, 'the second write, held');
    io.syncs[0]!.fail();
    await expect(first.promise).rejects.toBeInstanceOf(WalUnavailableError);
    await expect(second.promise).rejects.toBeInstanceOf(WalUnavailableError);
    const closed = tracked(wal.close());
    await turns();
    expect(closed.settled()).toBe('pending');
    io.heldWrites[0]!();
    await closed.promise;
    // The write returned into an open descriptor; it is never synced or acknowledged.
    expect(io.syncs).toHaveLength(1);
    expect(wal.stats().appends).toBe(0);
  });

  test('a single record alone is written and synced on the thread pool too, and waits for its fdatasync', async () => {
    const io = new HeldIo();
    const wal = await open(io);
    const lone = tracked(wal.append(payloadOf(100)));
    await io.until(() => io.syncs.length === 1, 'its fdatasync');
    await turns();
    expect(lone.settled()).toBe('pending');
    expect(io.loopSyncs).toBe(0);
    io.syncs[0]!.release();
    expect(await lone.promise).toEqual({ offset: 0, nextOffset: 140 });
    expect(wal.stats()).toEqual({ appends: 1, batches: 1, fsyncs: 1, bytesWritten: 140 });
    await wal.close();
  });
});
