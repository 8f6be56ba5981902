/**
 * The two checksums of a record. CRC32C is cheap and catches torn or shifted
 * frames (it is seeded with the record's global offset, so a valid frame copied
 * to another position does not verify there); BLAKE3 verifies the payload content.
 */
import * as crc32c from 'crc-32/crc32c';
import { blake3, blake3Into } from '../domain/hash';
import { HASH_BYTES } from '../domain/limits';

export const BLAKE3_BYTES = HASH_BYTES;
export { blake3 };

const hashScratch = Buffer.alloc(BLAKE3_BYTES);

/** Whether BLAKE3(`data`) is the 32 bytes of `expected` from `at` (hashed into a scratch: nothing allocated per call). */
export function blake3Matches(data: Uint8Array, expected: Uint8Array, at: number): boolean {
  blake3Into(data, hashScratch);
  return hashScratch.compare(expected, at, at + BLAKE3_BYTES) === 0;
}

const offsetScratch = Buffer.alloc(8);

/**
 * CRC32C over `offset (u64 LE) ‖ len (u32 LE) ‖ hash ‖ payload`, where `frame`
 * holds `[len][crc][hash][payload]` starting at `start`. Returned unsigned.
 * The two frame ranges are read in place (no subarray views per record).
 */
export function frameCrc(offset: number, frame: Uint8Array, start: number, payloadBytes: number): number {
  writeU64(offsetScratch, 0, offset);
  let c = crc32cRange(offsetScratch, 0, 8, 0);
  c = crc32cRange(frame, start, start + 4, c);
  c = crc32cRange(frame, start + 8, start + 40 + payloadBytes, c);
  return c >>> 0;
}

/**
 * crc-32's slice-by-16 tables, derived from its published CRC32C table the way
 * it derives them, so `crc32cRange` is its `buf` over a range of bytes.
 */
const T = sliceBy16Tables(Int32Array.from((crc32c as unknown as { table: ArrayLike<number> }).table));

function sliceBy16Tables(t0: Int32Array): Int32Array[] {
  const tables = [t0];
  for (let k = 1; k < 16; k++) {
    const prev = tables[k - 1]!;
    const next = new Int32Array(256);
    for (let n = 0; n < 256; n++) next[n] = (prev[n]! >>> 8) ^ t0[prev[n]! & 0xff]!;
    tables.push(next);
  }
  return tables;
}

const [T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, Ta, Tb, Tc, Td, Te, Tf] = T as [
  Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array,
  Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array,
];

/** `crc32c.buf(b.subarray(from, to), seed)` (signed, as crc-32 returns it), without the view. */
export function crc32cRange(b: Uint8Array, from: number, to: number, seed: number): number {
  let c = seed ^ -1;
  let i = from;
  const fast = to - 15;
  while (i < fast) {
    c =
      Tf[b[i++]! ^ (c & 255)]! ^
      Te[b[i++]! ^ ((c >> 8) & 255)]! ^
      Td[b[i++]! ^ ((c >> 16) & 255)]! ^
      Tc[b[i++]! ^ (c >>> 24)]! ^
      Tb[b[i++]!]! ^
      Ta[b[i++]!]! ^
      T9[b[i++]!]! ^
      T8[b[i++]!]! ^
      T7[b[i++]!]! ^
      T6[b[i++]!]! ^
      T5[b[i++]!]! ^
      T4[b[i++]!]! ^
      T3[b[i++]!]! ^
      T2[b[i++]!]! ^
      T1[b[i++]!]! ^
      T0[b[i++]!]!;
  }
  while (i < to) c = (c >>> 8) ^ T0[(c ^ b[i++]!) & 0xff]!;
  return ~c;
}

/** Write a non-negative safe integer as u64 LE (no BigInt on the hot path). */
export function writeU64(buf: Buffer, at: number, value: number): void {
  buf.writeUInt32LE(value % 0x1_0000_0000, at);
  buf.writeUInt32LE(Math.floor(value / 0x1_0000_0000), at + 4);
}

/** Read a u64 LE; values above 2^53 come back as non-safe numbers (callers check). */
export function readU64(buf: Uint8Array, at: number): number {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  return b.readUInt32LE(at) + b.readUInt32LE(at + 4) * 0x1_0000_0000;
}

/** CRC32C of a byte range, unsigned. */
export function crc32cOf(data: Uint8Array): number {
  return crc32cRange(data, 0, data.length, 0) >>> 0;
}
