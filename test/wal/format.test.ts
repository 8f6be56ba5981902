import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Wal } from '../../shared/wal';
import { blake3 } from '../../shared/wal/checksum';
import { checkedFrameBytes, checkFrame, decodeSegmentHeader, encodeRecord, encodeRecordInto, encodeSegmentHeader, parseSegmentFileName, segmentFileName } from '../../shared/wal/format';
import { OFFSET_MAX, RECORD_HEADER_BYTES } from '../../shared/wal/limits';
import { REPO_ROOT } from '../helpers/process';
import { useTempDir } from '../helpers/tmp';
import { memoryLogger } from './wal-fixtures';

function docVector(): Buffer {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'WAL.md'), 'utf8');
  const block = /<!-- wal-test-vector:begin -->\s*```\n([\s\S]*?)```/.exec(doc);
  if (block === null) throw new Error('docs/WAL.md has no test vector block');
  const hex = block[1]!
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.slice(10).replace(/ /g, ''))
    .join('');
  return Buffer.from(hex, 'hex');
}

describe('WAL on-disk format', () => {
  const tmp = useTempDir('stemedb-wal-fmt-');

  test('the test vector in docs/WAL.md is exactly what the encoder writes, and a WAL opens and reads it', async () => {
    const vector = docVector();
    expect(vector.equals(Buffer.concat([encodeSegmentHeader(0), encodeRecord(0, Buffer.from('stemedb'))]))).toBe(true);
    writeFileSync(join(tmp.path, '0000000000000000.wal'), vector);
    const wal = await Wal.open({ dir: tmp.path, durability: 'none', logger: memoryLogger() });
    expect(wal.headOffset).toBe(47);
    const r = await wal.read(0);
    expect(r.payload.toString()).toBe('stemedb');
    expect(r.hash.equals(blake3(Buffer.from('stemedb')))).toBe(true);
    expect(wal.recoveryReport.truncatedBytes).toBe(0);
    await wal.close();
  });

  test('segment file names round-trip and other names are ignored', () => {
    expect(segmentFileName(0)).toBe('0000000000000000.wal');
    expect(segmentFileName(0x40001a8)).toBe('00000000040001a8.wal');
    expect(parseSegmentFileName('00000000040001a8.wal')).toBe(0x40001a8);
    for (const bad of ['LOCK', '40001a8.wal', '00000000040001A8.wal', '00000000040001a8.wal.tmp']) expect(parseSegmentFileName(bad)).toBeUndefined();
    fc.assert(fc.property(fc.integer({ min: 0, max: OFFSET_MAX }), (o) => parseSegmentFileName(segmentFileName(o)) === o));
  });

  test('every single bit flip in a segment header is detected', () => {
    const h = encodeSegmentHeader(123456789);
    expect(decodeSegmentHeader(h)).toEqual({ ok: true, baseOffset: 123456789 });
    for (let bit = 0; bit < h.length * 8; bit++) {
      const d = Buffer.from(h);
      d[bit >> 3]! ^= 1 << (bit & 7);
      expect(decodeSegmentHeader(d).ok).toBe(false);
    }
  });

  test('frames round-trip for any payload and offset, and any single bit flip is detected', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: OFFSET_MAX - 400 }), fc.nat(), (payload, offset, flipSeed) => {
        const frame = encodeRecord(offset, payload);
        const ok = checkFrame(frame, 0, offset, frame.length);
        if (ok.kind !== 'ok' || !ok.record.payload.equals(Buffer.from(payload)) || ok.record.nextOffset !== offset + frame.length) return false;
        const bit = flipSeed % (frame.length * 8);
        const damaged = Buffer.from(frame);
        damaged[bit >> 3]! ^= 1 << (bit & 7);
        if (checkFrame(damaged, 0, offset, damaged.length).kind === 'ok') return false;
        // The CRC binds the frame to its offset: the same bytes do not verify elsewhere.
        return checkFrame(frame, 0, offset + 1, frame.length).kind !== 'ok';
      }),
    );
  });
  test('checkedFrameBytes gives the good frame\'s size and the same problem as checkFrame for any damage, cut or wrong offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: OFFSET_MAX - 400 }), fc.nat(), fc.nat(), (payload, offset, flipSeed, cutSeed) => {
        const frame = encodeRecord(offset, payload);
        if (checkedFrameBytes(frame, 0, offset, frame.length) !== frame.length) return false;
        const damaged = Buffer.from(frame);
        const bit = flipSeed % (frame.length * 8);
        damaged[bit >> 3]! ^= 1 << (bit & 7);
        const cut = frame.subarray(0, cutSeed % frame.length);
        const cases: [Buffer, number, number][] = [
          [damaged, offset, damaged.length],
          [frame, offset + 1, frame.length],
          [cut, offset, frame.length],
          [frame, offset, frame.length - 1],
        ];
        return cases.every(([buf, at, limit]) => {
          const bytes = checkedFrameBytes(buf, 0, at, limit);
          const full = checkFrame(buf, 0, at, limit);
          return typeof bytes !== 'number' && full.kind !== 'ok' && JSON.stringify(bytes) === JSON.stringify(full);
        });
      }),
    );
  });
  test('frames written back to back into one buffer are byte for byte the frames encoded one by one; a frame that does not fit is refused', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 6 }), fc.integer({ min: 0, max: OFFSET_MAX - 2000 }), (payloads, offset) => {
        const one = payloads.map((p, i) => encodeRecord(offset + payloads.slice(0, i).reduce((n, q) => n + RECORD_HEADER_BYTES + q.length, 0), p));
        const out = Buffer.alloc(one.reduce((n, f) => n + f.length, 0));
        let pos = 0;
        let at = offset;
        for (const p of payloads) {
          pos = encodeRecordInto(out, pos, at, p);
          at += RECORD_HEADER_BYTES + p.length;
        }
        return pos === out.length && out.equals(Buffer.concat(one));
      }),
    );
    const payload = Buffer.from('payload');
    const frameBytes = RECORD_HEADER_BYTES + payload.length;
    expect(encodeRecordInto(Buffer.alloc(frameBytes + 1), 1, 0, payload)).toBe(frameBytes + 1);
    expect(() => encodeRecordInto(Buffer.alloc(frameBytes + 1), 2, 0, payload)).toThrow(/does not fit/);
    expect(() => encodeRecordInto(Buffer.alloc(frameBytes), -1, 0, payload)).toThrow(/does not fit/);
  });
});
