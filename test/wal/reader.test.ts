import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Wal, WalReader } from '../../shared/wal';
import { encodeRecord } from '../../shared/wal/format';
import { requireBuilt } from '../helpers/process';
import { useTempDir } from '../helpers/tmp';
import { CRASH_APPENDER, sha256, startAppender } from './child';
import { memoryLogger, payloadOf } from './wal-fixtures';

describe('WalReader', () => {
  const tmp = useTempDir('stemedb-wal-reader-');

  test('a reader in this process follows another process writing, across segment rotations', async () => {
    requireBuilt(CRASH_APPENDER);
    const writer = startAppender(['--dir', tmp.path, '--concurrency', '4', '--count', '150', '--size-max', '500', '--segment-bytes-max', String(16 * 1024)]);
    await writer.ready;
    const reader = await WalReader.open({ dir: tmp.path, logger: memoryLogger() });
    const seen: { offset: number; sha: string }[] = [];
    const abort = new AbortController();
    for await (const r of reader.tail(0, { signal: abort.signal })) {
      seen.push({ offset: r.offset, sha: sha256(r.payload) });
      if (seen.length === 600) abort.abort();
    }
    await writer.drained;
    expect(await writer.proc.exited).toBe(0);
    const acks = [...writer.acks].sort((a, b) => a.offset - b.offset);
    expect(seen).toEqual(acks.map((a) => ({ offset: a.offset, sha: a.sha256 })));
    expect(reader.segments().length).toBeGreaterThan(3);
    await reader.close();
  });

  test('a second instance on the same directory reads what the writer made durable, and never a partial record', async () => {
    const wal = await Wal.open({ dir: tmp.path, durability: 'fsync', logger: memoryLogger() });
    const reader = await WalReader.open({ dir: tmp.path, logger: memoryLogger() });
    expect(reader.headOffset).toBe(0);
    const p = payloadOf(200);
    const a = await wal.append(p);
    expect((await reader.read(a.offset)).payload.equals(p)).toBe(true);
    expect(reader.headOffset).toBe(a.nextOffset);
    // A writer caught mid-write: half a frame at the end of the active segment.
    const partial = encodeRecord(a.nextOffset, payloadOf(300)).subarray(0, 150);
    appendFileSync(join(tmp.path, wal.segments()[0]!.fileName), partial);
    expect(reader.refresh()).toBe(a.nextOffset);
    await expect(reader.read(a.nextOffset)).rejects.toMatchObject({ kind: 'beyond_head' });
    await reader.close();
    await wal.close();
  });

  test('after a refresh a reader sees segments deleted by retention as before_first and lets go of their files', async () => {
    const wal = await Wal.open({ dir: tmp.path, durability: 'none', segmentBytesMax: 1024, logger: memoryLogger() });
    const first = await wal.append(payloadOf(300));
    for (let i = 0; i < 20; i++) await wal.append(payloadOf(300));
    const reader = await WalReader.open({ dir: tmp.path, logger: memoryLogger() });
    expect((await reader.read(first.offset)).offset).toBe(0);
    wal.deleteSegmentsBelow(wal.headOffset);
    // An open descriptor could still read the unlinked file; the reader drops it on refresh.
    reader.refresh();
    await expect(reader.read(first.offset)).rejects.toMatchObject({ kind: 'before_first' });
    expect(reader.firstOffset).toBe(wal.firstOffset);
    await reader.close();
    await wal.close();
  });
});
