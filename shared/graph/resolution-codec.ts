/**
 * The canonical JSON form of a Resolution: a deterministic byte encoding, so a
 * store dump is stable and two resolutions compare as bytes (the escalation
 * values and Watch's change detection use it; the MV has its own binary form,
 * stored-resolution.ts).
 *
 * Encoding: UTF-8 JSON with a fixed key order (`{"v":1,...}`), ids and bytes
 * as lowercase hex, integers and timestamps as decimal strings, -0 (only
 * possible as a number object) as the string "-0". JSON numbers round-trip
 * doubles exactly, so decode(encode(r)) deep-equals r.
 */
import type { ObjectValue } from '../domain/types';
import { ResolutionDecodeError, ResolutionEncodeError } from './errors';
import type { Alternative, CandidateExplanation, CandidateWithdrawal, LensName, Outcome, Resolution, ScoreTerm } from '../lens/types';

/** Version of the encoding; bumped on any change. */
export const RESOLUTION_ENCODING_VERSION = 1;

/** Deterministic bytes of `r` (same resolution, same bytes). */
export function encodeResolution(r: Resolution): Buffer {
  const doc = {
    v: RESOLUTION_ENCODING_VERSION,
    subject: r.subject,
    predicate: r.predicate,
    lens: r.lens,
    outcome: r.outcome,
    object: r.object === null ? null : encodeObject(r.object),
    winnerId: r.winnerId === null ? null : r.winnerId.toString('hex'),
    score: finite(r.score, 'score'),
    share: finite(r.share, 'share'),
    contested: r.contested,
    alternatives: r.alternatives.map((a, i) => ({
      object: encodeObject(a.object),
      score: finite(a.score, `alternatives[${i}].score`),
      share: finite(a.share, `alternatives[${i}].share`),
      assertionIds: a.assertionIds.map((id) => id.toString('hex')),
    })),
    explanations: r.explanations.map((e, i) => ({
      assertionId: e.assertionId.toString('hex'),
      object: encodeObject(e.object),
      score: finite(e.score, `explanations[${i}].score`),
      terms: e.terms.map((t, j) => ({
        name: t.name,
        value: finite(t.value, `explanations[${i}].terms[${j}].value`),
        detail: t.detail,
      })),
      superseded: e.superseded,
      excludedReason: e.excludedReason,
      // Only when there are some, so resolutions without withdrawals keep their v1 bytes.
      ...(e.withdrawals.length === 0 ? {} : { withdrawals: e.withdrawals.map((w) => ({ agent: w.agent.toString('hex'), childId: w.childId.toString('hex'), offset: w.offset })) }),
    })),
    summary: r.summary,
  };
  return Buffer.from(JSON.stringify(doc), 'utf8');
}

/** The resolution `encodeResolution` wrote; throws ResolutionDecodeError naming the bad field. */
export function decodeResolution(bytes: Buffer): Resolution {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ResolutionDecodeError('', `not JSON: ${(err as Error).message}`);
  }
  const d = record(doc, '');
  if (d.v !== RESOLUTION_ENCODING_VERSION) {
    throw new ResolutionDecodeError('v', `unsupported encoding version ${String(d.v)}`);
  }
  return {
    subject: str(d.subject, 'subject'),
    predicate: str(d.predicate, 'predicate'),
    lens: oneOf<LensName>(d.lens, ['consensus', 'recency', 'authority', 'threshold'], 'lens'),
    outcome: oneOf<Outcome>(d.outcome, ['resolved', 'unresolved', 'no_candidates'], 'outcome'),
    object: d.object === null ? null : decodeObject(d.object, 'object'),
    winnerId: d.winnerId === null ? null : hex(d.winnerId, 'winnerId'),
    score: num(d.score, 'score'),
    share: num(d.share, 'share'),
    contested: bool(d.contested, 'contested'),
    alternatives: arr(d.alternatives, 'alternatives').map((a, i) => decodeAlternative(a, `alternatives[${i}]`)),
    explanations: arr(d.explanations, 'explanations').map((e, i) => decodeExplanation(e, `explanations[${i}]`)),
    summary: str(d.summary, 'summary'),
  };
}

type EncodedObject = { kind: ObjectValue['kind']; value: string | number | boolean };

/** An object as this JSON form writes it (`{"kind":"text","value":"Ada"}`; integers as decimal strings, bytes as hex). */
export function objectJson(v: ObjectValue): EncodedObject {
  return encodeObject(v);
}

