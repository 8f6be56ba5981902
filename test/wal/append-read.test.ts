import { Wal } from '../../shared/wal';
import { RECORD_HEADER_BYTES } from '../../shared/wal/limits';
import { useTempDir } from '../helpers/tmp';
import { memoryLogger, segmentFiles, seededRandom } from './wal-fixtures';

describe('Wal append and read', () => {
  const tmp = useTempDir('stemedb-wal-');

  test('appends get strictly increasing offsets and read returns exactly the payload', async () => {
    const wal = await Wal.open({ dir: tmp.path, logger: memoryLogger() });
    const a = await wal.append(Buffer.from('hello'));
    const b = await wal.append(Buffer.alloc(0));
    const c = await wal.append(Buffer.from('world!'));
    expect(a).toEqual({ offset: 0, nextOffset: RECORD_HEADER_BYTES + 5 });
    expect(b.offset).toBe(a.nextOffset);
    expect(c.offset).toBe(b.nextOffset);
    expect(wal.headOffset).toBe(c.nextOffset);
    expect((await wal.read(a.offset)).payload.toString()).toBe('hello');
    expect((await wal.read(b.offset)).payload.length).toBe(0);
    expect((await wal.read(c.offset)).payload.toString()).toBe('world!');
    await wal.close();
  });

  test('100k records of random sizes over many segments read back exactly, in readFrom batches, and reopen at the end', async () => {
    const logger = memoryLogger();
    const wal = await Wal.open({ dir: tmp.path, segmentBytesMax: 512 * 1024, durability: 'none', logger });
    const rand = seededRandom(42);
    const pool = Buffer.alloc(4096);
    for (let i = 0; i < pool.length; i++) pool[i] = Math.floor(rand() * 256);
    const count = 100_000;
    const offsets: number[] = [];
    const payloads: Buffer[] = [];
    const pending: Promise<{ offset: number; nextOffset: number }>[] = [];
    for (let i = 0; i < count; i++) {
      const size = Math.floor(rand() * 1200);
      const start = Math.floor(rand() * (pool.length - size));
      const p = Buffer.from(pool.subarray(start, start + size));
      if (size >= 4) p.writeUInt32LE(i, 0); // distinct payloads, so a read at the wrong offset cannot match
      payloads.push(p);
      pending.push(wal.append(p));
      if (pending.length === 256) {
        for (const r of await Promise.all(pending.splice(0))) offsets.push(r.offset);
      }
    }
    for (const r of await Promise.all(pending)) offsets.push(r.offset);
    for (let i = 1; i < count; i++) if (!(offsets[i]! > offsets[i - 1]!)) throw new Error(`offset ${i} does not increase`);
    expect(segmentFiles(tmp.path).length).toBeGreaterThan(50);
    for (let i = 0; i < count; i += 1) {
      const r = await wal.read(offsets[i]!);
      if (!r.payload.equals(payloads[i]!)) throw new Error(`record ${i} at ${offsets[i]} differs`);
    }
    let cursor = 0;
    let seen = 0;
    while (cursor < wal.headOffset) {
      const batch = await wal.readFrom(cursor, 64 * 1024);
      expect(batch.length).toBeGreaterThan(0);
      for (const r of batch) {
        if (r.offset !== offsets[seen] || !r.payload.equals(payloads[seen]!)) throw new Error(`readFrom record ${seen} differs`);
        seen++;
        cursor = r.nextOffset;
      }
    }
    expect(seen).toBe(count);
    const head = wal.headOffset;
    await wal.close();
    const again = await Wal.open({ dir: tmp.path, segmentBytesMax: 512 * 1024, durability: 'none', logger });
    expect(again.headOffset).toBe(head);
    expect(again.recoveryReport.records).toBe(count);
    expect(again.recoveryReport.truncatedBytes).toBe(0);
    const next = await again.append(Buffer.from('after reopen'));
    expect(next.offset).toBe(head);
    expect((await again.read(offsets[count - 1]!)).payload.equals(payloads[count - 1]!)).toBe(true);
    await again.close();
  });
});
