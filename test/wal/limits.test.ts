import { Wal, WalLimitError, WalOptionError } from '../../shared/wal';
import { GROUP_COMMIT_DELAY_MS_MAX, RECORD_BYTES_MAX, RECORD_HEADER_BYTES, SEGMENT_BYTES_MIN, SEGMENT_HEADER_BYTES } from '../../shared/wal/limits';
import { useTempDir } from '../helpers/tmp';
import { memoryLogger } from './wal-fixtures';

describe('WAL limits at ±1', () => {
  const tmp = useTempDir('stemedb-wal-lim-');

  test('a payload of RECORD_BYTES_MAX is accepted and read back; one byte more is refused before writing', async () => {
    const wal = await Wal.open({ dir: tmp.path, durability: 'none', logger: memoryLogger() });
    const big = Buffer.alloc(RECORD_BYTES_MAX, 7);
    const r = await wal.append(big);
    expect((await wal.read(r.offset)).payload.equals(big)).toBe(true);
    await expect(wal.append(Buffer.alloc(RECORD_BYTES_MAX + 1))).rejects.toBeInstanceOf(WalLimitError);
    expect(wal.headOffset).toBe(r.nextOffset);
    await wal.close();
  });

  test('one appendBatch must fit batchBytesMax: exactly at the limit is accepted, one byte over is refused', async () => {
    const batchBytesMax = 3 * (RECORD_HEADER_BYTES + 100);
    const wal = await Wal.open({ dir: tmp.path, durability: 'none', batchBytesMax, logger: memoryLogger() });
    await expect(wal.appendBatch([Buffer.alloc(100), Buffer.alloc(100), Buffer.alloc(100)])).resolves.toMatchObject({ nextOffset: batchBytesMax });
    await expect(wal.appendBatch([Buffer.alloc(100), Buffer.alloc(100), Buffer.alloc(101)])).rejects.toMatchObject({ name: 'WalLimitError', max: batchBytesMax });
    await wal.close();
  });

  test('batches never exceed batchBytesMax: concurrent appends are split into several batches', async () => {
    const batchBytesMax = 2 * (RECORD_HEADER_BYTES + 60);
    const wal = await Wal.open({ dir: tmp.path, durability: 'none', batchBytesMax, logger: memoryLogger() });
    await Promise.all(Array.from({ length: 10 }, () => wal.append(Buffer.alloc(60))));
    expect(wal.stats().batches).toBe(5);
    await wal.close();
  });

  test('a segment fills to exactly segmentBytesMax; one byte less forces the rotation earlier', async () => {
    const exact = SEGMENT_HEADER_BYTES + 2 * (RECORD_HEADER_BYTES + 10);
    const a = await Wal.open({ dir: `${tmp.path}/a`, durability: 'none', segmentBytesMax: exact, logger: memoryLogger() });
    for (let i = 0; i < 3; i++) await a.append(Buffer.alloc(10));
    expect(a.segments().map((s) => s.endOffset - s.baseOffset)).toEqual([100, 50]);
    await a.close();
    const b = await Wal.open({ dir: `${tmp.path}/b`, durability: 'none', segmentBytesMax: exact - 1, logger: memoryLogger() });
    for (let i = 0; i < 3; i++) await b.append(Buffer.alloc(10));
    expect(b.segments().map((s) => s.endOffset - s.baseOffset)).toEqual([50, 50, 50]);
    await b.close();
  });

  test('option bounds: segmentBytesMax down to SEGMENT_BYTES_MIN, groupCommitDelayMs up to its maximum', async () => {
    await expect(Wal.open({ dir: tmp.path, segmentBytesMax: SEGMENT_BYTES_MIN - 1 })).rejects.toBeInstanceOf(WalOptionError);
    await expect(Wal.open({ dir: tmp.path, groupCommitDelayMs: GROUP_COMMIT_DELAY_MS_MAX + 1 })).rejects.toBeInstanceOf(WalOptionError);
    await expect(Wal.open({ dir: tmp.path, groupCommitDelayMs: -1 })).rejects.toBeInstanceOf(WalOptionError);
    const ok = await Wal.open({ dir: tmp.path, segmentBytesMax: SEGMENT_BYTES_MIN, groupCommitDelayMs: GROUP_COMMIT_DELAY_MS_MAX, durability: 'none', logger: memoryLogger() });
    await ok.close();
  });
});
