/**
 * Tear tests: damage the end of the log the way a crash can, reopen, and check the
 * log comes back at exactly the last good record with the cut bytes quarantined.
 */
import { cpSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Wal, WalCorruptionError } from '../../shared/wal';
import { RECORD_HEADER_BYTES, SEGMENT_HEADER_BYTES } from '../../shared/wal/limits';
import { makeTempDir, useTempDir } from '../helpers/tmp';
import { memoryLogger, payloadOf, quarantineFiles, readQuarantine, segmentFiles } from './wal-fixtures';

interface Golden {
  payloads: Buffer[];
  offsets: number[];
  head: number;
  /** The last segment's file name and its bytes. */
  lastFile: string;
  lastBytes: Buffer;
  /** File position of the last record in the last segment. */
  lastRecordPosition: number;
}

async function buildGolden(dir: string, sizes: number[], segmentBytesMax = 64 * 1024 * 1024): Promise<Golden> {
  const wal = await Wal.open({ dir, durability: 'none', segmentBytesMax, logger: memoryLogger() });
  const payloads = sizes.map((n) => payloadOf(n));
  const offsets: number[] = [];
  for (const p of payloads) offsets.push((await wal.append(p)).offset);
  const head = wal.headOffset;
  const last = wal.segments()[wal.segments().length - 1]!;
  await wal.close();
  return {
    payloads,
    offsets,
    head,
    lastFile: last.fileName,
    lastBytes: readFileSync(join(dir, last.fileName)),
    lastRecordPosition: SEGMENT_HEADER_BYTES + offsets[offsets.length - 1]! - last.baseOffset,
  };
}

/** Reopen `dir`, check it holds exactly the first `keep` records, and that appending and re-reading works. */
async function expectReopensWith(dir: string, g: Golden, keep: number): Promise<Wal> {
  const wal = await Wal.open({ dir, durability: 'none', logger: memoryLogger() });
  const end = keep === 0 ? 0 : g.offsets[keep - 1]! + RECORD_HEADER_BYTES + g.payloads[keep - 1]!.length;
  expect(wal.headOffset).toBe(end);
  for (let i = 0; i < keep; i++) expect((await wal.read(g.offsets[i]!)).payload.equals(g.payloads[i]!)).toBe(true);
  const more = await wal.append(Buffer.from('after repair'));
  expect(more.offset).toBe(end);
  expect((await wal.read(more.offset)).payload.toString()).toBe('after repair');
  return wal;
}

describe('torn tails', () => {
  const tmp = useTempDir('stemedb-wal-tear-');

  test('a cut at every byte position inside the last record reopens to the records before it, cut bytes quarantined byte-exact', async () => {
    const g = await buildGolden(tmp.path, [10, 300, 77, 120]);
    const start = g.lastRecordPosition;
    for (let cut = start + 1; cut < g.lastBytes.length; cut++) {
      const copy = makeTempDir('stemedb-wal-cut-');
      try {
        cpSync(tmp.path, copy.path, { recursive: true });
        truncateSync(join(copy.path, g.lastFile), cut);
        const wal = await expectReopensWith(copy.path, g, g.payloads.length - 1);
        expect(wal.recoveryReport.truncatedBytes).toBe(cut - start);
        const q = quarantineFiles(copy.path);
        expect(q).toHaveLength(1);
        expect(wal.recoveryReport.quarantineFile).toBe(join('quarantine', q[0]!));
        expect(readQuarantine(copy.path, q[0]!).equals(g.lastBytes.subarray(start, cut))).toBe(true);
        await wal.close();
      } finally {
        copy.cleanup();
      }
    }
  });

  test('a zeroed 512-byte sector in the middle of the last record is a torn tail', async () => {
    const g = await buildGolden(tmp.path, [50, 2000]);
    const damaged = Buffer.from(g.lastBytes);
    damaged.fill(0, g.lastRecordPosition + 600, g.lastRecordPosition + 1112);
    writeFileSync(join(tmp.path, g.lastFile), damaged);
    const wal = await expectReopensWith(tmp.path, g, 1);
    const q = quarantineFiles(tmp.path);
    expect(readQuarantine(tmp.path, q[0]!).equals(damaged.subarray(g.lastRecordPosition))).toBe(true);
    await wal.close();
  });

  test('a tail re-extended with zeros after the last good record is cut and quarantined', async () => {
    const g = await buildGolden(tmp.path, [50, 60, 70]);
    writeFileSync(join(tmp.path, g.lastFile), Buffer.concat([g.lastBytes, Buffer.alloc(4096)]));
    const wal = await expectReopensWith(tmp.path, g, 3);
    expect(wal.recoveryReport.truncatedBytes).toBe(4096);
    expect(readQuarantine(tmp.path, quarantineFiles(tmp.path)[0]!).equals(Buffer.alloc(4096))).toBe(true);
    await wal.close();
  });

  test('a torn last record followed by zeros is cut at the record start', async () => {
    const g = await buildGolden(tmp.path, [50, 600]);
    const torn = g.lastBytes.subarray(0, g.lastRecordPosition + 300);
    writeFileSync(join(tmp.path, g.lastFile), Buffer.concat([torn, Buffer.alloc(8192)]));
    const wal = await expectReopensWith(tmp.path, g, 1);
    expect(wal.recoveryReport.truncatedBytes).toBe(300 + 8192);
    await wal.close();
  });

  // Field positions inside a frame: len 0..3, crc 4..7, blake3 8..39, payload 40..
  test.each([
    ['len (low bit)', 0, 0],
    ['len (high bit)', 3, 7],
    ['len (middle bit)', 1, 2],
    ['crc', 5, 4],
    ['hash', 20, 1],
    ['payload', 40 + 33, 6],
  ])('a bit flip in the %s of the tail record is a torn tail', async (_field, at, bit) => {
    const g = await buildGolden(tmp.path, [80, 90, 100]);
    const damaged = Buffer.from(g.lastBytes);
    damaged[g.lastRecordPosition + at]! ^= 1 << bit;
    writeFileSync(join(tmp.path, g.lastFile), damaged);
    const wal = await expectReopensWith(tmp.path, g, 2);
    const q = quarantineFiles(tmp.path);
    expect(readQuarantine(tmp.path, q[0]!).equals(damaged.subarray(g.lastRecordPosition))).toBe(true);
    await wal.close();
  });
});

