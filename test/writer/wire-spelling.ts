/**
 * Test helpers to respell protobuf bytes without changing what they decode to
 * (or to something the domain reads the same): split a message into its
 * top-level fields, put fields back together in any order, varints written
 * longer than needed.
 */
import { readVarint } from '../../shared/domain/wire-fields';

export interface WireField {
  readonly number: number;
  readonly wire: number;
  /** The value's bytes: a varint, 8 or 4 bytes, or a length-delimited body (without its length). */
  readonly value: Buffer;
}

export function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 128) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

/** `v` (a shortest varint) one byte longer: its last group continued by a zero group. */
export function longer(v: Buffer): Buffer {
  const out = Buffer.concat([v, Buffer.from([0])]);
  out[v.length - 1] = out[v.length - 1]! | 0x80;
  return out;
}

export function fieldsOf(bytes: Buffer): WireField[] {
  const out: WireField[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const tag = readVarint(bytes, pos)!;
    const number = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    pos = tag.next;
    if (wire === 0) {
      const v = readVarint(bytes, pos)!;
      out.push({ number, wire, value: bytes.subarray(pos, v.next) });
      pos = v.next;
    } else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      out.push({ number, wire, value: bytes.subarray(pos, pos + n) });
      pos += n;
    } else {
      const len = readVarint(bytes, pos)!;
      out.push({ number, wire, value: bytes.subarray(len.next, len.next + len.value) });
      pos = len.next + len.value;
    }
  }
  return out;
}

/** One field's bytes; `lengthOf` respells a length-delimited field's length. */
export function fieldBytes(f: WireField, lengthOf: (len: number) => Buffer = varint): Buffer {
  const tag = varint(f.number * 8 + f.wire);
  return f.wire === 2 ? Buffer.concat([tag, lengthOf(f.value.length), f.value]) : Buffer.concat([tag, f.value]);
}

export function join(fields: readonly WireField[]): Buffer {
  return Buffer.concat(fields.map((f) => fieldBytes(f)));
}

/** Record bytes `recordBytes` with the body of its one kind field (an Assertion, a Vote...) replaced by `edit(body fields)`. */
export function editKind(recordBytes: Buffer, edit: (fields: WireField[]) => WireField[]): Buffer {
  const [kind] = fieldsOf(recordBytes);
  return join([{ ...kind!, value: join(edit(fieldsOf(kind!.value))) }]);
}
