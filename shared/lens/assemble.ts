/**
 * The part of every lens that is not scoring: rank the scored values, compute
 * shares, decide the outcome and the contested flag, and lay out the
 * explanations — so every lens applies the same rules.
 */
import type { ObjectValue } from '../domain/types';
import type { LiveCandidate, PreparedCandidates } from './candidates';
import { isContested } from './contest';
import { stableSum } from './math';
import { compareObjects } from './object-value';
import { describeResolution } from './summary';
import type { Alternative, CandidateExplanation, LensName, Outcome, Resolution, ScoreTerm } from './types';
import { sortStable } from '../domain/sort';

/** One live assertion's contribution to its value. */
export interface ScoredAssertion {
  readonly live: LiveCandidate;
  readonly score: number;
  /** Built only when explanations are asked for. */
  readonly terms: () => readonly ScoreTerm[];
}

/** One distinct value's support. */
export interface ScoredValue {
  readonly object: ObjectValue;
  readonly score: number;
  /** Best first (the lens decides what best means). */
  readonly assertions: readonly ScoredAssertion[];
}

export interface AssembleInput {
  readonly lens: LensName;
  readonly subject: string;
  readonly predicate: string;
  readonly prepared: PreparedCandidates;
  readonly values: readonly ScoredValue[];
  /**
   * Orders values of equal score; must be a total order on distinct values.
   * @default object order (compareObjects)
   */
  readonly compareTies?: (a: ScoredValue, b: ScoredValue) => number;
  /** When set, a top share below it leaves the pair unresolved (Threshold). */
  readonly minShare?: number;
  /** One sentence on how this lens scores, for the summary. */
  readonly method: string;
  /** Build explanations (ResolvedContext.explain). */
  readonly explain: boolean;
  /** Write the summary (ResolvedContext.summary); '' without. */
  readonly summary: boolean;
}

/** The values best first, and the alternatives they make (share of the total score). */
export function rankValues(
  values: readonly ScoredValue[],
  compareTies: ((a: ScoredValue, b: ScoredValue) => number) | undefined,
): { readonly ranked: readonly ScoredValue[]; readonly alternatives: Alternative[] } {
  const ties = compareTies ?? compareValueObjects;
  const ranked = values.length < 2 ? values : sortStable([...values], (a, b) => b.score - a.score || ties(a, b));
  const total = stableSum(ranked.map((v) => v.score));
  const alternatives: Alternative[] = ranked.map((v) => ({
    object: v.object,
    score: v.score,
    share: total > 0 ? v.score / total : 0,
    assertionIds: v.assertions.map((a) => a.live.id),
  }));
  return { ranked, alternatives };
}

function compareValueObjects(a: ScoredValue, b: ScoredValue): number {
  return compareObjects(a.object, b.object);
}

/** Rank, share, decide and explain. */
export function assemble(input: AssembleInput): Resolution {
  const { ranked, alternatives } = rankValues(input.values, input.compareTies);
  const top = alternatives[0];
  const outcome = decideOutcome(top, input.minShare);
  const best = ranked[0]?.assertions[0];
  const resolution = {
    subject: input.subject,
    predicate: input.predicate,
    lens: input.lens,
    outcome,
    object: outcome === 'resolved' && top !== undefined ? top.object : null,
    winnerId: outcome === 'resolved' && best !== undefined ? best.live.id : null,
    score: top?.score ?? 0,
    share: top?.share ?? 0,
    contested: isContested(alternatives),
    alternatives,
    explanations: input.explain ? explain(ranked, input.prepared) : [],
    summary: '',
  };
  if (!input.summary) return resolution;
  const summary = describeResolution({
    ...resolution,
    method: input.method,
    considered: {
      visible: input.prepared.visible,
      superseded: input.prepared.excluded.filter((e) => e.reason === 'superseded').length,
      otherEpoch: input.prepared.excluded.filter((e) => e.reason === 'other_epoch').length,
    },
    minShare: input.minShare,
  });
  return { ...resolution, summary };
}

/** The outcome the top alternative (best first; none without candidates) gives under `minShare`. */
export function decideOutcome(top: Alternative | undefined, minShare: number | undefined): Outcome {
  if (top === undefined) return 'no_candidates';
  // Zero support everywhere (all confidences or ranks 0): any pick would be a
  // coin toss by object order, so no value is claimed.
  if (top.score <= 0) return 'unresolved';
  if (minShare !== undefined && top.share < minShare) return 'unresolved';
  return 'resolved';
}

function explain(ranked: readonly ScoredValue[], prepared: PreparedCandidates): CandidateExplanation[] {
  const out: CandidateExplanation[] = [];
  for (const v of ranked) {
    for (const a of v.assertions) {
      out.push({
        assertionId: a.live.id,
        object: a.live.object,
        score: a.score,
        terms: a.terms(),
        superseded: a.live.superseded,
        excludedReason: null,
        withdrawals: a.live.withdrawals,
      });
    }
  }
  for (const e of prepared.excluded) {
    out.push({
      assertionId: e.candidate.id,
      object: e.candidate.assertion.object,
      score: 0,
      terms: [],
      superseded: e.superseded,
      excludedReason: e.reason,
      withdrawals: e.withdrawals,
    });
  }
  return out;
}
