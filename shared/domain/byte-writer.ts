/**
 * A little-endian byte builder for the canonical encoding: grows by doubling,
 * writes each primitive exactly as docs/FORMAT.md lays it out.
 */
import { BYTE_WRITER_INITIAL_BYTES } from './limits';

const U32_MAX = 0xffff_ffff;
const TWO_TO_32 = 2 ** 32;

export class ByteWriter {
  private buf: Buffer = Buffer.allocUnsafe(BYTE_WRITER_INITIAL_BYTES);
  private pos = 0;

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(value: number): this {
    this.reserve(1);
    this.buf.writeUInt8(value, this.pos);
    this.pos += 1;
    return this;
  }

  u32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > U32_MAX) throw new RangeError(`u32 out of range: ${value}`);
    this.reserve(4);
    this.buf.writeUInt32LE(value, this.pos);
    this.pos += 4;
    return this;
  }

  /** Two's complement, 8 bytes. */
  i64(value: bigint | number): this {
    this.reserve(8);
    if (typeof value === 'number' && Number.isSafeInteger(value)) {
      // Without a BigInt per value (timestamps are numbers): |value| < 2^53, so
      // the high word fits an i32 and the low word is the exact remainder.
      const high = Math.floor(value / TWO_TO_32);
      this.buf.writeUInt32LE(value - high * TWO_TO_32, this.pos);
      this.buf.writeInt32LE(high, this.pos + 4);
    } else {
      this.buf.writeBigInt64LE(BigInt(value), this.pos);
    }
    this.pos += 8;
    return this;
  }

  u64(value: bigint): this {
    this.reserve(8);
    this.buf.writeBigUInt64LE(value, this.pos);
    this.pos += 8;
    return this;
  }

  /** IEEE-754 binary64; −0 is written as +0 so equal numbers hash equally. */
  f64(value: number): this {
    this.reserve(8);
    this.buf.writeDoubleLE(value === 0 ? 0 : value, this.pos);
    this.pos += 8;
    return this;
  }

  /** Exactly `length` raw bytes, no prefix. */
  fixed(bytes: Uint8Array, length: number): this {
    if (bytes.length !== length) throw new RangeError(`expected ${length} bytes, got ${bytes.length}`);
    this.reserve(length);
    this.buf.set(bytes, this.pos);
    this.pos += length;
    return this;
  }

  /** u32 length prefix, then the bytes. */
  bytes(bytes: Uint8Array): this {
    this.u32(bytes.length);
    return this.fixed(bytes, bytes.length);
  }

  /** u32 UTF-8 byte length, then the UTF-8 bytes. */
  str(text: string): this {
    const length = Buffer.byteLength(text, 'utf8');
    this.u32(length);
    this.reserve(length);
    this.pos += this.buf.write(text, this.pos, length, 'utf8');
    return this;
  }

  /** A copy of everything written so far. */
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  /** Everything written so far, not copied: valid until the next write or `reset`. */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Bytes the writer holds (its buffer, written or not). */
  get capacity(): number {
    return this.buf.length;
  }

  /** Starts over on the same buffer (a reused scratch writer). */
  reset(): this {
    this.pos = 0;
    return this;
  }
}
