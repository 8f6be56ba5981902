/**
 * The payload of one WAL record: what the writer appends and ingest reads.
 *
 *   [type: u8][flags: u8 = 0][reserved: 6 zero bytes] ‖ LogEntry protobuf body
 *
 * The type byte is the record kind (RECORD_TYPE_BYTE), so a reader can skip or
 * route records without decoding the body. Decoding validates the record again
 * (assert on both sides of the disk) but does NOT verify signatures: callers that
 * need that call `verifyRecord`.
 */
import { DecodeError, ValidationError } from './errors';
import { encodeRecordBytes } from './proto-convert';
import { asBuffer, readRecord, RecordReader, settleRecord, WireFormatError, type RecordRead } from './record-decoder';
import { installStrictUtf8Decoding } from './strict-utf8';
import { TRACEPARENT_BYTES_MAX } from './limits';
import { RECORD_TYPE_BYTE, type LogEntry, type RecordKind } from './types';
import { validateRecord } from './validate';
import { lenFieldsOf } from './wire-fields';

installStrictUtf8Decoding();

/** Bytes of the fixed header in front of the LogEntry body. */
export const PAYLOAD_HEADER_BYTES = 8;
/** Flags of format version 1: none defined, must be zero. */
const PAYLOAD_FLAGS_V1 = 0;

const KIND_OF_TYPE_BYTE: ReadonlyMap<number, RecordKind> = new Map(Object.entries(RECORD_TYPE_BYTE).map(([kind, byte]) => [byte, kind as RecordKind]));

/** The payload bytes of a log entry (the record must be valid; it is checked). */
export function encodeLogPayload(entry: LogEntry): Buffer {
  validateRecord(entry.record, 'entry.record');
  return frameLogPayload(entry.record.kind, encodeRecordBytes(entry.record), entry.appendedAtMs, entry.traceparent);
}

/**
 * The payload of a log entry around record bytes already held: the writer's
 * path, for a record validated once at admission whose bytes are its canonical
 * protobuf encoding (`encodeRecordBytes`, or the request's own bytes when
 * canonical-record-wire.ts proves them so). The body is what
 * `pb.LogEntry.encode` writes — fields 1, 2, 3 in order, zero and empty left
 * out — so the result equals `encodeLogPayload` for the same record.
 */
export function frameLogPayload(kind: RecordKind, recordBytes: Uint8Array, appendedAtMs: number, traceparent: string): Buffer {
  if (!Number.isSafeInteger(appendedAtMs) || appendedAtMs < 0) {
    throw new ValidationError('entry.appended_at_ms', `must be a non-negative integer (got ${appendedAtMs})`);
  }
  const traceBytes = Buffer.byteLength(traceparent);
  if (traceBytes > TRACEPARENT_BYTES_MAX) throw new ValidationError('entry.traceparent', `at most ${TRACEPARENT_BYTES_MAX} bytes`);
  const bytes = PAYLOAD_HEADER_BYTES + (appendedAtMs === 0 ? 0 : 1 + varintBytes(appendedAtMs)) + (traceBytes === 0 ? 0 : 1 + varintBytes(traceBytes) + traceBytes) + 1 + varintBytes(recordBytes.length) + recordBytes.length;
  const payload = Buffer.allocUnsafe(bytes);
  payload.fill(0, 0, PAYLOAD_HEADER_BYTES);
  payload[0] = RECORD_TYPE_BYTE[kind];
  payload[1] = PAYLOAD_FLAGS_V1;
  let at = PAYLOAD_HEADER_BYTES;
  if (appendedAtMs !== 0) {
    payload[at++] = LOG_ENTRY_APPENDED_AT_TAG;
    at = writeVarint(payload, at, appendedAtMs);
  }
  if (traceBytes !== 0) {
    payload[at++] = LOG_ENTRY_TRACEPARENT_TAG;
    at = writeVarint(payload, at, traceBytes);
    at += payload.write(traceparent, at, 'utf8');
  }
  payload[at++] = LOG_ENTRY_RECORD_TAG;
  at = writeVarint(payload, at, recordBytes.length);
  payload.set(recordBytes, at);
  return payload;
}

/** Bytes of the shortest varint of a non-negative safe integer. */
function varintBytes(n: number): number {
  let bytes = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    bytes += 1;
  }
  return bytes;
}

