/**
 * The reader's checksums compute in place what the libraries compute on
 * copies: crc32cRange is crc-32's crc32c.buf over a subarray, blake3 and
 * blake3Matches are blake3-wasm's hash (random inputs, every length class of
 * the slice-by-16 loop and its tail).
 */
import fc from 'fast-check';
import { hash as libraryBlake3 } from 'blake3-wasm';
import * as crc32c from 'crc-32/crc32c';
import { blake3, blake3Matches, crc32cRange, frameCrc } from '../../shared/wal/checksum';

describe('WAL checksums', () => {
  test('crc32cRange is crc32c.buf of the same bytes, for any range and seed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200, size: 'max' }), fc.nat(), fc.nat(), fc.integer(), (bytes, a, b, seed) => {
        const from = bytes.length === 0 ? 0 : a % (bytes.length + 1);
        const to = from + (bytes.length === 0 ? 0 : b % (bytes.length - from + 1));
        expect(crc32cRange(bytes, from, to, seed)).toBe(crc32c.buf(bytes.subarray(from, to), seed));
      }),
      { numRuns: 2000 },
    );
  });

  test('frameCrc is the CRC32C of offset ‖ len ‖ hash ‖ payload', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300, size: 'max' }), fc.nat({ max: 2 ** 40 }), fc.nat({ max: 16 }), (payload, offset, lead) => {
        const frame = Buffer.alloc(lead + 40 + payload.length);
        frame.writeUInt32LE(payload.length, lead);
        frame.set(blake3(payload), lead + 8);
        frame.set(payload, lead + 40);
        const prefix = Buffer.alloc(8);
        prefix.writeUInt32LE(offset % 2 ** 32, 0);
        prefix.writeUInt32LE(Math.floor(offset / 2 ** 32), 4);
        const expected = crc32c.buf(Buffer.concat([prefix, frame.subarray(lead, lead + 4), frame.subarray(lead + 8)])) >>> 0;
        expect(frameCrc(offset, frame, lead, payload.length)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  test('blake3 and blake3Matches agree with blake3-wasm, and a changed byte fails the match', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000, size: 'max' }), fc.nat({ max: 8 }), fc.nat(), (data, at, flip) => {
        const expected = libraryBlake3(data) as Buffer;
        expect(blake3(data).equals(expected)).toBe(true);
        const holder = Buffer.concat([Buffer.alloc(at), expected, Buffer.alloc(3)]);
        expect(blake3Matches(data, holder, at)).toBe(true);
        holder[at + (flip % 32)]! ^= 1;
        expect(blake3Matches(data, holder, at)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
