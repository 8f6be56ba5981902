/**
 * Fixed-width numbers as stored values: u64 big-endian (counters, offsets —
 * the same layout as the store's fetchAndAddU64) and f64 big-endian (vote
 * weights, trust ranks: doubles, so no precision is lost between ingest and a
 * fresh computation).
 */
import { GraphValueError } from './errors';
import { writeU64BE } from '../domain/u64';

export const U64_BYTES = 8;
export const F64_BYTES = 8;

export function encodeU64(value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`u64 value must be an integer 0..2^53-1, got ${value}`);
  const b = Buffer.allocUnsafe(U64_BYTES);
  writeU64BE(b, value, 0);
  return b;
}

export function decodeU64(bytes: Buffer, tag: string): number {
  if (bytes.length !== U64_BYTES) throw new GraphValueError(tag, `u64 value is ${bytes.length} bytes, not ${U64_BYTES}`);
  const value = bytes.readBigUInt64BE(0);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new GraphValueError(tag, `u64 value ${value} is above 2^53-1`);
  return Number(value);
}

export function encodeF64(value: number): Buffer {
  if (!Number.isFinite(value)) throw new RangeError(`f64 value must be finite, got ${value}`);
  const b = Buffer.allocUnsafe(F64_BYTES);
  b.writeDoubleBE(value);
  return b;
}

export function decodeF64(bytes: Buffer, tag: string): number {
  if (bytes.length !== F64_BYTES) throw new GraphValueError(tag, `f64 value is ${bytes.length} bytes, not ${F64_BYTES}`);
  const value = bytes.readDoubleBE(0);
  if (!Number.isFinite(value)) throw new GraphValueError(tag, `f64 value ${value} is not finite`);
  return value;
}
