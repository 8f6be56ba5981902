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
import * as pb from '../gen/stemedb/v1/records';
import { DecodeError, ValidationError } from './errors';
import { encodeRecordBytes, recordFromProto } from './proto-convert';
import { installStrictUtf8Decoding } from './strict-utf8';
import { RECORD_TYPE_BYTE, type LogEntry, type RecordKind } from './types';
import { validateRecord } from './validate';

installStrictUtf8Decoding();

/** Bytes of the fixed header in front of the LogEntry body. */
export const PAYLOAD_HEADER_BYTES = 8;
/** Flags of format version 1: none defined, must be zero. */
const PAYLOAD_FLAGS_V1 = 0;
/** A W3C traceparent is 55 characters; allow future versions some room. */
export const TRACEPARENT_BYTES_MAX = 256;

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

/** LogEntry's tags: (field number << 3) | wire type (0 varint, 2 length-delimited). */
const LOG_ENTRY_APPENDED_AT_TAG = (1 << 3) | 0;
const LOG_ENTRY_TRACEPARENT_TAG = (2 << 3) | 2;
const LOG_ENTRY_RECORD_TAG = (3 << 3) | 2;

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
  const kind = peekRecordType(payload);
  if (payload[1] !== PAYLOAD_FLAGS_V1) throw new DecodeError(`unknown flags 0x${payload[1]!.toString(16)}`, 'payload.flags');
  for (let i = 2; i < PAYLOAD_HEADER_BYTES; i++) {
    if (payload[i] !== 0) throw new DecodeError(`reserved header byte ${i} is 0x${payload[i]!.toString(16)}, not zero`, 'payload.reserved');
  }
  let body: pb.LogEntry;
  try {
    body = pb.LogEntry.decode(payload.subarray(PAYLOAD_HEADER_BYTES));
  } catch (err) {
    throw new DecodeError(`LogEntry body does not decode: ${err instanceof Error ? err.message : String(err)}`, 'payload.body', err);
  }
  if (body.record === undefined) throw new DecodeError('LogEntry has no record', 'entry.record');
  let entry: LogEntry;
  try {
    const record = recordFromProto(body.record, 'entry.record');
    if (body.appendedAtMs < 0n || body.appendedAtMs > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ValidationError('entry.appended_at_ms', `out of range (got ${body.appendedAtMs})`);
    }
    entry = { record, appendedAtMs: Number(body.appendedAtMs), traceparent: body.traceparent };
  } catch (err) {
    if (err instanceof ValidationError) throw new DecodeError(`invalid record in the log: ${err.reason}`, err.field, err);
    throw err;
  }
  if (entry.record.kind !== kind) throw new DecodeError(`header type byte says ${kind} but the body holds a ${entry.record.kind}`, 'payload.type');
  return entry;
}
