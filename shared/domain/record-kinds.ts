/**
 * The seven record kinds, each read straight from its wire message into its
 * domain record by record-decoder.ts (docs/FORMAT.md, "The record decoder").
 * A kind's fields are read in wire order (the last of a field wins, as in
 * the generated decoder), then converted in the order proto-convert.ts
 * converts them, so the first rule broken is the one named. A conversion
 * failure is returned, not thrown: it counts only if this occurrence of the
 * kind is the record's last and the rest of the bytes decode.
 */
import { sortTrustEntries } from './canonical';
import { ValidationError } from './errors';
import { objectKindMissing, recordTimestampFrom, signatureAlgorithmOk, unknownAlgorithm } from './proto-rules';
import { ended, messageEnd, NO_BYTES, objectValue, type RecordReader, signature, step, stops, trustEntry } from './record-parts';
import type { AgentGrant, AgentRevoke, Assertion, Epoch, GoldStandard, ObjectValue, Signature, StemeRecord, TrustEntry, TrustPack, Vote } from './types';
import { validateObject } from './validate';

/** A kind's domain record, or the rule its fields break. */
export type KindResult = StemeRecord | ValidationError;

/** Signatures read so far and the first whose algorithm the domain refuses. */
class Signatures {
  readonly list: Signature[] = [];
  bad = -1;
  badAlgorithm = 0;

  read(r: RecordReader): void {
    const s = signature(r, messageEnd(r));
    if (this.bad < 0 && !signatureAlgorithmOk(r.algorithm)) {
      this.bad = this.list.length;
      this.badAlgorithm = r.algorithm;
    }
    this.list.push(s);
  }

  /** The list, after the algorithm check (`field` names the repeated field). */
  checked(field: string): Signature[] {
    if (this.bad >= 0) throw unknownAlgorithm(`${field}[${this.bad}]`, this.badAlgorithm);
    return this.list;
  }
}

/** The ValidationError a conversion threw, as a result (any other error is thrown on). */
function problem(err: unknown): ValidationError {
  if (err instanceof ValidationError) return err;
  throw err;
}

function object(value: ObjectValue | undefined, field: string): ObjectValue {
  if (value === undefined) throw objectKindMissing(field);
  validateObject(value, field);
  return value;
}

/** A record timestamp read as int64: a number when small, else its bigint (out of range either way). */
function timestamp(r: RecordReader): number | bigint {
  r.varint64(true);
  return r.int64Small();
}

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

export function readEpoch(r: RecordReader, end: number, field: string): KindResult {
  let name = '';
  let description = '';
  let at: number | bigint = 0;
  let parent = '';
  const sigs = new Signatures();
  let last = 0;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.uint32();
    last = step(r, start, tag, last, 5);
    switch (tag) {
      case 10:
        name = r.string(true);
        continue;
      case 18:
        description = r.string(true);
        continue;
      case 24:
        at = timestamp(r);
        continue;
      case 34:
        parent = r.string(true);
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
    const record: Epoch = {
      kind: 'epoch',
      name,
      description,
      startsAtMs: recordTimestampFrom(at, `${field}.starts_at_ms`),
      parent: parent === '' ? null : parent,
      signatures: sigs.checked(`${field}.signatures`),
    };
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

/** A trust pack: never canonical (its entries are re-sorted), so only read. */
export function readTrustPack(r: RecordReader, end: number, field: string): KindResult {
  let name = '';
  const entries: TrustEntry[] = [];
  let at: number | bigint = 0;
  let learned = false;
  const sigs = new Signatures();
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10:
        name = r.string(true);
        continue;
      case 18:
        entries.push(trustEntry(r, messageEnd(r)));
        continue;
      case 24:
        at = timestamp(r);
        continue;
      case 34:
        sigs.read(r);
        continue;
      case 40:
        learned = r.bool(false);
        continue;
    }
    if (stops(r, tag)) break;
    r.skip(tag & 7);
  }
  r.canonical = false;
  r.signed = sigs.list.length > 0;
  try {
    const record: TrustPack = {
      kind: 'trust_pack',
      name,
      // Any order on the wire; the domain keeps canonical order (by agent).
      entries: sortTrustEntries(entries),
      createdAtMs: recordTimestampFrom(at, `${field}.created_at_ms`),
        ...(learned ? { learned: true } : {}),
      signatures: sigs.checked(`${field}.signatures`),
    };
    return record;
  } catch (err) {
    return problem(err);
  }
}

export function readAgentGrant(r: RecordReader, end: number, field: string): KindResult {
  let agent = NO_BYTES;
  let at: number | bigint = 0;
  let expires: number | bigint | undefined;
  const sigs = new Signatures();
  let last = 0;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.uint32();
    last = step(r, start, tag, last, 4);
    switch (tag) {
      case 10:
        agent = r.bytes(true);
        continue;
      case 16:
        at = timestamp(r);
        continue;
      case 24:
      // Explicit presence: a zero is written (and refused by the range check).
        r.varint64(false);
        expires = r.int64Small();
        continue;
      case 34:
        sigs.read(r);
        continue;
    }
    if (stops(r, tag)) break;
    r.skip(tag & 7);
  }
  ended(r, end);
  r.signed = sigs.list.length > 0;
  try {
    const record: AgentGrant = {
      kind: 'agent_grant',
      agent,
      grantedAtMs: recordTimestampFrom(at, `${field}.granted_at_ms`),
      expiresAtMs: expires === undefined ? null : recordTimestampFrom(expires, `${field}.expires_at_ms`),
      signatures: sigs.checked(`${field}.signatures`),
    };
    return record;
  } catch (err) {
    return problem(err);
  }
}

export function readAgentRevoke(r: RecordReader, end: number, field: string): KindResult {
  let agent = NO_BYTES;
  let reason = '';
  let at: number | bigint = 0;
  const sigs = new Signatures();
  let last = 0;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.uint32();
    last = step(r, start, tag, last, 4);
    switch (tag) {
      case 10:
        agent = r.bytes(true);
        continue;
      case 18:
        reason = r.string(true);
        continue;
      case 24:
        at = timestamp(r);
        continue;
      case 34:
        sigs.read(r);
        continue;
    }
    if (stops(r, tag)) break;
    r.skip(tag & 7);
  }
  ended(r, end);
  r.signed = sigs.list.length > 0;
  try {
    const record: AgentRevoke = { kind: 'agent_revoke', agent, reason, revokedAtMs: recordTimestampFrom(at, `${field}.revoked_at_ms`), signatures: sigs.checked(`${field}.signatures`) };
    return record;
  } catch (err) {
    return problem(err);
  }
}
