/**
 * The compact binary form of the materialized view (MV): the Consensus
 * resolution of a pair under the default context with `explain: false`.
 *
 * It keeps only what cannot be recomputed: no subject or predicate (the MV key
 * has them), no explanations (the MV never has any), no summary text (rebuilt
 * on decode from the stored fields and the count of superseded candidates, so
 * it equals the one the lens wrote). Ids are raw 32-byte values. Layout, all
 * integers and doubles little-endian (docs/STORAGE.md, "MV value", has it byte
 * by byte with an example):
 *
 *   u8 version (1) ‖ u8 lens (0 = consensus) ‖ u8 outcome ‖ u8 contested
 *   ‖ [32-byte winner id, only when outcome is resolved] ‖ f64 score ‖ f64 share
 *   ‖ u32 superseded ‖ u32 alternative count ‖ per alternative:
 *       object (u8 kind, then the value as in canonical.ts) ‖ f64 score ‖ f64 share
 *       ‖ u32 id count ‖ ids (32 bytes each)
 *
 * The top-level object is not stored: a resolution's object is its top
 * alternative's when resolved, null otherwise (assemble.ts), and encoding
 * refuses a resolution that breaks that rule.
 */
import { OBJECT_KIND_BYTE } from '../domain/canonical';
import { HASH_BYTES } from '../domain/limits';
import type { ObjectKind, ObjectValue } from '../domain/types';
import { CONSENSUS_METHOD } from '../lens/consensus';
import { ResolutionDecodeError, ResolutionEncodeError } from './errors';
import { compareObjects } from '../lens/object-value';
import { describeResolution } from '../lens/summary';
import type { Alternative, Candidate, Outcome, Resolution } from '../lens/types';

/** Version byte of the stored MV encoding; bumped on any change. */
export const STORED_RESOLUTION_VERSION = 1;

/** The one lens the stored encoding holds (byte 0): the MV's. */
const STORED_LENS = 'consensus';
const LENS_BYTE = 0;

const OUTCOME_BYTE: Readonly<Record<Outcome, number>> = { resolved: 0, unresolved: 1, no_candidates: 2 };
const OUTCOMES: readonly Outcome[] = ['resolved', 'unresolved', 'no_candidates'];
const OBJECT_KINDS = Object.keys(OBJECT_KIND_BYTE) as ObjectKind[];

/** What the resolution itself does not carry but its summary needs. */
export interface StoredResolutionCounts {
  /** Candidates the lens skipped as superseded. */
  readonly superseded: number;
}

/**
 * The counts of `candidates` as the default context sees them (no
 * `asOfOffset`, every epoch, superseded ones skipped): what the MV stores.
 */
export function materializedCounts(candidates: readonly Candidate[]): StoredResolutionCounts {
  return { superseded: candidates.reduce((n, c) => n + (c.superseded ? 1 : 0), 0) };
}

/**
 * The stored MV bytes of `r`, a Consensus resolution under the default context
 * with `explain: false`. Deterministic: the same resolution gives the same bytes.
 * Throws ResolutionEncodeError naming the field it cannot store.
 */
export function encodeStoredResolution(r: Resolution, counts: StoredResolutionCounts): Buffer {
  if (r.lens !== STORED_LENS) throw new ResolutionEncodeError('lens', `only ${STORED_LENS} is stored, got ${r.lens}`);
  if (r.explanations.length > 0) throw new ResolutionEncodeError('explanations', 'the stored form has no explanations');
  const top = r.alternatives[0];
  const resolved = r.outcome === 'resolved';
  if (resolved !== (top !== undefined && r.object !== null && compareObjects(r.object, top.object) === 0)) {
    throw new ResolutionEncodeError('object', "must be the top alternative's object when resolved, null otherwise");
  }
  if (resolved !== (r.winnerId !== null)) throw new ResolutionEncodeError('winnerId', 'must be set exactly when resolved');
  const w = new Writer();
  w.u8(STORED_RESOLUTION_VERSION).u8(LENS_BYTE).u8(OUTCOME_BYTE[r.outcome]).u8(r.contested ? 1 : 0);
  if (r.winnerId !== null) w.id(r.winnerId, 'winnerId');
  w.f64(r.score, 'score').f64(r.share, 'share').u32(counts.superseded, 'superseded').u32(r.alternatives.length, 'alternatives');
  r.alternatives.forEach((a, i) => {
    const field = `alternatives[${i}]`;
    w.object(a.object, `${field}.object`).f64(a.score, `${field}.score`).f64(a.share, `${field}.share`);
    w.u32(a.assertionIds.length, `${field}.assertionIds`);
    a.assertionIds.forEach((id, j) => w.id(id, `${field}.assertionIds[${j}]`));
  });
  return w.finish();
}

/**
 * The resolution of (subject, predicate) that `encodeStoredResolution` stored,
 * summary rebuilt and explanations empty. Throws ResolutionDecodeError naming
 * the bad field.
 */
