/**
 * Whether protobuf `Record` bytes are exactly what the writer would write for
 * the record they decode to — `encodeRecordBytes(recordFromProto(decode(b)))`
 * — without decoding or encoding: a schema walk over the wire bytes. When they
 * are, the writer frames the log entry around the bytes it received (one
 * decode, one validation, no re-encode); when they are not, it re-encodes the
 * validated record, so unknown fields, non-minimal varints and every other
 * non-canonical spelling never reach the log. The record's id does not depend
 * on this (it is computed over the canonical encoding of docs/FORMAT.md).
 *
 * Canonical here means what ts-proto's encoder emits after the domain's
 * normalisation (docs/FORMAT.md, "Canonical protobuf"): fields in ascending
 * number order, a repeated field's elements adjacent, no unknown field, every
 * varint (tag, length, value) in its shortest form, implicit-presence scalars
 * absent when zero or empty (a double's -0 counts as zero), at most one member
 * of a oneof, a double never NaN and a oneof `number` never -0 (the domain
 * stores +0), bools 0 or 1, the signature algorithm written as 1 (Ed25519;
 * unset is read as Ed25519 and written as 1). Trust packs answer false (their
 * entries are re-sorted by the domain): they are always re-encoded.
 *
 * Run only on bytes that decoded and validated: it proves byte identity, not
 * validity.
 */
