/**
 * The administrative kinds (epoch, trust pack, agent grant, agent revoke),
 * read as record-kinds.ts reads the claim kinds: straight from the wire
 * message into the domain record, fields in wire order, conversions in
 * proto-convert.ts's order, a conversion failure returned, not thrown.
 */
import { sortTrustEntries } from './canonical';
import { recordTimestampFrom } from './proto-rules';
import { ended, messageEnd, NO_BYTES, type RecordReader, step, stops, trustEntry } from './record-parts';
import { problem, Signatures, timestamp, type KindResult } from './record-kind-fields';
import type { AgentGrant, AgentRevoke, Epoch, TrustEntry, TrustPack } from './types';

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