function encodeObject(v: ObjectValue): EncodedObject {
  switch (v.kind) {
    case 'text':
    case 'entity':
    case 'boolean':
      return { kind: v.kind, value: v.value };
    case 'number':
      return { kind: 'number', value: Object.is(v.value, -0) ? '-0' : finite(v.value, 'object.value') };
    case 'integer':
    case 'timestamp':
      return { kind: v.kind, value: v.value.toString() };
    case 'bytes':
      return { kind: 'bytes', value: v.value.toString('hex') };
  }
}

function decodeObject(x: unknown, field: string): ObjectValue {
  const o = record(x, field);
  const value = o.value;
  const kind = oneOf<ObjectValue['kind']>(
    o.kind,
    ['text', 'number', 'integer', 'boolean', 'entity', 'timestamp', 'bytes'],
    `${field}.kind`,
  );
  switch (kind) {
    case 'text':
    case 'entity':
      return { kind, value: str(value, `${field}.value`) };
    case 'boolean':
      return { kind, value: bool(value, `${field}.value`) };
    case 'number':
      return { kind, value: value === '-0' ? -0 : num(value, `${field}.value`) };
    case 'integer':
    case 'timestamp': {
      const s = str(value, `${field}.value`);
      if (!/^-?\d+$/.test(s)) throw new ResolutionDecodeError(`${field}.value`, `not a decimal integer: ${s}`);
      return { kind, value: BigInt(s) };
    }
    case 'bytes':
      return { kind, value: hex(value, `${field}.value`) };
  }
}

function decodeAlternative(x: unknown, field: string): Alternative {
  const a = record(x, field);
  return {
    object: decodeObject(a.object, `${field}.object`),
    score: num(a.score, `${field}.score`),
    share: num(a.share, `${field}.share`),
    assertionIds: arr(a.assertionIds, `${field}.assertionIds`).map((id, i) => hex(id, `${field}.assertionIds[${i}]`)),
  };
}

function decodeExplanation(x: unknown, field: string): CandidateExplanation {
  const e = record(x, field);
  return {
    assertionId: hex(e.assertionId, `${field}.assertionId`),
    object: decodeObject(e.object, `${field}.object`),
    score: num(e.score, `${field}.score`),
    terms: arr(e.terms, `${field}.terms`).map((t, i) => decodeTerm(t, `${field}.terms[${i}]`)),
    superseded: bool(e.superseded, `${field}.superseded`),
    excludedReason: e.excludedReason === null ? null : str(e.excludedReason, `${field}.excludedReason`),
    withdrawals: e.withdrawals === undefined ? [] : arr(e.withdrawals, `${field}.withdrawals`).map((w, i) => decodeWithdrawal(w, `${field}.withdrawals[${i}]`)),
  };
}

function decodeWithdrawal(x: unknown, field: string): CandidateWithdrawal {
  const w = record(x, field);
  const offset = num(w.offset, `${field}.offset`);
  if (!Number.isSafeInteger(offset) || offset < 0) throw new ResolutionDecodeError(`${field}.offset`, 'expected a non-negative safe integer');
  return { agent: hex(w.agent, `${field}.agent`), childId: hex(w.childId, `${field}.childId`), offset };
}

function decodeTerm(x: unknown, field: string): ScoreTerm {
  const t = record(x, field);
  return { name: str(t.name, `${field}.name`), value: num(t.value, `${field}.value`), detail: str(t.detail, `${field}.detail`) };
}

function finite(x: number, field: string): number {
  // JSON has no NaN or Infinity; a lens never produces them.
  if (!Number.isFinite(x)) throw new ResolutionEncodeError(field, `${x} is not finite`);
  return x;
}

function record(x: unknown, field: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new ResolutionDecodeError(field, 'expected an object');
  return x as Record<string, unknown>;
}

function arr(x: unknown, field: string): unknown[] {
  if (!Array.isArray(x)) throw new ResolutionDecodeError(field, 'expected an array');
  return x;
}

function str(x: unknown, field: string): string {
  if (typeof x !== 'string') throw new ResolutionDecodeError(field, 'expected a string');
  return x;
}

function num(x: unknown, field: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new ResolutionDecodeError(field, 'expected a finite number');
  return x;
}

function bool(x: unknown, field: string): boolean {
  if (typeof x !== 'boolean') throw new ResolutionDecodeError(field, 'expected a boolean');
  return x;
}

function hex(x: unknown, field: string): Buffer {
  const s = str(x, field);
  if (!/^(?:[0-9a-f]{2})*$/.test(s)) throw new ResolutionDecodeError(field, 'expected lowercase hex');
  return Buffer.from(s, 'hex');
}

function oneOf<T extends string>(x: unknown, allowed: readonly T[], field: string): T {
  if (typeof x !== 'string' || !(allowed as readonly string[]).includes(x)) {
    throw new ResolutionDecodeError(field, `expected one of ${allowed.join(', ')}`);
  }
  return x as T;
}
