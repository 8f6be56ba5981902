/**
 * The two checksums of a record. CRC32C is cheap and catches torn or shifted
 * frames (it is seeded with the record's global offset, so a valid frame copied
 * to another position does not verify there); BLAKE3 verifies the payload content.
 */
import { hash as blake3Hash } from 'blake3-wasm';
import * as crc32c from 'crc-32/crc32c';

export const BLAKE3_BYTES = 32;

export function blake3(data: Uint8Array): Buffer {
  return Buffer.from(blake3Hash(data) as Uint8Array);
}

const offsetScratch = Buffer.alloc(8);

/**
 * CRC32C over `offset (u64 LE) ‖ len (u32 LE) ‖ hash ‖ payload`, where `frame`
 * holds `[len][crc][hash][payload]` starting at `start`. Returned unsigned.
 */
export function frameCrc(offset: number, frame: Uint8Array, start: number, payloadBytes: number): number {
  writeU64(offsetScratch, 0, offset);
  let c = crc32c.buf(offsetScratch);
  c = crc32c.buf(frame.subarray(start, start + 4), c);
  c = crc32c.buf(frame.subarray(start + 8, start + 40 + payloadBytes), c);
  return c >>> 0;
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
  return crc32c.buf(data) >>> 0;
}
