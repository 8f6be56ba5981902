/**
 * The compact binary form of the materialized view (MV): the Consensus
 * resolution of a pair under the default context with `explain: false`.
 *
 * It keeps only what cannot be recomputed: no subject or predicate (the MV key
 * has them), no explanations (the MV never has any), no summary text (rebuilt
 * on decode from the stored fields and the count of superseded candidates, so
 * it equals the one the lens wrote), and nothing the alternatives already say:
 * the resolution's score and share are its top alternative's (0 without one),
 * its object is the top alternative's when resolved (null otherwise), and its
 * winner is the top alternative's first (best) assertion when resolved
 * (shared/lens/assemble.ts); encoding refuses a resolution that breaks one of
 * these rules. Ids are raw 32-byte values. Layout, doubles little-endian,
 * counts varints (binary-fields.ts; docs/STORAGE.md, "MV value", has it byte
 * by byte with an example):
 *
 *   u8 version (2) ‖ u8 lens (0 = consensus) ‖ u8 outcome ‖ u8 contested
 *   ‖ varint superseded ‖ varint alternative count ‖ per alternative:
 *       object ‖ f64 score ‖ f64 share ‖ varint id count ‖ ids (32 bytes each)
 *
 * Version 1 (store format 1) also stored the winner id, the top score and
 * share, and u32 counts; it is refused (the store is rebuilt from the log).
 */
import { HASH_BYTES } from '../domain/limits';
import { CONSENSUS_METHOD } from '../lens/consensus';
import { FieldReader, FieldWriter } from './binary-fields';
import { STORED_NAMED_ALTERNATIVES_MAX, STORED_NAMED_IDS_MAX } from './limits';
import { ResolutionDecodeError, ResolutionEncodeError } from './errors';
import { compareObjects } from '../lens/object-value';
import { describeResolution } from '../lens/summary';
import type { ResolutionDecision } from '../lens/decision';
import type { Alternative, Candidate, Outcome, Resolution } from '../lens/types';

/** Version byte of the stored MV encoding; bumped on any change. */
export const STORED_RESOLUTION_VERSION = 2;

/** The one lens the stored encoding holds (byte 0): the MV's. */
const STORED_LENS = 'consensus';
const LENS_BYTE = 0;

const OUTCOME_BYTE: Readonly<Record<Outcome, number>> = { resolved: 0, unresolved: 1, no_candidates: 2 };
const OUTCOMES: readonly Outcome[] = ['resolved', 'unresolved', 'no_candidates'];

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
  const winner = resolved ? top!.assertionIds[0] : undefined;
  if (resolved ? winner === undefined || r.winnerId === null || !r.winnerId.equals(winner) : r.winnerId !== null) {
    throw new ResolutionEncodeError('winnerId', "must be the top alternative's first assertion when resolved, null otherwise");
  }
  if (!sameDouble(r.score, top?.score ?? 0)) throw new ResolutionEncodeError('score', "must be the top alternative's score (0 without one)");
  if (!sameDouble(r.share, top?.share ?? 0)) throw new ResolutionEncodeError('share', "must be the top alternative's share (0 without one)");
  return encodeStoredDecision(r, counts);
}

/**
 * The stored MV bytes of a Consensus decision under the default context
 * (shared/lens decision.ts): the same bytes `encodeStoredResolution` gives the
 * resolution with that decision, whose object, winner, score and share the
 * decision implies. Throws ResolutionEncodeError naming a field it cannot store.
 */
export function encodeStoredDecision(r: ResolutionDecision, counts: StoredResolutionCounts): Buffer {
  if (r.lens !== STORED_LENS) throw new ResolutionEncodeError('lens', `only ${STORED_LENS} is stored, got ${r.lens}`);
  if (r.outcome === 'resolved' && r.alternatives[0]?.assertionIds[0] === undefined) {
    throw new ResolutionEncodeError('alternatives', 'a resolved resolution has one with an assertion at least');
  }
  const w = new FieldWriter();
  w.u8(STORED_RESOLUTION_VERSION).u8(LENS_BYTE).u8(OUTCOME_BYTE[r.outcome]).u8(r.contested ? 1 : 0);
  w.varint(counts.superseded, 'superseded').varint(r.alternatives.length, 'alternatives');
  r.alternatives.forEach((a, i) => {
    const names = alternativeFields(i);
    w.object(a.object, names.object).f64(a.score, names.score).f64(a.share, names.share);
    w.varint(a.assertionIds.length, names.assertionIds);
    a.assertionIds.forEach((id, j) => w.id(id, names.assertionId(j)));
  });
  return w.finish();
}

/**
 * The resolution of (subject, predicate) that `encodeStoredResolution` stored,
 * summary rebuilt and explanations empty. Throws ResolutionDecodeError naming
 * the bad field.
 */
export function decodeStoredResolution(subject: string, predicate: string, bytes: Buffer): Resolution {
  const r = new FieldReader(bytes);
  const version = r.u8('v');
  if (version !== STORED_RESOLUTION_VERSION) throw new ResolutionDecodeError('v', `unsupported stored encoding version ${version}`);
  if (r.u8('lens') !== LENS_BYTE) throw new ResolutionDecodeError('lens', `expected ${LENS_BYTE} (${STORED_LENS})`);
  const outcome = OUTCOMES[r.u8('outcome')];
  if (outcome === undefined) throw new ResolutionDecodeError('outcome', `expected 0..${OUTCOMES.length - 1}`);
  const contested = r.bool('contested');
  const superseded = r.count('superseded', 0);
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
  const winner = top?.assertionIds[0];
  if (outcome === 'resolved' && winner === undefined) throw new ResolutionDecodeError('alternatives', 'a resolved resolution has one with an assertion at least');
  const winnerId = outcome === 'resolved' ? winner! : null;
  const score = top?.score ?? 0;
  const share = top?.share ?? 0;
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

interface AlternativeFields {
  readonly object: string;
  readonly score: string;
  readonly share: string;
  readonly assertionIds: string;
  assertionId(j: number): string;
}

/** Alternatives whose field names (for errors) are built once and kept, not per encoding. */
const ALTERNATIVE_FIELDS: AlternativeFields[] = [];

/** The field names of alternative `i`, as errors name them (`alternatives[i].score`, …). */
function alternativeFields(i: number): AlternativeFields {
  const kept = ALTERNATIVE_FIELDS[i];
  if (kept !== undefined) return kept;
  const field = `alternatives[${i}]`;
  const ids = Array.from({ length: STORED_NAMED_IDS_MAX }, (_, j) => `${field}.assertionIds[${j}]`);
  const names: AlternativeFields = {
    object: `${field}.object`,
    score: `${field}.score`,
    share: `${field}.share`,
    assertionIds: `${field}.assertionIds`,
    assertionId: (j) => ids[j] ?? `${field}.assertionIds[${j}]`,
  };
  if (i < STORED_NAMED_ALTERNATIVES_MAX) ALTERNATIVE_FIELDS[i] = names;
  return names;
}

/** Equal as stored doubles: the same value and sign (-0 is not 0). */
function sameDouble(a: number, b: number): boolean {
  return Object.is(a, b);
}
