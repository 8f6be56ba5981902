/**
 * The claim kinds (assertion, vote, gold standard), each read straight from
 * its wire message into its domain record by record-decoder.ts (docs/FORMAT.md,
 * "The record decoder"); the administrative kinds are in record-admin-kinds.ts.
 * A kind's fields are read in wire order (the last of a field wins, as in
 * the generated decoder), then converted in the order proto-convert.ts
 * converts them, so the first rule broken is the one named. A conversion
 * failure is returned, not thrown: it counts only if this occurrence of the
 * kind is the record's last and the rest of the bytes decode.
 */
import { recordTimestampFrom, signatureAlgorithmOk, unknownAlgorithm } from './proto-rules';
import { ended, messageEnd, NO_BYTES, objectValue, type RecordReader, signature, step, stops } from './record-parts';
import { object, problem, Signatures, timestamp, type KindResult } from './record-kind-fields';
import type { Assertion, GoldStandard, ObjectValue, Signature, Vote } from './types';

export function readAssertion(r: RecordReader, end: number, field: string): KindResult {
  let subject = '';
  let predicate = '';
  let value: ObjectValue | undefined;
  let confidence = 0;
  let sourceHash = NO_BYTES;
  let visualHash: bigint | null = null;
  let parentHash = NO_BYTES;
  let epoch = '';
  let at: number | bigint = 0;
  const sigs = new Signatures();
  let last = 0;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.uint32();
    last = step(r, start, tag, last, 10);
    switch (tag) {
      case 10:
        subject = r.string(true);
        continue;
      case 18:
        predicate = r.string(true);
        continue;
      case 26:
        value = objectValue(r, messageEnd(r));
        continue;
      case 33:
        confidence = r.double(true);
        continue;
      case 42:
        sourceHash = r.bytes(true);
        continue;
      case 49:
        r.fixed64();
        visualHash = r.uint64();
        continue;
      case 58:
        parentHash = r.bytes(true);
        continue;
      case 66:
        epoch = r.string(true);
        continue;
      case 72:
        at = timestamp(r);
        continue;
      case 82:
        sigs.read(r);
        continue;
    }
    if (stops(r, tag)) break;
    r.skip(tag & 7);
  }
  ended(r, end);
  r.signed = sigs.list.length > 0;
  try {
    const record: Assertion = {
      kind: 'assertion',
      subject,
      predicate,
      object: object(value, `${field}.object`),
      confidence,
      sourceHash,
      visualHash,
      // proto3 has no presence for bytes and strings: empty means absent.
      parentHash: parentHash.length === 0 ? null : parentHash,
      epoch: epoch === '' ? null : epoch,
      assertedAtMs: recordTimestampFrom(at, `${field}.asserted_at_ms`),
      signatures: sigs.checked(`${field}.signatures`),
    };
    return record;
  } catch (err) {
    return problem(err);
  }
}

export function readVote(r: RecordReader, end: number, field: string): KindResult {
  let assertionId = NO_BYTES;
  let voter = NO_BYTES;
  let value = 0;
  let at: number | bigint = 0;
  let sig: Signature | undefined;
  let algorithm = 0;
  let last = 0;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.uint32();
    last = step(r, start, tag, last, 0);
    switch (tag) {
      case 10:
        assertionId = r.bytes(true);
        continue;
      case 18:
        voter = r.bytes(true);
        continue;
      case 25:
        value = r.double(true);
        continue;
      case 32:
        at = timestamp(r);
        continue;
      case 42:
        sig = signature(r, messageEnd(r));
        algorithm = r.algorithm;
        continue;
    }
    if (stops(r, tag)) break;
    r.skip(tag & 7);
  }
  ended(r, end);
  r.signed = sig !== undefined;
  try {
    const castAtMs = recordTimestampFrom(at, `${field}.cast_at_ms`);
    if (sig !== undefined && !signatureAlgorithmOk(algorithm)) throw unknownAlgorithm(`${field}.signature`, algorithm);
    const record: Vote = { kind: 'vote', assertionId, voter, value, castAtMs, signatures: sig === undefined ? [] : [sig] };
    return record;
  } catch (err) {
    return problem(err);
  }
}

export function readGoldStandard(r: RecordReader, end: number, field: string): KindResult {
  let subject = '';
  let predicate = '';
  let value: ObjectValue | undefined;
  let at: number | bigint = 0;
  const sigs = new Signatures();
  let last = 0;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.uint32();
    last = step(r, start, tag, last, 5);
    switch (tag) {
      case 10:
        subject = r.string(true);
        continue;
      case 18:
        predicate = r.string(true);
        continue;
      case 26:
        value = objectValue(r, messageEnd(r));
        continue;
      case 32:
        at = timestamp(r);
        continue;
      case 42:
        sigs.read(r);
        continue;
    }
    if (stops(r, tag)) break;
    r.skip(tag & 7);
  }
  ended(r, end);
  r.signed = sigs.list.length > 0;
  try {
    const record: GoldStandard = {
      kind: 'gold_standard',
      subject,
      predicate,
      object: object(value, `${field}.object`),
      createdAtMs: recordTimestampFrom(at, `${field}.created_at_ms`),
      signatures: sigs.checked(`${field}.signatures`),
    };
    return record;
  } catch (err) {
    return problem(err);
  }
}
