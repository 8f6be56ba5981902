import { Wal } from '../../shared/wal';
import { useSpanCapture } from '../helpers/spans';
import { useTempDir } from '../helpers/tmp';
import { memoryLogger } from './wal-fixtures';

describe('WAL spans', () => {
  const tmp = useTempDir('stemedb-wal-spans-');
  const exporter = useSpanCapture();

  test('recovery, appends and group commits are traced with their sizes and the fsync time', async () => {
    const logger = memoryLogger();
    const wal = await Wal.open({ dir: tmp.path, durability: 'fsync', logger });
    await Promise.all([wal.append(Buffer.alloc(10)), wal.append(Buffer.alloc(20))]);
    await wal.close();
    const spans = exporter.getFinishedSpans();
    const recover = spans.find((s) => s.name === 'wal.recover')!;
    expect(recover.attributes).toMatchObject({ segments: 1, records: 0, bytes: 0, truncated_bytes: 0 });
    const appends = spans.filter((s) => s.name === 'wal.append');
    expect(appends.map((s) => s.attributes.offset)).toEqual([0, 50]);
    expect(appends.map((s) => s.attributes.bytes)).toEqual([50, 60]);
    const commits = spans.filter((s) => s.name === 'wal.group_commit');
    expect(commits).toHaveLength(1);
    expect(commits[0]!.attributes).toMatchObject({ records: 2, bytes: 110 });
    expect(typeof commits[0]!.attributes.fsync_us).toBe('number');
    expect(logger.lines.find((l) => l.msg === 'wal recovered')?.fields).toMatchObject({ records: 0, truncatedBytes: 0, quarantineFile: null });
  });
});
