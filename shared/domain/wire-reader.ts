/**
 * A protobuf wire reader that reads exactly as the generated code does
 * (ts-proto over `@bufbuild/protobuf/wire`'s BinaryReader) and, in the same
 * pass, judges whether each value is spelled canonically (docs/FORMAT.md,
 * "The record decoder"). record-decoder.ts builds domain records with it.
 *
 * Mirrored exactly, because a record must decode the same whichever decoder
 * reads it: varints of up to 10 bytes (bits past 32 or 64 dropped), every read
 * bounded by the end of the whole buffer — not of the enclosing message —
 * with a "premature EOF" past it, strings strict UTF-8 (strict-utf8.ts),
 * unknown fields skipped (groups too, nested at most WIRE_GROUP_DEPTH_MAX
 * deep). The message loops themselves (tag 0 and end-group stop a message,
 * the last of a field wins) are record-decoder.ts's.
 *
 * Canonical here is canonical-record-wire.ts's rule per value: varints in
 * their shortest form within 64 bits, lengths shortest and below 2^28,
 * implicit-presence values absent when zero or empty, doubles never NaN.
 */
import { ASCII_SCAN_BYTES_MAX, WIRE_GROUP_DEPTH_MAX } from './limits';
import { LENGTH_BYTES_CANONICAL_MAX, VARINT_BYTES_MAX, WIRE_END_GROUP, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_START_GROUP, WIRE_VARINT } from './wire-fields';

/** What BinaryReader would have thrown: the bytes are not a protobuf message of this schema. */
export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
}


const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const scratch = new DataView(new ArrayBuffer(8));

export class WireReader {
  pos: number;
  /** The end of the whole buffer: every read is bounded by it (as BinaryReader's `len`). */
  readonly len: number;
  /** Whether every value read so far was spelled canonically. */
  canonical = true;
  /** The low and high 32 bits of the last varint64 (as BinaryReader's varint64Lo / varint64Hi). */
  lo = 0;
  hi = 0;

  /** Bytes of the last length prefix read (`length`, `range`, `bytes`, `string`). */
  lengthBytes = 0;

  constructor(
    readonly buf: Buffer,
    pos = 0,
  ) {
    this.pos = pos;
    this.len = buf.length;
  }

