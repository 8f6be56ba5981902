/**
 * The writer's request decoding for Append, AppendBatch and AppendStream:
 * each request's few fields are walked by hand, and every Record in it is
 * decoded once, straight from the request's bytes to the domain record
 * (shared/domain/record-decoder.ts: no generated message objects), validated,
 * and judged canonical in the same pass. What comes out is the request
 * message as ts-proto would shape it, each record a `WireRecord`: admission
 * (admission.ts) takes its domain record as decoded, and frames the log entry
 * around the record's own bytes when they are canonical (one decode, one
 * validation, no re-encode).
 *
 * The same answers as the generated decoder, read for read (the last of a
 * singular field wins, unknown fields skipped, tag 0 and end-group stop a
 * message): bytes it would refuse fail the request as undecodable (INVALID_ARGUMENT
 * naming `request`, shared/grpc/codec.ts); a record that breaks a rule is
 * decoded again when admission asks, naming the field admission names.
 */
import { BinaryReader } from '@bufbuild/protobuf/wire';
import { SignatureError, ValidationError } from '../../shared/domain/errors';
import { readRecord, RecordReader, settleRecord } from '../../shared/domain/record-decoder';
import type { StemeRecord } from '../../shared/domain/types';
import { LENGTH_BYTES_CANONICAL_MAX } from '../../shared/domain/wire-fields';
import { Record as PbRecordCodec, type Record as PbRecord } from '../../shared/gen/stemedb/v1/records';
import { type AppendBatchRequest, type AppendRequest, type AppendStreamRequest, WriterServiceService } from '../../shared/gen/stemedb/v1/writer';

/** One record of a request: its bytes within the request, and the domain record they decoded to. */
export class WireRecord implements PbRecord {
  private message: PbRecord | undefined;

  constructor(
    private readonly request: Buffer,
    private readonly start: number,
    private readonly length: number,
    /** The record, decoded, validated and signed; undefined when it breaks a rule (`domain` says which). */
    private readonly decoded: StemeRecord | undefined,
    /** Whether the bytes are exactly the record's canonical encoding (canonical-record-wire.ts's rule). */
    readonly canonical: boolean,
    /** A view of the record's bytes when the request's walk cut them out exactly, else undefined. */
    readonly wire: Buffer | undefined,
  ) {}

  /** The domain record (validated once), or the error it earns named by `field`: SignatureError when unsigned, else ValidationError. */
  domain(field: string): StemeRecord {
    if (this.decoded !== undefined) return this.decoded;
    const r = new RecordReader(this.request, this.start);
    return settleRecord(readRecord(r, this.start + this.length, field), field, true);
  }

  /** The same record without its bytes (they will be re-encoded). */
  withoutWire(): WireRecord {
    return new WireRecord(this.request, this.start, this.length, this.decoded, false, undefined);
  }

  /** The generated message, decoded on demand for code that reads one (admission never does). */
  get kind(): PbRecord['kind'] {
    if (this.message === undefined) {
      const reader = new BinaryReader(this.request);
      reader.pos = this.start;
      this.message = PbRecordCodec.decode(reader, this.length);
    }
    return this.message.kind;
  }
}

/** The bytes a request record was decoded from, when the request's walk cut them out exactly. */
export function recordWireOf(message: PbRecord | undefined): Buffer | undefined {
  return message instanceof WireRecord ? message.wire : undefined;
}

/** Field tags: AppendRequest.record = 1, AppendBatchRequest.records = 1, AppendStreamRequest.sequence = 1, .record = 2, .batch = 3, AppendStreamBatch.records = 1. */
const TAG_1_LEN = (1 << 3) | 2;
const TAG_SEQUENCE = (1 << 3) | 0;
const TAG_STREAM_RECORD = (2 << 3) | 2;
const TAG_STREAM_BATCH = (3 << 3) | 2;

/** One Record field's value at `r.pos` (its length prefix): decoded at once, so a wire failure fails the request. */
function readRequestRecord(r: RecordReader): WireRecord {
  const len = r.length();
  const cutLength = r.lengthBytes <= LENGTH_BYTES_CANONICAL_MAX; // a longer prefix is never canonical: no view is kept
  const start = r.pos;
  const end = start + len;
  r.canonical = true;
  const read = readRecord(r, end, 'record');
  const cut = cutLength && r.pos === end;
  let decoded: StemeRecord | undefined;
  try {
    decoded = settleRecord(read, 'record', true);
  } catch (err) {
    if (!(err instanceof ValidationError || err instanceof SignatureError)) throw err;
  }
  return new WireRecord(r.buf, start, len, decoded, r.canonical && cut, cut ? r.buf.subarray(start, end) : undefined);
}

/** Whether the message loop stops at this unknown tag (0, end-group); else its value is skipped. */
function stopsAt(r: RecordReader, tag: number): boolean {
  if ((tag & 7) === 4 || tag === 0) return true;
  r.skip(tag & 7);
  return false;
}

/** The records of a `repeated Record records = 1` message from `r.pos` to `end` (AppendBatchRequest, AppendStreamBatch). */
function readRecords(r: RecordReader, end: number): WireRecord[] {
  const records: WireRecord[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === TAG_1_LEN) records.push(readRequestRecord(r));
    else if (stopsAt(r, tag)) break;
  }
  return records;
}

/** A singular record field seen more than once: the last wins, and no bytes are kept for it (as before: a request that respells, re-encodes). */
function once(record: WireRecord, count: number): WireRecord {
  return count === 1 ? record : record.withoutWire();
}

function decodeAppend(bytes: Buffer): AppendRequest {
  const r = new RecordReader(bytes);
  let record: WireRecord | undefined;
  let count = 0;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === TAG_1_LEN) {
      record = readRequestRecord(r);
      count += 1;
    } else if (stopsAt(r, tag)) break;
  }
  return { record: record === undefined ? undefined : once(record, count) };
}

function decodeAppendBatch(bytes: Buffer): AppendBatchRequest {
  const r = new RecordReader(bytes);
  return { records: readRecords(r, r.len) };
}

function decodeAppendStream(bytes: Buffer): AppendStreamRequest {
  const r = new RecordReader(bytes);
  let sequence = 0n;
  let record: WireRecord | undefined;
  let records = 0;
  let batch: { records: WireRecord[] } | undefined;
  let batches = 0;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === TAG_SEQUENCE) {
      r.varint64(false);
      sequence = r.uint64();
    } else if (tag === TAG_STREAM_RECORD) {
      record = readRequestRecord(r);
      records += 1;
    } else if (tag === TAG_STREAM_BATCH) {
      const len = r.uint32();
      batch = { records: readRecords(r, r.pos + len) };
      batches += 1;
    } else if (stopsAt(r, tag)) break;
  }
  if (batch !== undefined && batches > 1) batch = { records: batch.records.map((w) => w.withoutWire()) };
  return { sequence, record: record === undefined ? undefined : once(record, records), batch };
}

/** WriterService's definition with the three append methods decoded as above (everything else as generated). */
export const WRITER_SERVICE_DEFINITION: typeof WriterServiceService = {
  ...WriterServiceService,
  append: { ...WriterServiceService.append, requestDeserialize: decodeAppend },
  appendBatch: { ...WriterServiceService.appendBatch, requestDeserialize: decodeAppendBatch },
  appendStream: { ...WriterServiceService.appendStream, requestDeserialize: decodeAppendStream },
};
