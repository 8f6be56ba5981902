/**
 * Checks that once had no test: the frame's BLAKE3 check, a damaged record read
 * at its own offset (file, offset, reason; DATA_LOSS for clients), WalReader
 * stopping at a segment gap, and OPEN_SEGMENT_FILES_MAX at ±1.
 */
import { readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { describeError } from '../../shared/grpc/status';
import { Wal, WalCorruptionError, WalOffsetError, WalReader } from '../../shared/wal';
import { blake3, frameCrc } from '../../shared/wal/checksum';
import { checkFrame, encodeRecord } from '../../shared/wal/format';
import { OPEN_SEGMENT_FILES_MAX, RECORD_HEADER_BYTES, SEGMENT_HEADER_BYTES } from '../../shared/wal/limits';
import { SegmentFiles } from '../../shared/wal/segment-files';
import { useTempDir } from '../helpers/tmp';
import { memoryLogger, payloadOf, segmentFiles } from './wal-fixtures';

/** A frame whose CRC32C is valid but whose hash is not the payload's BLAKE3: only the BLAKE3 check can catch it. */
function frameWithWrongHash(offset: number, payload: Buffer): Buffer {
  const frame = encodeRecord(offset, payload);
  blake3(Buffer.from('another payload')).copy(frame, 8);
  frame.writeUInt32LE(frameCrc(offset, frame, 0, payload.length), 4);
  return frame;
}

describe('the WAL frame BLAKE3 check', () => {
  const tmp = useTempDir('stemedb-wal-blake3-');

  test('a frame with a valid CRC32C but a wrong BLAKE3 is rejected', () => {
    const frame = frameWithWrongHash(0, Buffer.from('payload'));
    expect(checkFrame(frame, 0, 0, frame.length)).toEqual({ kind: 'bad', reason: 'record blake3 mismatch' });
    const good = encodeRecord(0, Buffer.from('payload'));
    expect(checkFrame(good, 0, 0, good.length).kind).toBe('ok');
  });

  test('such a record in the log is refused on open and by a read of a live log', async () => {
    const wal = await Wal.open({ dir: tmp.path, durability: 'none', logger: memoryLogger() });
    const a = await wal.append(payloadOf(100));
    const b = await wal.append(payloadOf(100));
    await wal.append(payloadOf(100));
    const file = join(tmp.path, segmentFiles(tmp.path)[0]!);
    const bytes = readFileSync(file);
    frameWithWrongHash(b.offset, bytes.subarray(SEGMENT_HEADER_BYTES + b.offset + RECORD_HEADER_BYTES, SEGMENT_HEADER_BYTES + b.nextOffset)).copy(bytes, SEGMENT_HEADER_BYTES + b.offset);
    writeFileSync(file, bytes);
    // The running log verified it when it was appended; a read now finds the damage, at the record's own offset.
    const err = await wal.read(b.offset).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WalCorruptionError);
    expect(err).toMatchObject({ file: segmentFiles(tmp.path)[0], offset: b.offset, reason: 'record blake3 mismatch' });
    expect((await wal.read(a.offset)).offset).toBe(a.offset);
    await wal.close();
    await expect(Wal.open({ dir: tmp.path, logger: memoryLogger() })).rejects.toMatchObject({ name: 'WalCorruptionError', offset: b.offset });
  });
});

describe('a damaged record read at its own offset', () => {
  const tmp = useTempDir('stemedb-wal-damaged-read-');

  test('is WalCorruptionError with file, offset and reason (DATA_LOSS naming them); an offset inside a record stays not_boundary', async () => {
    const wal = await Wal.open({ dir: tmp.path, durability: 'none', logger: memoryLogger() });
    const offsets: number[] = [];
    for (let i = 0; i < 5; i++) offsets.push((await wal.append(payloadOf(200))).offset);
    const file = segmentFiles(tmp.path)[0]!;
    const bytes = readFileSync(join(tmp.path, file));
    bytes[SEGMENT_HEADER_BYTES + offsets[3]! + 70]! ^= 2;
    writeFileSync(join(tmp.path, file), bytes);
    for (const read of [() => wal.read(offsets[3]!), () => wal.readFrom(offsets[3]!, 1 << 20)]) {
      const err = await read().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WalCorruptionError);
      expect(err).toMatchObject({ file, offset: offsets[3], reason: 'record crc32c mismatch' });
      const d = describeError(err, { logger: memoryLogger() });
      expect(d.code).toBe(grpc.status.DATA_LOSS);
      expect(d.details).toContain(file);
      expect(d.details).toContain(String(offsets[3]));
      expect(d.details).not.toContain(tmp.path);
    }
    // Reading across it from an earlier record names the damaged record too.
    await expect(wal.readFrom(offsets[1]!, 1 << 20)).rejects.toMatchObject({ name: 'WalCorruptionError', offset: offsets[3] });
    const inside = await wal.read(offsets[2]! + 7).catch((e: unknown) => e);
    expect(inside).toBeInstanceOf(WalOffsetError);
    expect(inside).toMatchObject({ kind: 'not_boundary' });
    expect(describeError(inside, { logger: memoryLogger() }).code).toBe(grpc.status.INVALID_ARGUMENT);
    await wal.close();
  });
});

