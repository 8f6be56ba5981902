import { Wal, WalOffsetError } from '../../shared/wal';
import { useTempDir } from '../helpers/tmp';
import { memoryLogger, payloadOf, segmentFiles } from './wal-fixtures';

describe('retention', () => {
  const tmp = useTempDir('stemedb-wal-ret-');

  test('deleteSegmentsBelow deletes only whole segments below the offset and never the active one', async () => {
    const wal = await Wal.open({ dir: tmp.path, durability: 'none', segmentBytesMax: 1024, logger: memoryLogger() });
    const offsets: number[] = [];
    for (let i = 0; i < 50; i++) offsets.push((await wal.append(payloadOf(200))).offset);
    const before = wal.segments();
    expect(before.length).toBeGreaterThan(5);
    // An offset inside segment 3: segments 0..2 end at or below it, segment 3 does not.
    const cut = before[3]!.baseOffset + 1;
    const deleted = wal.deleteSegmentsBelow(cut);
    expect(deleted.map((d) => d.fileName)).toEqual(before.slice(0, 3).map((s) => s.fileName));
    expect(wal.firstOffset).toBe(before[3]!.baseOffset);
    expect(segmentFiles(tmp.path)).toEqual(before.slice(3).map((s) => s.fileName));
    const err = await wal.read(offsets[0]!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WalOffsetError);
    expect((err as WalOffsetError).kind).toBe('before_first');
    expect((await wal.read(before[3]!.baseOffset)).offset).toBe(before[3]!.baseOffset);
    // Everything below the head: all but the active segment go.
    wal.deleteSegmentsBelow(wal.headOffset + 1000);
    const left = wal.segments();
    expect(left).toHaveLength(1);
    expect(left[0]!.fileName).toBe(before[before.length - 1]!.fileName);
    const head = wal.headOffset;
    await wal.close();
    const again = await Wal.open({ dir: tmp.path, durability: 'none', segmentBytesMax: 1024, logger: memoryLogger() });
    expect(again.firstOffset).toBe(left[0]!.baseOffset);
    expect(again.headOffset).toBe(head);
    await again.close();
  });
});

describe('reads at bad offsets', () => {
  const tmp = useTempDir('stemedb-wal-off-');

  test('a read that is not at a record boundary, or beyond the head, fails with a typed error', async () => {
    const wal = await Wal.open({ dir: tmp.path, durability: 'none', logger: memoryLogger() });
    const a = await wal.append(payloadOf(100));
    await wal.append(payloadOf(100));
    for (const off of [1, 39, 40, a.nextOffset - 1, a.nextOffset + 7]) {
      await expect(wal.read(off)).rejects.toMatchObject({ name: 'WalOffsetError', kind: 'not_boundary', offset: off });
      await expect(wal.readFrom(off, 4096)).rejects.toMatchObject({ kind: 'not_boundary' });
    }
    await expect(wal.read(wal.headOffset)).rejects.toMatchObject({ kind: 'beyond_head' });
    await expect(wal.read(-1)).rejects.toMatchObject({ kind: 'not_boundary' });
    await wal.close();
  });
});

describe('in-process tail', () => {
  const tmp = useTempDir('stemedb-wal-tail-');

  test('a tail sees every append in order exactly once while appends continue, without polling', async () => {
    const wal = await Wal.open({ dir: tmp.path, durability: 'fsync', segmentBytesMax: 8192, logger: memoryLogger() });
    const early = await wal.append(Buffer.from('before the tail started'));
    const abort = new AbortController();
    const seen: { offset: number; payload: Buffer }[] = [];
    let total = 0;
    const expected = 1 + 8 * 100;
    const consumer = (async () => {
      for await (const r of wal.tail(0, { signal: abort.signal, bytesMax: 2048 })) {
        seen.push({ offset: r.offset, payload: Buffer.from(r.payload) });
        if (++total === expected) abort.abort();
      }
    })();
    const acked = new Map<number, Buffer>([[early.offset, Buffer.from('before the tail started')]]);
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 100; i++) {
          const p = payloadOf(1 + Math.floor(Math.random() * 400));
          acked.set((await wal.append(p)).offset, p);
        }
      }),
    );
    await consumer;
    expect(seen.map((s) => s.offset)).toEqual([...acked.keys()].sort((x, y) => x - y));
    for (const s of seen) expect(s.payload.equals(acked.get(s.offset)!)).toBe(true);
    await wal.close();
  });

  test('a tail from the head waits for the next append and ends when the log closes', async () => {
    const wal = await Wal.open({ dir: tmp.path, durability: 'fsync', logger: memoryLogger() });
    await wal.append(Buffer.from('x'));
    const from = wal.headOffset;
    const got: string[] = [];
    const consumer = (async () => {
      for await (const r of wal.tail(from)) got.push(r.payload.toString());
    })();
    await wal.append(Buffer.from('y'));
    await wal.waitFor(wal.headOffset);
    await wal.close();
    await consumer;
    expect(got).toEqual(['y']);
  });

  test('waitFor resolves once the head reaches the offset and honours abort', async () => {
    const wal = await Wal.open({ dir: tmp.path, durability: 'none', logger: memoryLogger() });
    const waiting = wal.waitFor(41);
    await wal.append(Buffer.from('a'));
    await expect(waiting).resolves.toBeUndefined();
    const abort = new AbortController();
    const stuck = wal.waitFor(10_000, abort.signal);
    abort.abort();
    await expect(stuck).rejects.toBeDefined();
    await wal.close();
  });
});
