/**
 * Little-endian field writer and reader shared by the graph's binary value
 * encodings (the MV, stored-resolution.ts; escalations, escalation-codec.ts).
 * Counts and lengths are varints: unsigned LEB128, 7 bits a byte, low group
 * first, high bit set on every byte but the last, at most 5 bytes (0..2^32-1),
 * and minimal (a decoder refuses a longer form, so one value has one
 * encoding): 0 = `00`, 127 = `7f`, 128 = `80 01`, 300 = `ac 02`. Objects are a
 * kind byte (as in docs/FORMAT.md) then: text/entity and bytes varint length +
 * bytes, number f64, integer/timestamp i64, boolean u8. Every refusal is a
 * typed error naming the field: ResolutionEncodeError when writing,
 * ResolutionDecodeError when reading.
 */
import { OBJECT_KIND_BYTE } from '../domain/canonical';
import { HASH_BYTES } from '../domain/limits';
import type { ObjectKind, ObjectValue } from '../domain/types';
import { ResolutionDecodeError, ResolutionEncodeError } from './errors';
import { FIELD_WRITER_INITIAL_BYTES, VARINT_BYTES_MAX, VARINT_VALUE_MAX } from './limits';

const OBJECT_KINDS = Object.keys(OBJECT_KIND_BYTE) as ObjectKind[];

/** Appends little-endian fields into one growing buffer; numbers keep their sign (-0 stays -0). */
const EMPTY = Buffer.alloc(0);

export class FieldWriter {
  private buf = Buffer.allocUnsafe(FIELD_WRITER_INITIAL_BYTES);
  private pos = 0;

  /** Room for `n` more bytes (doubling, so a value is copied O(1) times per byte). */
  private room(n: number): Buffer {
    if (this.pos + n > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
      this.buf.copy(grown, 0, 0, this.pos);
      this.buf = grown;
    }
    return this.buf;
  }

  u8(value: number): this {
    this.room(1)[this.pos++] = value;
    return this;
  }

  /** Unsigned LEB128, minimal, 0..2^32-1. */
  varint(value: number, field: string): this {
    if (!Number.isInteger(value) || value < 0 || value > VARINT_VALUE_MAX) throw new ResolutionEncodeError(field, `${value} is not a count 0..${VARINT_VALUE_MAX}`);
    const b = this.room(VARINT_BYTES_MAX);
    let v = value;
    while (v >= 0x80) {
      b[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[this.pos++] = v;
    return this;
  }

  f64(value: number, field: string): this {
    // A lens never produces NaN or Infinity; storing one would hide a bug.
    if (!Number.isFinite(value)) throw new ResolutionEncodeError(field, `${value} is not finite`);
    this.pos = this.room(8).writeDoubleLE(value, this.pos);
    return this;
  }

  id(id: Buffer, field: string): this {
    if (id.length !== HASH_BYTES) throw new ResolutionEncodeError(field, `expected ${HASH_BYTES} bytes, got ${id.length}`);
    return this.raw(id);
  }

  object(v: ObjectValue, field: string): this {
    this.u8(OBJECT_KIND_BYTE[v.kind]);
    switch (v.kind) {
      case 'text':
      case 'entity': {
        const length = Buffer.byteLength(v.value, 'utf8');
        this.varint(length, `${field}.value`);
        this.pos += this.room(length).write(v.value, this.pos, 'utf8');
        return this;
      }
      case 'number':
        return this.f64(v.value, `${field}.value`);
      case 'integer':
      case 'timestamp': {
        const b = this.room(8);
        try {
          this.pos = b.writeBigInt64LE(v.value, this.pos);
        } catch {
          throw new ResolutionEncodeError(`${field}.value`, `${v.value} is not an i64`);
        }
        return this;
      }
      case 'boolean':
        return this.u8(v.value ? 1 : 0);
      case 'bytes':
        return this.bytes(v.value, `${field}.value`);
    }
  }

  /** The bytes written (a view of the writer's buffer, not copied: the writer is done with). */
  finish(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = EMPTY;
    this.pos = 0;
    return out;
  }

  /** A varint length, then the bytes. */
  bytes(bytes: Buffer, field: string): this {
    this.varint(bytes.length, field);
    return this.raw(bytes);
  }

  private raw(bytes: Buffer): this {
    this.room(bytes.length).set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Reads what FieldWriter wrote; every failure is a ResolutionDecodeError with the field. */
export class FieldReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  u8(field: string): number {
    return this.take(1, field)[0]!;
  }

  bool(field: string): boolean {
    const b = this.u8(field);
    if (b > 1) throw new ResolutionDecodeError(field, `expected 0 or 1, got ${b}`);
    return b === 1;
  }

  /** A varint as FieldWriter.varint writes it; refuses a non-minimal or over-long form. */
  varint(field: string): number {
    let value = 0;
    for (let i = 0, scale = 1; i < VARINT_BYTES_MAX; i++, scale *= 0x80) {
      const b = this.u8(field);
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) throw new ResolutionDecodeError(field, 'varint not in its shortest form');
        if (value > VARINT_VALUE_MAX) throw new ResolutionDecodeError(field, `varint ${value} above ${VARINT_VALUE_MAX}`);
        return value;
      }
    }
    throw new ResolutionDecodeError(field, `varint longer than ${VARINT_BYTES_MAX} bytes`);
  }

  /** A varint count of items of at least `itemBytes` each, checked against the bytes left. */
  count(field: string, itemBytes: number): number {
    const n = this.varint(field);
    if (n * itemBytes > this.buf.length - this.pos) throw new ResolutionDecodeError(field, `count ${n} exceeds the bytes left`);
    return n;
  }

  f64(field: string): number {
    const x = this.take(8, field).readDoubleLE();
    if (!Number.isFinite(x)) throw new ResolutionDecodeError(field, 'expected a finite number');
    return x;
  }

  id(field: string): Buffer {
    return Buffer.from(this.take(HASH_BYTES, field));
  }

  object(field: string): ObjectValue {
    const kindByte = this.u8(`${field}.kind`);
    const kind = OBJECT_KINDS.find((k) => OBJECT_KIND_BYTE[k] === kindByte);
    const value = `${field}.value`;
    switch (kind) {
      case 'text':
      case 'entity': {
        const raw = this.take(this.count(value, 1), value);
        try {
          return { kind, value: utf8.decode(raw) };
        } catch {
          throw new ResolutionDecodeError(value, 'invalid UTF-8');
        }
      }
      case 'number':
        return { kind, value: this.f64(value) };
      case 'integer':
      case 'timestamp':
        return { kind, value: this.take(8, value).readBigInt64LE() };
      case 'boolean':
        return { kind, value: this.bool(value) };
      case 'bytes':
        return { kind, value: Buffer.from(this.take(this.count(value, 1), value)) };
      case undefined:
        throw new ResolutionDecodeError(`${field}.kind`, `unknown object kind ${kindByte}`);
    }
  }

  end(): void {
    if (this.pos !== this.buf.length) throw new ResolutionDecodeError('', `${this.buf.length - this.pos} trailing bytes`);
  }

  private take(n: number, field: string): Buffer {
    if (this.pos + n > this.buf.length) throw new ResolutionDecodeError(field, 'truncated');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}
