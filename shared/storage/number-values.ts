/**
 * Value encodings of the atomic counters: `fetchAndAddU64` (unsigned 64-bit
 * big-endian, 8 bytes) and `compareAndSwapF32` (IEEE-754 binary32 big-endian,
 * 4 bytes). Big-endian so the values read naturally in a hex dump.
 *
 * The pure step functions are shared by both backends, which differ only in how
 * they make the read-modify-write atomic.
 */
import { U64_MAX } from './limits';

export const U64_VALUE_BYTES = 8;
export const F32_VALUE_BYTES = 4;

export function encodeU64(value: bigint): Buffer {
  const b = Buffer.allocUnsafe(U64_VALUE_BYTES);
  b.writeBigUInt64BE(value);
  return b;
}

export function encodeF32(value: number): Buffer {
  const b = Buffer.allocUnsafe(F32_VALUE_BYTES);
  b.writeFloatBE(value);
  return b;
}

/** Previous value and the bytes to store, or the reason the add is refused. */
export type AddStep = { readonly ok: true; readonly previous: bigint; readonly next: Buffer } | { readonly ok: false; readonly reason: string };

/** The pure part of fetchAndAddU64: current stored bytes (undefined = 0) plus delta. */
export function addStep(current: Buffer | undefined, delta: bigint): AddStep {
  if (current !== undefined && current.length !== U64_VALUE_BYTES) {
    return { ok: false, reason: `stored value is ${current.length} bytes, not a ${U64_VALUE_BYTES}-byte u64` };
  }
  const previous = current === undefined ? 0n : current.readBigUInt64BE(0);
  const sum = previous + delta;
  if (sum < 0n || sum > U64_MAX) return { ok: false, reason: `${previous} + ${delta} leaves the u64 range` };
  return { ok: true, previous, next: encodeU64(sum) };
}

/** The pure part of compareAndSwapF32, or the reason the stored value is unusable. */
export type CasStep = { readonly ok: true; readonly swap: boolean } | { readonly ok: false; readonly reason: string };

export function casStep(current: Buffer | undefined, expected: number | undefined): CasStep {
  if (current === undefined) return { ok: true, swap: expected === undefined };
  if (current.length !== F32_VALUE_BYTES) return { ok: false, reason: `stored value is ${current.length} bytes, not a ${F32_VALUE_BYTES}-byte f32` };
  return { ok: true, swap: expected !== undefined && current.readFloatBE(0) === Math.fround(expected) };
}
