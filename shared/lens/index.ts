/**
 * The lens library: pure, deterministic functions from the candidates of one
 * (subject, predicate) and a context to a Resolution. No I/O, no clock, no
 * randomness: the same inputs in any order give the same bytes out, which is
 * what lets ingest keep a materialized view and `as_of_offset` reproduce any
 * answer. Formulas and worked examples: docs/LENSES.md.
 */
import { resolveAuthority } from './authority';
import { resolveConsensus } from './consensus';
import { UnknownLensError } from './errors';
import { resolveRecency } from './recency';
import { resolveThreshold } from './threshold';
import type { Candidate, LensContext, LensName, Resolution } from './types';

export type LensFn = (
  subject: string,
  predicate: string,
  candidates: readonly Candidate[],
  context: LensContext,
) => Resolution;

const LENSES: Readonly<Record<LensName, LensFn>> = {
  consensus: resolveConsensus,
  recency: resolveRecency,
  authority: resolveAuthority,
  threshold: resolveThreshold,
};

/** Every lens, in the proto's enum order. */
export const LENS_NAMES: readonly LensName[] = ['consensus', 'recency', 'authority', 'threshold'];

/** The lens of a query that names none, and of the materialized view. */
export const DEFAULT_LENS: LensName = 'consensus';

/** True when `name` is a lens this library implements. */
export function isLensName(name: string): name is LensName {
  return (LENS_NAMES as readonly string[]).includes(name);
}

/** `name` as a LensName; throws UnknownLensError otherwise. */
export function parseLensName(name: string): LensName {
  if (!isLensName(name)) throw new UnknownLensError(name);
  return name;
}

/**
 * Resolve one (subject, predicate) under a lens. Throws UnknownLensError for a
 * name no lens answers to, and LensInputError for candidates of another pair or
 * out-of-range values and options.
 */
export function resolve(
  lens: LensName,
  subject: string,
  predicate: string,
  candidates: readonly Candidate[],
  context: LensContext = {},
): Resolution {
  return LENSES[parseLensName(lens)](subject, predicate, candidates, context);
}

export type * from './types';
export { UnknownLensError, LensInputError } from './errors';
export { CONTEST_MARGIN, CONTEST_TOLERANCE, THRESHOLD_MIN_SHARE_DEFAULT, TRUST_DEFAULT_RANK, VOTE_SCALE, VOTE_WEIGHT } from './params';
export { isContested } from './contest';
export { canonicalObject, compareObjects, objectKey, objectsEqual, formatObject } from './object-value';
export { escalationOf, isEscalation, stripExplanations, type EscalationFacts } from './escalation';
export { decideConsensus, decisionWinner, type ResolutionDecision } from './decision';
