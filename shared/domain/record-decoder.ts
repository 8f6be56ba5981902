/**
 * One decoder from protobuf `Record` bytes straight to the domain record: no
 * generated message objects in between, one pass that also answers whether
 * the bytes are canonical (exactly what the writer would write for the record
 * they decode to: canonical-record-wire.ts's rule, docs/FORMAT.md, "The record
 * decoder"), and one validation. It answers what
 * `recordFromProto(pb.Record.decode(bytes))` answers — the same record, or
 * the same error class naming the same field — which the differential test
 * (test/domain/record-decoder.test.ts) holds it to.
 *
 * Errors: bytes that are not a protobuf `Record` throw WireFormatError (the
 * entry points wrap it as the generated decoder's failure was wrapped); a
 * record that breaks a rule throws ValidationError naming the field; with
 * `refuseUnsigned`, a record of no signature at all throws SignatureError
 * before any other rule is looked at (the writer's admission order).
 */
import { DecodeError, SignatureError, ValidationError } from './errors';
import { readAgentGrant, readAgentRevoke, readEpoch, readTrustPack } from './record-admin-kinds';
import type { KindResult } from './record-kind-fields';
import { readAssertion, readGoldStandard, readVote } from './record-kinds';
import { ended, RecordReader, step, stops } from './record-parts';
import type { StemeRecord } from './types';
import { validateRecord } from './validate';
import { WireFormatError } from './wire-reader';

export { RecordReader } from './record-parts';
export { WireFormatError } from './wire-reader';

/** What one `Record` message read to: its last kind's result, or nothing when no kind was set. */
export interface RecordRead {
  readonly result: KindResult | undefined;
  /** The proto name of that kind (`assertion`, `gold_standard`...). */
  readonly kind: string;
  /** Whether it carried any signature (a vote: its `signature` field at all). */
  readonly signed: boolean;
}

const NOTHING: RecordRead = { result: undefined, kind: '', signed: false };

/**
 * Reads one `Record` message from `r.pos` to `end` (reads are bounded by the
 * buffer, not by `end`, as the generated decoder's). Wire failures throw; the
 * record's own rule breaks are returned in the result, for `settleRecord`.
 */
export function readRecord(r: RecordReader, end: number, field: string): RecordRead {
  let read = NOTHING;
  let count = 0;
  let last = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.uint32();
    last = step(r, at, tag, last, 0);
    if (tag === 10 || tag === 18 || tag === 26 || tag === 34 || tag === 42 || tag === 50 || tag === 58) {
      if (count++ > 0) r.canonical = false;
      read = readKind(r, tag, field);
      continue;
    }
    if (stops(r, tag)) break;
    r.skip(tag & 7);
  }
  ended(r, end);
  return read;
}

function readKind(r: RecordReader, tag: number, field: string): RecordRead {
  const len = r.length();
  const end = r.pos + len;
  switch (tag) {
    case 10: {
      const result = readAssertion(r, end, `${field}.assertion`);
      return { result, kind: 'assertion', signed: r.signed };
    }
    case 18: {
      const result = readVote(r, end, `${field}.vote`);
      return { result, kind: 'vote', signed: r.signed };
    }
    case 26: {
      const result = readEpoch(r, end, `${field}.epoch`);
      return { result, kind: 'epoch', signed: r.signed };
    }
    case 34: {
      const result = readGoldStandard(r, end, `${field}.gold_standard`);
      return { result, kind: 'gold_standard', signed: r.signed };
    }
    case 42: {
      const result = readTrustPack(r, end, `${field}.trust_pack`);
      return { result, kind: 'trust_pack', signed: r.signed };
    }
    case 50: {
      const result = readAgentGrant(r, end, `${field}.agent_grant`);
      return { result, kind: 'agent_grant', signed: r.signed };
    }
    default: {
      const result = readAgentRevoke(r, end, `${field}.agent_revoke`);
      return { result, kind: 'agent_revoke', signed: r.signed };
    }
  }
}

/**
 * The record a `readRecord` came to, validated once (validate.ts); throws the
 * error it earned: SignatureError first when `refuseUnsigned` and it carried
 * no signature, then its conversion's ValidationError, then validation's.
 */
export function settleRecord(read: RecordRead, field: string, refuseUnsigned: boolean): StemeRecord {
  const result = read.result;
  if (result === undefined) throw new ValidationError(field, 'no record kind set');
  if (refuseUnsigned && !read.signed) throw new SignatureError(`${field}.${read.kind}.${read.kind === 'vote' ? 'signature' : 'signatures'}`, 'the record is unsigned');
  if (result instanceof ValidationError) throw result;
  validateRecord(result, field);
  return result;
}

/** A record decoded from its bytes, and whether they are its canonical encoding. */
export interface DecodedRecord {
  readonly record: StemeRecord;
  readonly canonical: boolean;
}

/**
 * Decodes and validates protobuf `Record` bytes (the whole of `bytes`).
 * Throws DecodeError naming `field` when they are not a protobuf Record (as
 * proto-convert.ts's `decodeRecordBytes` always has), ValidationError (or
 * SignatureError, with `refuseUnsigned`) when the record breaks a rule.
 */
export function decodeRecord(bytes: Uint8Array, field = 'record', refuseUnsigned = false): DecodedRecord {
  const r = new RecordReader(asBuffer(bytes));
  let read: RecordRead;
  try {
    read = readRecord(r, r.len, field);
  } catch (err) {
    throw wireFailure(err, field);
  }
  return { record: settleRecord(read, field, refuseUnsigned), canonical: r.canonical };
}

/** A wire failure as the DecodeError `decodeRecordBytes` has always thrown (anything else is thrown on). */
export function wireFailure(err: unknown, field: string): unknown {
  if (err instanceof WireFormatError) return new DecodeError(`not a valid protobuf Record: ${err.message}`, field, err);
  return err;
}

/** `bytes` as a Buffer over the same memory (no copy). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
