/**
 * A protobuf wire-format walk over one message's top level: where its
 * length-delimited fields of one number lie, as views of the bytes already
 * held (no decode, no copy). Used to keep a record's bytes as they arrived
 * (from the log: record-bytes.ts; from an append request: the writer's
 * request codec) instead of re-encoding a decoded record.
 *
 * Run only on bytes that already decoded: it answers undefined for anything it
 * does not take apart exactly (groups, truncation, a varint past 2^53).
 */

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_I32 = 5;
/** Longest varint: 64 bits in 7-bit groups. */
export const VARINT_BYTES_MAX = 10;
/** Longest canonical length prefix: canonical records (canonical-record-wire.ts) take lengths below 2^28 only. */
export const LENGTH_BYTES_CANONICAL_MAX = 4;

/** A varint below 2^53 at `pos` (at most 8 bytes), and where the next field starts. */
export function readVarint(b: Uint8Array, pos: number, end: number = b.length): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = pos; i < end && i < pos + 8; i++) {
    const byte = b[i]!;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return { value, next: i + 1 };
    scale *= 128;
  }
  return undefined;
}

/**
 * Views of every length-delimited field numbered `field` within
 * `bytes[start, end)`, in wire order; undefined when the walk cannot cut the
 * range exactly (the field with another wire type included).
 */
export function lenFieldsOf(bytes: Buffer, field: number, start = 0, end = bytes.length): Buffer[] | undefined {
  const found: Buffer[] = [];
  let pos = start;
  while (pos < end) {
    const tag = readVarint(bytes, pos, end);
    if (tag === undefined) return undefined;
    pos = tag.next;
    const number = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    if (wire === WIRE_VARINT) {
      const v = readVarint(bytes, pos, end);
      if (v === undefined || number === field) return undefined;
      pos = v.next;
    } else if (wire === WIRE_I64 || wire === WIRE_I32) {
      if (number === field) return undefined;
      pos += wire === WIRE_I64 ? 8 : 4;
    } else if (wire === WIRE_LEN) {
      const len = readVarint(bytes, pos, end);
      if (len === undefined || len.next + len.value > end) return undefined;
      if (number === field) found.push(bytes.subarray(len.next, len.next + len.value));
      pos = len.next + len.value;
    } else {
      return undefined;
    }
  }
  return pos === end ? found : undefined;
}
