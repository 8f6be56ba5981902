/**
 * Consensus: support for a value counts independent confirmations.
 *
 *   S(v) = Σ over distinct signers s of v: max confidence of s's claims of v
 *   E(v) = Σ over distinct sources h of v: max confidence of h's first citers' claims of v citing h
 *   N(v) = Σ over distinct voters on v's claims: that voter's latest vote
 *   support(v) = min(S(v), E(v)) · (1 + VOTE_WEIGHT · tanh(N(v) / VOTE_SCALE))
 *
 * Taking the minimum means a value needs both distinct agents and distinct
 * evidence: one agent repeating itself (any number of claims, any sources) adds
 * at most its best confidence, and any number of agents citing one source add
 * at most that source's confidence. A source is worth what its first citers
 * (the signers of its earliest claim, by log offset) said, so a later copier
 * cannot raise it by re-asserting it at a higher confidence. docs/LENSES.md
 * has worked examples.
 */
import { type LiveCandidate, type ValueGroup, latestVotesByVoter } from './candidates';
import type { ScoredAssertion, ScoredValue } from './assemble';
import { runLens } from './run-lens';
import { bestBySigner, firstCitersBySource, byScoreThenId, creditedSigners } from './credit';
import { fmt, fmtSigned, plural, shortHex } from './format';
import { stableSum, voteFactor } from './math';
import { formatObject } from './object-value';
import { VOTE_SCALE, VOTE_WEIGHT } from './params';
import type { Candidate, LensContext, Resolution, ScoreTerm } from './types';
import { sortStable } from '../domain/sort';

export const CONSENSUS_METHOD =
  'Support per value is min(distinct-signer support, distinct-source support; a source is worth what its first citers said), ' +
  `scaled by 1 + ${VOTE_WEIGHT}·tanh(net vote / ${VOTE_SCALE}).`;

const NO_TERMS = (): readonly ScoreTerm[] => [];

/** Scores only (no explanation thunks): what a decision without explanations needs (decision.ts). */
export function scoreConsensusValues(groups: readonly ValueGroup[]): ScoredValue[] {
  return groups.map((g) => scoreConsensusValue(g, false));
}

export function resolveConsensus(
  subject: string,
  predicate: string,
  candidates: readonly Candidate[],
  context: LensContext,
): Resolution {
  return runLens('consensus', subject, predicate, candidates, context, (prepared) => ({
    values: prepared.groups.map((g) => scoreConsensusValue(g)),
    method: CONSENSUS_METHOD,
  }));
}

/** The Consensus support of one value, with each assertion's share of it (`explain`: with each one's score terms). */
export function scoreConsensusValue(group: ValueGroup, explain = true): ScoredValue {
  if (!explain && group.candidates.length === 1 && group.candidates[0]!.signers.length === 1) return scoreOneClaim(group);
  const bySigner = bestBySigner(group);
  const bySource = firstCitersBySource(group);
  const signerSupport = stableSum([...bySigner.values()].map((c) => c.confidence));
  const sourceSupport = stableSum([...bySource.values()].map((c) => c.confidence));
  const base = Math.min(signerSupport, sourceSupport);
  const boundBySigners = signerSupport <= sourceSupport;
  const votes = latestVotesByVoter(group.candidates);
  const net = stableSum(votes.map((v) => v.value));
  const factor = voteFactor(net);

  const supportTerm = (): ScoreTerm => ({
    name: 'value_support',
    value: base,
    detail:
      `min(signer support ${fmt(signerSupport)} from ${plural(bySigner.size, 'signer')}, ` +
      `source support ${fmt(sourceSupport)} from ${plural(bySource.size, 'source')}) for ${formatObject(group.object)}: ` +
      `bound by ${boundBySigners ? 'signers' : 'sources'}`,
  });
  const voteTerm = (): ScoreTerm => ({
    name: 'vote_factor',
    value: factor,
    detail: `net vote ${fmtSigned(net)} from ${plural(votes.length, 'voter')} on this value: 1 + ${VOTE_WEIGHT}·tanh(${fmtSigned(net)} / ${VOTE_SCALE})`,
  });

  const assertions: ScoredAssertion[] = group.candidates.map((c) => {
    const credited = creditedSigners(c, bySigner);
    const signerCredit = c.confidence * credited.length;
    const sourceCredit = bySource.get(c.sourceHex) === c ? c.confidence : 0;
    const score = (boundBySigners ? signerCredit : sourceCredit) * factor;
    if (!explain) return { live: c, score, terms: NO_TERMS };
    return {
      live: c,
      score,
      terms: () => [
        { name: 'confidence', value: c.confidence, detail: 'as asserted' },
        { name: 'signer_credit', value: signerCredit, detail: signerDetail(c, credited, bySigner) },
        { name: 'source_credit', value: sourceCredit, detail: sourceDetail(c, bySource) },
        supportTerm(),
        voteTerm(),
      ],
    };
  });
  sortStable(assertions, byScoreThenId);
  return { object: group.object, score: base * factor, assertions };
}

/**
 * `scoreConsensusValue` without explanations for a value one claim with one
 * signer makes, without its maps: that signer is credited through the claim
 * (signer support 0 + c), the claim is its source's first citer (source
 * support 0 + c), so support is c, the claim's credit c · 1, and the net vote
 * its votes' stable sum (they are one per voter, by voter, as
 * latestVotesByVoter gives them). The same operations on the same numbers:
 * the same bits (test/lens/decision.test.ts).
 */
function scoreOneClaim(group: ValueGroup): ScoredValue {
  const c = group.candidates[0]!;
  const base = Math.min(0 + c.confidence, 0 + c.confidence);
  const factor = voteFactor(c.votes.length === 0 ? 0 : c.votes.length === 1 ? 0 + c.votes[0]!.value : stableSum(c.votes.map((v) => v.value)));
  return { object: group.object, score: base * factor, assertions: [{ live: c, score: c.confidence * 1 * factor, terms: NO_TERMS }] };
}

function signerDetail(c: LiveCandidate, credited: readonly string[], bySigner: ReadonlyMap<string, LiveCandidate>): string {
  if (credited.length === c.signers.length) {
    return `best claim of its ${plural(c.signers.length, 'signer')} for this value`;
  }
  const others = c.signers
    .filter((s) => !credited.includes(s))
    .map((s) => `${shortHex(s)} counted via ${shortHex(bySigner.get(s)?.idHex ?? '')}`);
  return `best claim of ${credited.length} of its ${plural(c.signers.length, 'signer')}; ${others.join(', ')}`;
}

function sourceDetail(c: LiveCandidate, bySource: ReadonlyMap<string, LiveCandidate>): string {
  const best = bySource.get(c.sourceHex);
  return best === c
    ? `counts source ${shortHex(c.sourceHex)} (best claim of its first citers)`
    : `source ${shortHex(c.sourceHex)} already counted via its first citers' claim ${shortHex(best?.idHex ?? '')}`;
}