  /** `varint32read`: a varint as uint32 (bits past 32 dropped), at most 10 bytes. */
  uint32(): number {
    const buf = this.buf;
    let b = buf[this.pos++]!;
    if ((b & 0x80) === 0) {
      this.assertBounds();
      return b;
    }
    let result = b & 0x7f;
    for (let shift = 7; shift < 28; shift += 7) {
      b = buf[this.pos++]!;
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        this.assertBounds();
        return result;
      }
    }
    b = buf[this.pos++]!;
    result |= (b & 0x0f) << 28;
    for (let read = 5; (b & 0x80) !== 0 && read < VARINT_BYTES_MAX; read++) b = buf[this.pos++]!;
    if ((b & 0x80) !== 0) throw new WireFormatError('invalid varint');
    this.assertBounds();
    return result >>> 0;
  }

  /** A length prefix: uint32, judged canonical only when shortest and at most 4 bytes. */
  length(): number {
    const start = this.pos;
    const len = this.uint32();
    this.lengthBytes = this.pos - start;
    if (this.canonical && (this.pos - start > LENGTH_BYTES_CANONICAL_MAX || !shortest(this.buf, start, this.pos))) this.canonical = false;
    return len;
  }

  /** `varint64read` into `lo`/`hi`; `implicit`: a zero is not canonical (it would be absent). */
  varint64(implicit: boolean): void {
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    let lo = 0;
    let hi = 0;
    let done = false;
    for (let shift = 0; shift < 28 && !done; shift += 7) {
      const b = buf[pos++]!;
      lo |= (b & 0x7f) << shift;
      done = (b & 0x80) === 0;
    }
    if (!done) {
      const middle = buf[pos++]!;
      lo |= (middle & 0x0f) << 28;
      hi = (middle & 0x70) >> 4;
      done = (middle & 0x80) === 0;
      for (let shift = 3; shift <= 31 && !done; shift += 7) {
        const b = buf[pos++]!;
        hi |= (b & 0x7f) << shift;
        done = (b & 0x80) === 0;
      }
      if (!done) throw new WireFormatError('invalid varint');
    }
    this.pos = pos;
    this.assertBounds();
    this.lo = lo;
    this.hi = hi;
    if (this.canonical && (!shortest(buf, start, pos) || (pos - start === VARINT_BYTES_MAX && buf[pos - 1]! > 1) || (implicit && buf[start] === 0))) this.canonical = false;
  }

  /** The last varint64 as a signed 64-bit bigint (int64). */
  int64(): bigint {
    return BigInt.asIntN(64, (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0));
  }

  /** The last varint64 as a number when it is a non-negative safe integer, else as its int64 bigint. */
  int64Small(): number | bigint {
    return this.hi >= 0 && this.hi < 0x200000 ? this.hi * 0x100000000 + (this.lo >>> 0) : this.int64();
  }

  /** The last varint64 zigzag-decoded (sint64). */
  sint64(): bigint {
    const s = -(this.lo & 1);
    const lo = ((this.lo >>> 1) | ((this.hi & 1) << 31)) ^ s;
    const hi = (this.hi >>> 1) ^ s;
    return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
  }

  /** `bool()`; canonical as 1, or 0 when `zeroOk` (an explicit-presence member). */
  bool(zeroOk: boolean): boolean {
    const b = this.buf[this.pos];
    if (b !== undefined && b < 0x80) {
      this.pos++;
      if (this.canonical && !(b === 1 || (b === 0 && zeroOk))) this.canonical = false;
      return b !== 0;
    }
    this.canonical = false;
    this.varint64(false);
    return this.lo !== 0 || this.hi !== 0;
  }

  /** Eight little-endian bytes into `lo`/`hi` (fixed64). */
  fixed64(): void {
    this.need(8);
    const b = this.buf;
    const p = this.pos;
    this.lo = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
    this.hi = b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24);
    this.pos = p + 8;
  }

  /** The last fixed64 as an unsigned bigint. */
  uint64(): bigint {
    return (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0);
  }

  /** A double; never NaN, and `implicit`: never zero, else never -0. */
  double(implicit: boolean): number {
    this.need(8);
    const b = this.buf;
    for (let i = 0; i < 8; i++) scratch.setUint8(i, b[this.pos + i]!);
    this.pos += 8;
    const v = scratch.getFloat64(0, true);
    if (this.canonical && (Number.isNaN(v) || (v === 0 && (implicit || Object.is(v, -0))))) this.canonical = false;
    return v;
  }

  /** A length-delimited value's start (its end is `pos` after); `implicit`: empty is not canonical. */
  range(implicit: boolean): number {
    const len = this.length();
    const start = this.pos;
    this.pos += len;
    this.assertBounds();
    if (implicit && len === 0) this.canonical = false;
    return start;
  }

  /** A `bytes` value, copied out of the buffer (a domain record never holds a view of a request). */
  bytes(implicit: boolean): Buffer {
    const start = this.range(implicit);
    const out = Buffer.allocUnsafe(this.pos - start);
    this.buf.copy(out, 0, start, this.pos);
    return out;
  }

  /** A `string` value: strict UTF-8 (invalid bytes throw, as the generated decoder does here). */
  string(implicit: boolean): string {
    const start = this.range(implicit);
    const end = this.pos;
    const buf = this.buf;
    if (end - start <= ASCII_SCAN_BYTES_MAX) {
      let ascii = true;
      for (let i = start; i < end && ascii; i++) ascii = buf[i]! < 0x80;
      if (ascii) return buf.toString('latin1', start, end);
    }
    try {
      return fatalUtf8.decode(buf.subarray(start, end));
    } catch (err) {
      // The decoder's own TypeError (possibly of another realm: read its message, not its class).
      throw new WireFormatError(String((err as { message?: unknown }).message ?? err));
    }
  }

  /**
   * Skips an unknown field's value, so the record is not canonical: as
   * `BinaryReader.skip`, called by the generated code without a field number
   * (a group's end tag may name any field), within a group with one (it must match).
   */
  skip(wireType: number, fieldNo?: number, depth: number = WIRE_GROUP_DEPTH_MAX): void {
    this.canonical = false;
    switch (wireType) {
      case WIRE_VARINT:
        while ((this.buf[this.pos++]! & 0x80) !== 0) {
          // continuation bytes
        }
        break;
      case WIRE_I64:
        this.pos += 8;
        break;
      case WIRE_I32:
        this.pos += 4;
        break;
      case WIRE_LEN: {
        const len = this.uint32();
        this.pos += len;
        break;
      }
      case WIRE_START_GROUP:
        if (depth <= 0) throw new WireFormatError('maximum recursion depth reached');
        for (;;) {
          const tag = this.groupTag();
          const wt = tag & 7;
          if (wt === WIRE_END_GROUP) {
            if (fieldNo !== undefined && tag >>> 3 !== fieldNo) throw new WireFormatError('invalid end group tag');
            break;
          }
          this.skip(wt, tag >>> 3, depth - 1);
        }
        break;
      default:
        throw new WireFormatError(`cant skip wire type ${wireType}`);
    }
    this.assertBounds();
  }

  /** `BinaryReader.tag()` inside a group: a uint32 tag with a field number and a wire type of at most 5. */
  private groupTag(): number {
    const start = this.pos;
    const tag = this.uint32();
    const read = this.pos - start;
    if (read > 5 || (read === 5 && this.buf[this.pos - 1]! > 0x0f)) throw new WireFormatError('illegal tag: varint overflows uint32');
    const fieldNo = tag >>> 3;
    const wireType = tag & 7;
    if (fieldNo <= 0 || wireType > 5) throw new WireFormatError(`illegal tag: field no ${fieldNo} wire type ${wireType}`);
    return tag;
  }

  private need(bytes: number): void {
    if (this.pos + bytes > this.len) throw new WireFormatError('Offset is outside the bounds of the DataView');
  }

  private assertBounds(): void {
    if (this.pos > this.len) throw new WireFormatError('premature EOF');
  }
}

/** Whether the varint in `b[start, end)` has no trailing zero group. */
function shortest(b: Buffer, start: number, end: number): boolean {
  return end - start === 1 || b[end - 1] !== 0;
}