describe('corruption before the tail', () => {
  const tmp = useTempDir('stemedb-wal-corrupt-');

  async function expectRefused(dir: string, file: string, offset: number): Promise<void> {
    const err = await Wal.open({ dir, durability: 'none', logger: memoryLogger() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WalCorruptionError);
    const c = err as WalCorruptionError;
    expect(c.file).toBe(file);
    expect(c.offset).toBe(offset);
    expect(c.message).toContain(file);
    expect(c.message).toContain(String(offset));
    expect(quarantineFiles(dir)).toEqual([]);
  }

  test.each([
    ['len', 0, 1],
    ['crc', 6, 0],
    ['hash', 8, 5],
    ['payload', 45, 3],
  ])('a bit flip in the %s of an earlier record in the last segment makes open refuse, naming segment and offset', async (_f, at, bit) => {
    const g = await buildGolden(tmp.path, [80, 90, 100]);
    const damaged = Buffer.from(g.lastBytes);
    const pos = SEGMENT_HEADER_BYTES + g.offsets[1]!;
    damaged[pos + at]! ^= 1 << bit;
    writeFileSync(join(tmp.path, g.lastFile), damaged);
    await expectRefused(tmp.path, g.lastFile, g.offsets[1]!);
    // Nothing was cut: the file is as damaged, not truncated.
    expect(readFileSync(join(tmp.path, g.lastFile)).equals(damaged)).toBe(true);
  });

  test('a bit flip in a record of an earlier segment makes open refuse, naming segment and offset', async () => {
    const sizes = Array.from({ length: 40 }, () => 200);
    await buildGolden(tmp.path, sizes, 2048);
    const files = segmentFiles(tmp.path);
    expect(files.length).toBeGreaterThan(2);
    const victim = files[1]!;
    const base = parseInt(victim.slice(0, 16), 16);
    const bytes = readFileSync(join(tmp.path, victim));
    const secondRecordPos = SEGMENT_HEADER_BYTES + RECORD_HEADER_BYTES + 200;
    bytes[secondRecordPos + 50]! ^= 0x10;
    writeFileSync(join(tmp.path, victim), bytes);
    await expectRefused(tmp.path, victim, base + RECORD_HEADER_BYTES + 200);
  });

  test('a truncated header of an earlier segment makes open refuse', async () => {
    await buildGolden(tmp.path, Array.from({ length: 40 }, () => 200), 2048);
    const first = segmentFiles(tmp.path)[0]!;
    truncateSync(join(tmp.path, first), SEGMENT_HEADER_BYTES - 1);
    await expectRefused(tmp.path, first, 0);
  });
});

describe('torn segment creation', () => {
  const tmp = useTempDir('stemedb-wal-newseg-');

  test.each([0, 1, SEGMENT_HEADER_BYTES - 1])('a last segment whose header was cut to %i bytes is quarantined and removed', async (keep) => {
    const g = await buildGolden(tmp.path, [100, 100, 100]);
    const fresh = join(tmp.path, g.head.toString(16).padStart(16, '0') + '.wal');
    const header = readFileSync(join(tmp.path, segmentFiles(tmp.path)[0]!)).subarray(0, keep);
    writeFileSync(fresh, header);
    const wal = await expectReopensWith(tmp.path, g, 3);
    expect(wal.recoveryReport.truncatedBytes).toBe(keep);
    expect(quarantineFiles(tmp.path)).toHaveLength(1);
    await wal.close();
  });

  test('a last segment with a bad header and data in it makes open refuse', async () => {
    const g = await buildGolden(tmp.path, [100, 100, 100]);
    const damaged = Buffer.from(g.lastBytes);
    damaged[3]! ^= 1;
    writeFileSync(join(tmp.path, g.lastFile), damaged);
    await expectRefused0(tmp.path, g.lastFile);
  });

  async function expectRefused0(dir: string, file: string): Promise<void> {
    await expect(Wal.open({ dir, durability: 'none', logger: memoryLogger() })).rejects.toMatchObject({ name: 'WalCorruptionError', file, offset: 0 });
  }
});