export function decodeStoredResolution(subject: string, predicate: string, bytes: Buffer): Resolution {
  const r = new Reader(bytes);
  const version = r.u8('v');
  if (version !== STORED_RESOLUTION_VERSION) throw new ResolutionDecodeError('v', `unsupported stored encoding version ${version}`);
  if (r.u8('lens') !== LENS_BYTE) throw new ResolutionDecodeError('lens', `expected ${LENS_BYTE} (${STORED_LENS})`);
  const outcome = OUTCOMES[r.u8('outcome')];
  if (outcome === undefined) throw new ResolutionDecodeError('outcome', `expected 0..${OUTCOMES.length - 1}`);
  const contested = r.bool('contested');
  const winnerId = outcome === 'resolved' ? r.id('winnerId') : null;
  const score = r.f64('score');
  const share = r.f64('share');
  const superseded = r.u32('superseded');
  const alternatives: Alternative[] = [];
  const count = r.count('alternatives', 1);
  for (let i = 0; i < count; i++) {
    const field = `alternatives[${i}]`;
    const object = r.object(`${field}.object`);
    const altScore = r.f64(`${field}.score`);
    const altShare = r.f64(`${field}.share`);
    const ids = r.count(`${field}.assertionIds`, HASH_BYTES);
    const assertionIds: Buffer[] = [];
    for (let j = 0; j < ids; j++) assertionIds.push(r.id(`${field}.assertionIds[${j}]`));
    alternatives.push({ object, score: altScore, share: altShare, assertionIds });
  }
  r.end();
  const top = alternatives[0];
  if (outcome === 'resolved' && top === undefined) throw new ResolutionDecodeError('alternatives', 'a resolved resolution has one at least');
  const live = alternatives.reduce((n, a) => n + a.assertionIds.length, 0);
  const base = {
    subject,
    predicate,
    lens: STORED_LENS,
    outcome,
    object: outcome === 'resolved' ? top!.object : null,
    winnerId,
    score,
    share,
    contested,
    alternatives,
    explanations: [],
  } as const;
  const summary = describeResolution({
    ...base,
    considered: { visible: live + superseded, superseded, otherEpoch: 0 },
    minShare: undefined,
    method: CONSENSUS_METHOD,
  });
  return { ...base, summary };
}

/** Appends little-endian fields; numbers keep their sign (-0 stays -0). */
class Writer {
  private readonly parts: Buffer[] = [];

  u8(value: number): this {
    this.parts.push(Buffer.of(value));
    return this;
  }

  u32(value: number, field: string): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new ResolutionEncodeError(field, `${value} is not a u32`);
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32LE(value);
    this.parts.push(b);
    return this;
  }

  f64(value: number, field: string): this {
    // A lens never produces NaN or Infinity; storing one would hide a bug.
    if (!Number.isFinite(value)) throw new ResolutionEncodeError(field, `${value} is not finite`);
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleLE(value);
    this.parts.push(b);
    return this;
  }

  id(id: Buffer, field: string): this {
    if (id.length !== HASH_BYTES) throw new ResolutionEncodeError(field, `expected ${HASH_BYTES} bytes, got ${id.length}`);
    this.parts.push(id);
    return this;
  }

  object(v: ObjectValue, field: string): this {
    this.u8(OBJECT_KIND_BYTE[v.kind]);
    switch (v.kind) {
      case 'text':
      case 'entity':
        return this.lengthPrefixed(Buffer.from(v.value, 'utf8'), `${field}.value`);
      case 'number':
        return this.f64(v.value, `${field}.value`);
      case 'integer':
      case 'timestamp': {
        const b = Buffer.allocUnsafe(8);
        try {
          b.writeBigInt64LE(v.value);
        } catch {
          throw new ResolutionEncodeError(`${field}.value`, `${v.value} is not an i64`);
        }
        this.parts.push(b);
        return this;
      }
      case 'boolean':
        return this.u8(v.value ? 1 : 0);
      case 'bytes':
        return this.lengthPrefixed(v.value, `${field}.value`);
    }
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }

  private lengthPrefixed(bytes: Buffer, field: string): this {
    this.u32(bytes.length, field);
    this.parts.push(bytes);
    return this;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Reads what Writer wrote; every failure is a ResolutionDecodeError with the field. */
class Reader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  u8(field: string): number {
    return this.take(1, field)[0]!;
  }

  bool(field: string): boolean {
    const b = this.u8(field);
    if (b > 1) throw new ResolutionDecodeError(field, `expected 0 or 1, got ${b}`);
    return b === 1;
  }

  u32(field: string): number {
    return this.take(4, field).readUInt32LE();
  }

  /** A u32 count of items of at least `itemBytes` each, checked against the bytes left. */
  count(field: string, itemBytes: number): number {
    const n = this.u32(field);
    if (n * itemBytes > this.buf.length - this.pos) throw new ResolutionDecodeError(field, `count ${n} exceeds the bytes left`);
    return n;
  }

  f64(field: string): number {
    const x = this.take(8, field).readDoubleLE();
    if (!Number.isFinite(x)) throw new ResolutionDecodeError(field, 'expected a finite number');
    return x;
  }

  id(field: string): Buffer {
    return Buffer.from(this.take(HASH_BYTES, field));
  }

  object(field: string): ObjectValue {
    const kindByte = this.u8(`${field}.kind`);
    const kind = OBJECT_KINDS.find((k) => OBJECT_KIND_BYTE[k] === kindByte);
    const value = `${field}.value`;
    switch (kind) {
      case 'text':
      case 'entity': {
        const raw = this.take(this.count(value, 1), value);
        try {
          return { kind, value: utf8.decode(raw) };
        } catch {
          throw new ResolutionDecodeError(value, 'invalid UTF-8');
        }
      }
      case 'number':
        return { kind, value: this.f64(value) };
      case 'integer':
      case 'timestamp':
        return { kind, value: this.take(8, value).readBigInt64LE() };
      case 'boolean':
        return { kind, value: this.bool(value) };
      case 'bytes':
        return { kind, value: Buffer.from(this.take(this.count(value, 1), value)) };
      case undefined:
        throw new ResolutionDecodeError(`${field}.kind`, `unknown object kind ${kindByte}`);
    }
  }

  end(): void {
    if (this.pos !== this.buf.length) throw new ResolutionDecodeError('', `${this.buf.length - this.pos} trailing bytes`);
  }

  private take(n: number, field: string): Buffer {
    if (this.pos + n > this.buf.length) throw new ResolutionDecodeError(field, 'truncated');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}