function writeVarint(out: Buffer, at: number, n: number): number {
  while (n >= 128) {
    out[at++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  out[at++] = n;
  return at;
}

/** The record kind named by a payload's header, without decoding the body. Throws DecodeError. */
export function peekRecordType(payload: Uint8Array): RecordKind {
  if (payload.length < PAYLOAD_HEADER_BYTES) throw new DecodeError(`payload of ${payload.length} bytes is shorter than its ${PAYLOAD_HEADER_BYTES}-byte header`);
  const kind = KIND_OF_TYPE_BYTE.get(payload[0]!);
  if (kind === undefined) throw new DecodeError(`unknown record type byte ${payload[0]}`, 'payload.type');
  return kind;
}

/** Decode and validate a payload. Throws DecodeError on any malformation. */
export function decodeLogPayload(payload: Uint8Array): LogEntry {
  return decodeLogRecord(payload).entry;
}

/** A decoded log payload and where its record's bytes lie. */
export interface LogRecord {
  readonly entry: LogEntry;
  /**
   * A view of the record's protobuf bytes within the payload, as the log
   * carries them (H keeps them instead of re-encoding), or undefined when
   * they cannot be cut out exactly (the record field split in two, an
   * unknown field in the entry...): exactly what record-bytes.ts answers.
   */
  readonly recordBytes: Buffer | undefined;
}

/** LogEntry's tags: (field number << 3) | wire type (0 varint, 2 length-delimited). */
const LOG_ENTRY_APPENDED_AT_TAG = (1 << 3) | 0;
const LOG_ENTRY_TRACEPARENT_TAG = (2 << 3) | 2;
const LOG_ENTRY_RECORD_TAG = (3 << 3) | 2;
/** LogEntry.record's field number. */
const LOG_ENTRY_RECORD_FIELD = 3;
/** Longest varint wire-fields.ts cuts (below 2^53). */
const CUT_VARINT_BYTES_MAX = 8;

/**
 * Decode and validate a payload in one pass (record-decoder.ts: no generated
 * message objects), with the record's byte range. Throws DecodeError on any
 * malformation, with the fields and words the generated decoder's path used.
 */
export function decodeLogRecord(bytes: Uint8Array): LogRecord {
  const payload = asBuffer(bytes);
  const kind = checkHeader(payload);
  const r = new RecordReader(payload, PAYLOAD_HEADER_BYTES);
  let appendedAt: number | bigint = 0;
  let traceparent = '';
  let read: RecordRead | undefined;
  let records = 0;
  let recordStart = 0;
  let recordEnd = 0;
  // Whether wire-fields.ts's walk would cut this body exactly as read here (else it is asked).
  let plain = true;
  try {
    while (r.pos < r.len) {
      const at = r.pos;
      const tag = r.uint32();
      if (r.pos !== at + 1) plain = false;
      if (tag === LOG_ENTRY_APPENDED_AT_TAG) {
        r.varint64(false);
        if (r.pos - at - 1 > CUT_VARINT_BYTES_MAX) plain = false;
        appendedAt = r.int64Small();
      } else if (tag === LOG_ENTRY_TRACEPARENT_TAG) {
        traceparent = r.string(false);
        if (r.lengthBytes > CUT_VARINT_BYTES_MAX) plain = false;
      } else if (tag === LOG_ENTRY_RECORD_TAG) {
        const len = r.length();
        if (r.lengthBytes > CUT_VARINT_BYTES_MAX) plain = false;
        recordStart = r.pos;
        recordEnd = r.pos + len;
        records += 1;
        r.canonical = true;
        read = readRecord(r, recordEnd, 'entry.record');
        if (r.pos !== recordEnd) plain = false;
      } else {
        plain = false;
        if ((tag & 7) === 4 || tag === 0) break;
        r.skip(tag & 7);
      }
    }
  } catch (err) {
    if (!(err instanceof WireFormatError)) throw err;
    throw new DecodeError(`LogEntry body does not decode: ${err.message}`, 'payload.body', err);
  }
  if (read === undefined) throw new DecodeError('LogEntry has no record', 'entry.record');
  let entry: LogEntry;
  try {
    const record = settleRecord(read, 'entry.record', false);
    if (typeof appendedAt === 'bigint' || appendedAt > Number.MAX_SAFE_INTEGER) throw new ValidationError('entry.appended_at_ms', `out of range (got ${appendedAt})`);
    entry = { record, appendedAtMs: appendedAt, traceparent };
  } catch (err) {
    if (err instanceof ValidationError) throw new DecodeError(`invalid record in the log: ${err.reason}`, err.field, err);
    throw err;
  }
  if (entry.record.kind !== kind) throw new DecodeError(`header type byte says ${kind} but the body holds a ${entry.record.kind}`, 'payload.type');
  return { entry, recordBytes: plain ? (records === 1 ? payload.subarray(recordStart, recordEnd) : undefined) : cutRecord(payload) };
}

/** The record's bytes as wire-fields.ts cuts them (the rare body this pass cannot vouch for). */
function cutRecord(payload: Buffer): Buffer | undefined {
  const found = lenFieldsOf(payload, LOG_ENTRY_RECORD_FIELD, PAYLOAD_HEADER_BYTES);
  return found?.length === 1 ? found[0] : undefined;
}

/** The header's record kind, after checking its flags and reserved bytes. */
function checkHeader(payload: Uint8Array): RecordKind {
  const kind = peekRecordType(payload);
  if (payload[1] !== PAYLOAD_FLAGS_V1) throw new DecodeError(`unknown flags 0x${payload[1]!.toString(16)}`, 'payload.flags');
  for (let i = 2; i < PAYLOAD_HEADER_BYTES; i++) {
    if (payload[i] !== 0) throw new DecodeError(`reserved header byte ${i} is 0x${payload[i]!.toString(16)}, not zero`, 'payload.reserved');
  }
  return kind;
}