import { VARINT_BYTES_MAX, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './wire-fields';

/** How a field's value must be spelled. */
type Kind = 'varint' | 'bool' | 'ed25519' | 'fixed64' | 'double' | 'number' | 'len' | 'message';

interface Field {
  readonly kind: Kind;
  /** Implicit presence (proto3 scalar): absent when zero or empty, so never present with that value. */
  readonly implicit: boolean;
  readonly repeated: boolean;
  readonly message?: Schema;
}

interface Schema {
  /** Indexed by field number; a hole is an unknown field. */
  readonly fields: readonly (Field | undefined)[];
  /** The whole message is one oneof: at most one field present. */
  readonly oneof: boolean;
  /** A field the domain always writes (bit n = field n), so its absence is another spelling. */
  readonly requiredMask: number;
}

const implicit = (kind: Kind): Field => ({ kind, implicit: true, repeated: false });
const explicit = (kind: Kind, message?: Schema): Field => ({ kind, implicit: false, repeated: false, ...(message === undefined ? {} : { message }) });
const repeated = (message: Schema): Field => ({ kind: 'message', implicit: false, repeated: true, message });
const schema = (fields: (Field | undefined)[], oneof = false, requiredMask = 0): Schema => ({ fields: [undefined, ...fields], oneof, requiredMask });

// The algorithm is required: unset reads as Ed25519 and is written as 1.
const SIGNATURE = schema([explicit('ed25519'), implicit('len'), implicit('len')], false, 1 << 1);
// text, number, integer (sint64), boolean, entity, timestamp_ms, bytes: all oneof members (present even when zero).
const OBJECT_VALUE = schema([explicit('len'), explicit('number'), explicit('varint'), explicit('bool'), explicit('len'), explicit('varint'), explicit('len')], true);
const ASSERTION = schema([
  implicit('len'), implicit('len'), explicit('message', OBJECT_VALUE), implicit('double'), implicit('len'),
  explicit('fixed64'), implicit('len'), implicit('len'), implicit('varint'), repeated(SIGNATURE),
]);
const VOTE = schema([implicit('len'), implicit('len'), implicit('double'), implicit('varint'), explicit('message', SIGNATURE)]);
const EPOCH = schema([implicit('len'), implicit('len'), implicit('varint'), implicit('len'), repeated(SIGNATURE)]);
const GOLD_STANDARD = schema([implicit('len'), implicit('len'), explicit('message', OBJECT_VALUE), implicit('varint'), repeated(SIGNATURE)]);
const AGENT_GRANT = schema([implicit('len'), implicit('varint'), explicit('varint'), repeated(SIGNATURE)]);
const AGENT_REVOKE = schema([implicit('len'), implicit('len'), implicit('varint'), repeated(SIGNATURE)]);
// Field 5, trust_pack, is left out on purpose: see above.
const RECORD = schema([explicit('message', ASSERTION), explicit('message', VOTE), explicit('message', EPOCH), explicit('message', GOLD_STANDARD), undefined, explicit('message', AGENT_GRANT), explicit('message', AGENT_REVOKE)], true);

const WIRE_OF: Readonly<Record<Kind, number>> = { varint: WIRE_VARINT, bool: WIRE_VARINT, ed25519: WIRE_VARINT, fixed64: WIRE_I64, double: WIRE_I64, number: WIRE_I64, len: WIRE_LEN, message: WIRE_LEN };
/** Nesting is fixed by the schema (Record → Assertion → ObjectValue / Signature); no recursion limit needed beyond it. */
const scratch = new DataView(new ArrayBuffer(8));

/** Whether `bytes` are the canonical protobuf encoding of the (valid) record they decode to. */
export function isCanonicalRecordWire(bytes: Uint8Array): boolean {
  return canonical(bytes, 0, bytes.length, RECORD);
}

/** End of the shortest-form varint at `pos` (at most 64 bits), or -1. */
function varintEnd(b: Uint8Array, pos: number, end: number): number {
  for (let i = pos; i < end && i < pos + VARINT_BYTES_MAX; i++) {
    const byte = b[i]!;
    if ((byte & 0x80) !== 0) continue;
    if (i > pos && byte === 0) return -1; // a trailing zero group: not the shortest form
    if (i === pos + VARINT_BYTES_MAX - 1 && byte > 1) return -1; // past 64 bits
    return i + 1;
  }
  return -1;
}

/** A shortest-form varint's value when it is below 2^28 (tags and lengths), else -1. */
function smallVarint(b: Uint8Array, pos: number, next: number): number {
  if (next - pos > 4) return -1;
  let value = 0;
  for (let i = next - 1; i >= pos; i--) value = value * 128 + (b[i]! & 0x7f);
  return value;
}

function canonical(b: Uint8Array, start: number, end: number, s: Schema): boolean {
  let pos = start;
  let last = 0;
  let count = 0;
  let seen = 0;
  while (pos < end) {
    const tagEnd = varintEnd(b, pos, end);
    const tag = tagEnd < 0 ? -1 : smallVarint(b, pos, tagEnd);
    if (tag < 0) return false;
    const number = tag >>> 3;
    const field = s.fields[number];
    if (field === undefined || (tag & 7) !== WIRE_OF[field.kind]) return false;
    if (number < last || (number === last && !field.repeated)) return false;
    if (s.oneof && count > 0) return false;
    last = number;
    count += 1;
    if (number < 31) seen |= 1 << number;
    pos = value(b, tagEnd, end, field);
    if (pos < 0) return false;
  }
  return pos === end && (seen & s.requiredMask) === s.requiredMask;
}

/** Where the field's value starting at `pos` ends, or -1 when it is not canonical. */
function value(b: Uint8Array, pos: number, end: number, field: Field): number {
  switch (field.kind) {
    case 'varint': {
      const next = varintEnd(b, pos, end);
      return next < 0 || (field.implicit && b[pos] === 0) ? -1 : next;
    }
    case 'bool':
      return pos < end && (b[pos] === 1 || (b[pos] === 0 && !field.implicit)) ? pos + 1 : -1;
    case 'ed25519':
      return pos < end && b[pos] === 1 ? pos + 1 : -1;
    case 'fixed64':
      return pos + 8 <= end ? pos + 8 : -1;
    case 'double':
    case 'number': {
      if (pos + 8 > end) return -1;
      for (let i = 0; i < 8; i++) scratch.setUint8(i, b[pos + i]!);
      const v = scratch.getFloat64(0, true);
      if (Number.isNaN(v)) return -1;
      if (v === 0 && (field.implicit || Object.is(v, -0))) return -1;
      return pos + 8;
    }
    case 'len':
    case 'message': {
      const lenEnd = varintEnd(b, pos, end);
      const len = lenEnd < 0 ? -1 : smallVarint(b, pos, lenEnd);
      if (len < 0 || lenEnd + len > end) return -1;
      if (field.kind === 'len' && field.implicit && len === 0) return -1;
      if (field.kind === 'message' && !canonical(b, lenEnd, lenEnd + len, field.message!)) return -1;
      return lenEnd + len;
    }
  }
}
