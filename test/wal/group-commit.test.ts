import { Wal, WalUnavailableError, type WalFileIo } from '../../shared/wal';
import { NODE_FILE_IO } from '../../shared/wal/file-io';
import { SYNC_FLUSH_BYTES_MAX } from '../../shared/wal/limits';
import { useTempDir } from '../helpers/tmp';
import { memoryLogger, payloadOf } from './wal-fixtures';

describe('group commit', () => {
  const tmp = useTempDir('stemedb-wal-gc-');

  test('64 concurrent appenders with fsync durability need far fewer fdatasyncs than appends', async () => {
    const wal = await Wal.open({ dir: tmp.path, durability: 'fsync', logger: memoryLogger() });
    const appenders = 64;
    const each = 40;
    const acked: number[] = [];
    await Promise.all(
      Array.from({ length: appenders }, async () => {
        for (let i = 0; i < each; i++) acked.push((await wal.append(payloadOf(300))).offset);
      }),
    );
    const s = wal.stats();
    expect(s.appends).toBe(appenders * each);
    expect(new Set(acked).size).toBe(appenders * each);
    // Each flush takes every append queued while the previous one ran. Appenders
    // re-append as soon as they are acknowledged, so after the first flush nearly all
    // 64 land in each batch (≈64 appends per fsync). The bound of 4 leaves 16× room
    // for a loaded 2-core machine splitting batches; without group commit it would be 1.
    expect(s.fsyncs).toBeLessThanOrEqual(s.appends / 4);
    expect(s.fsyncs).toBe(s.batches);
    expect(s.bytesWritten).toBe(wal.headOffset);
    await wal.close();
  });

  test('appendBatch writes its records contiguously in one batch and one fdatasync', async () => {
    const wal = await Wal.open({ dir: tmp.path, durability: 'fsync', logger: memoryLogger() });
    const payloads = [payloadOf(10), payloadOf(0), payloadOf(500)];
    const r = await wal.appendBatch(payloads);
    expect(r.offsets).toEqual([0, 50, 90]);
    expect(r.offset).toBe(0);
    expect(r.nextOffset).toBe(630);
    expect(wal.stats()).toEqual({ appends: 3, batches: 1, fsyncs: 1, bytesWritten: 630 });
    for (let i = 0; i < 3; i++) expect((await wal.read(r.offsets[i]!)).payload.equals(payloads[i]!)).toBe(true);
    await wal.close();
  });

  test('durability none acknowledges without any fdatasync', async () => {
    const wal = await Wal.open({ dir: tmp.path, durability: 'none', logger: memoryLogger() });
    await Promise.all(Array.from({ length: 20 }, () => wal.append(payloadOf(100))));
    expect(wal.stats().fsyncs).toBe(0);
    expect(wal.stats().appends).toBe(20);
    await wal.close();
  });

  test('close drains the in-flight group commit before releasing the log', async () => {
    const wal = await Wal.open({ dir: tmp.path, durability: 'fsync', groupCommitDelayMs: 20, logger: memoryLogger() });
    const pending = Array.from({ length: 10 }, () => wal.append(payloadOf(100)));
    await wal.close();
    const results = await Promise.all(pending);
    expect(results).toHaveLength(10);
    await expect(wal.append(payloadOf(1))).rejects.toMatchObject({ name: 'WalClosedError' });
    const again = await Wal.open({ dir: tmp.path, logger: memoryLogger() });
    expect(again.headOffset).toBe(results[9]!.nextOffset);
    await again.close();
  });
});

/** NODE_FILE_IO with a switch that makes fdatasync (or write) fail. */
function faultyIo(): WalFileIo & { failSync: boolean; failWrite: boolean } {
  const io = {
    failSync: false,
    failWrite: false,
    writeSync(fd: number, data: Buffer, position: number) {
      if (io.failWrite) throw Object.assign(new Error('injected EIO on write'), { code: 'EIO' });
      NODE_FILE_IO.writeSync(fd, data, position);
    },
    datasyncSync(fd: number) {
      if (io.failSync) throw Object.assign(new Error('injected EIO on fdatasync'), { code: 'EIO' });
      NODE_FILE_IO.datasyncSync(fd);
    },
    async write(fd: number, data: Buffer, position: number) {
      if (io.failWrite) throw Object.assign(new Error('injected EIO on write'), { code: 'EIO' });
      await NODE_FILE_IO.write(fd, data, position);
    },
    async datasync(fd: number) {
      if (io.failSync) throw Object.assign(new Error('injected EIO on fdatasync'), { code: 'EIO' });
      await NODE_FILE_IO.datasync(fd);
    },
  };
  return io;
}

describe('failure injection', () => {
  const tmp = useTempDir('stemedb-wal-fail-');

  test.each([
    ['a failing fdatasync', 'failSync', 100],
    ['a failing write', 'failWrite', 100],
    ['a failing fdatasync on the thread-pool path', 'failSync', SYNC_FLUSH_BYTES_MAX],
  ] as const)('%s rejects the batch and every later append, and nothing is acknowledged', async (_what, fault, size) => {
    const io = faultyIo();
    const wal = await Wal.open({ dir: tmp.path, durability: 'fsync', fileIo: io, logger: memoryLogger() });
    const good = await wal.append(payloadOf(10));
    io[fault] = true;
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => wal.append(payloadOf(size))));
    for (const o of outcomes) {
      expect(o.status).toBe('rejected');
      expect((o as PromiseRejectedResult).reason).toBeInstanceOf(WalUnavailableError);
    }
    expect(wal.headOffset).toBe(good.nextOffset);
    expect(wal.stats().appends).toBe(1);
    await expect(wal.read(good.nextOffset)).rejects.toMatchObject({ kind: 'beyond_head' });
    // The failed state is permanent: even with the disk "healed" nothing more is accepted.
    io[fault] = false;
    await expect(wal.append(payloadOf(10))).rejects.toBeInstanceOf(WalUnavailableError);
    await wal.close();
  });
});
