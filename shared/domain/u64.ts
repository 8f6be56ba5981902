/**
 * u64 big-endian fields holding JavaScript safe integers (offsets, counters,
 * millisecond times), written as two u32 halves: the same bytes as
 * writeBigUInt64BE(BigInt(v)) without allocating a BigInt — these are on
 * ingest's hot paths (keys, stored records, vote histories).
 */
const U32 = 2 ** 32;

/** Writes `value` at `pos`; returns the position after it. Throws RangeError unless it is an integer 0..2^53-1. */
export function writeU64BE(buf: Buffer, value: number, pos: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`a u64 field holds an integer 0..2^53-1, got ${value}`);
  buf.writeUInt32BE(Math.floor(value / U32), pos);
  buf.writeUInt32BE(value % U32, pos + 4);
  return pos + 8;
}