describe('WalReader at a segment gap', () => {
  const tmp = useTempDir('stemedb-wal-reader-gap-');

  test('stops at the gap: serves nothing after it and reports the missing segment instead of waiting', async () => {
    const wal = await Wal.open({ dir: tmp.path, durability: 'none', segmentBytesMax: 1024, logger: memoryLogger() });
    const offsets: number[] = [];
    for (let i = 0; i < 30; i++) offsets.push((await wal.append(payloadOf(200))).offset);
    await wal.close();
    const files = segmentFiles(tmp.path);
    expect(files.length).toBeGreaterThan(4);
    const gapBase = parseInt(files[2]!.slice(0, 16), 16);
    unlinkSync(join(tmp.path, files[2]!));
    const reader = await WalReader.open({ dir: tmp.path, logger: memoryLogger() });
    expect(reader.headOffset).toBe(gapBase);
    expect(reader.segments().map((s) => s.fileName)).toEqual(files.slice(0, 2));
    const served = await reader.readFrom(0, 1 << 20);
    expect(served[served.length - 1]!.nextOffset).toBe(gapBase);
    const after = offsets.find((o) => o > gapBase + 1024)!;
    await expect(reader.read(after)).rejects.toMatchObject({ name: 'WalCorruptionError', file: files[2], offset: gapBase });
    await expect(reader.waitFor(gapBase + 1, AbortSignal.timeout(2000))).rejects.toMatchObject({ name: 'WalCorruptionError', offset: gapBase });
    await reader.close();
  });
});

describe('OPEN_SEGMENT_FILES_MAX', () => {
  const tmp = useTempDir('stemedb-wal-open-files-');

  const openFds = (): number => readdirSync('/proc/self/fd').length;

  test.each([
    [OPEN_SEGMENT_FILES_MAX - 1, OPEN_SEGMENT_FILES_MAX - 1],
    [OPEN_SEGMENT_FILES_MAX, OPEN_SEGMENT_FILES_MAX],
    [OPEN_SEGMENT_FILES_MAX + 1, OPEN_SEGMENT_FILES_MAX],
  ])('%i distinct segment files keep %i descriptors open', (files, expected) => {
    for (let i = 0; i < files; i++) writeFileSync(join(tmp.path, `f${i}`), 'x');
    const cache = new SegmentFiles(tmp.path);
    const before = openFds();
    const fds = Array.from({ length: files }, (_, i) => cache.fd(`f${i}`));
    expect(openFds() - before).toBe(expected);
    // The most recently used ones are still cached: asking again opens nothing.
    expect(cache.fd(`f${files - 1}`)).toBe(fds[files - 1]);
    expect(openFds() - before).toBe(expected);
    cache.closeAll();
    expect(openFds()).toBe(before);
  });
});

describe('WalReader and a write in progress', () => {
  const tmp = useTempDir('stemedb-wal-reader-race-');

  test('damage in the active segment counts only once two refreshes agree (a read racing the writer is not corruption)', async () => {
    const wal = await Wal.open({ dir: tmp.path, durability: 'none', logger: memoryLogger() });
    await wal.append(payloadOf(100));
    const head = wal.headOffset;
    await wal.close();
    const reader = await WalReader.open({ dir: tmp.path, logger: memoryLogger() });
    expect(reader.headOffset).toBe(head);
    // What a read racing a write can see: the second frame complete, a stretch of the first not yet copied.
    const first = encodeRecord(head, payloadOf(1000));
    const second = encodeRecord(head + first.length, payloadOf(50));
    const file = join(tmp.path, segmentFiles(tmp.path)[0]!);
    const at = SEGMENT_HEADER_BYTES + head;
    const partial = Buffer.from(first);
    const hole = Math.ceil((at + 41) / 512) * 512 - at + 100;
    partial.fill(0, hole, hole + 200);
    writeFileSync(file, Buffer.concat([readFileSync(file), partial, second]));
    await expect(reader.readFrom(head, 1 << 20)).rejects.toMatchObject({ name: 'WalOffsetError', kind: 'beyond_head' });
    // The write completes: the reader serves both records.
    const bytes = readFileSync(file);
    first.copy(bytes, at);
    writeFileSync(file, bytes);
    expect((await reader.readFrom(head, 1 << 20)).map((r) => r.offset)).toEqual([head, head + first.length]);
    // Damage that stays is reported on the second look.
    bytes[at + 500]! ^= 1;
    writeFileSync(file, bytes);
    const fresh = await WalReader.open({ dir: tmp.path, logger: memoryLogger() });
    await expect(fresh.readFrom(head, 1 << 20)).rejects.toMatchObject({ name: 'WalCorruptionError', offset: head });
    await fresh.close();
    await reader.close();
  });
});
