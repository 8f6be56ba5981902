/**
 * The protobuf `Record` bytes inside a log payload, as the log carries them:
 * H keeps them (shared/graph/stored-record.ts) instead of re-encoding the
 * decoded record. A wire-format walk over the LogEntry body (field 3 is
 * `record`), run only on payloads that already decoded: it answers undefined
 * — re-encode — for anything it does not take apart exactly (a record field
 * split in two, which protobuf merges; groups; truncation).
 */
import { PAYLOAD_HEADER_BYTES } from '../../shared/domain/log-payload';

/** LogEntry.record's field number. */
const RECORD_FIELD = 3;
const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

/** A view of the record's bytes within `payload`, or undefined when they cannot be cut out exactly. */
export function recordBytesOf(payload: Buffer): Buffer | undefined {
  let pos = PAYLOAD_HEADER_BYTES;
  let found: Buffer | undefined;
  while (pos < payload.length) {
    const tag = readVarint(payload, pos);
    if (tag === undefined) return undefined;
    pos = tag.next;
    const field = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    if (wire === WIRE_VARINT) {
      const v = readVarint(payload, pos);
      if (v === undefined) return undefined;
      pos = v.next;
    } else if (wire === WIRE_I64 || wire === WIRE_I32) {
      pos += wire === WIRE_I64 ? 8 : 4;
    } else if (wire === WIRE_LEN) {
      const len = readVarint(payload, pos);
      if (len === undefined || len.next + len.value > payload.length) return undefined;
      if (field === RECORD_FIELD) {
        if (found !== undefined) return undefined;
        found = payload.subarray(len.next, len.next + len.value);
      }
      pos = len.next + len.value;
    } else {
      return undefined;
    }
  }
  return pos === payload.length ? found : undefined;
}

/** A varint below 2^53 at `pos`, and where the next field starts. */
function readVarint(b: Buffer, pos: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = pos; i < b.length && i < pos + 8; i++) {
    const byte = b[i]!;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return { value, next: i + 1 };
    scale *= 128;
  }
  return undefined;
}
