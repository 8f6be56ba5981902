/**
 * The Consensus decision of a pair with one claim by one signer — what most
 * materialized views are (a pair touched by a batch usually holds a single
 * assertion) — without preparing, grouping and ranking: the same checks, the
 * same arithmetic on the same numbers, so the same decision bit for bit as
 * the general path (decision.ts `decideByGroups`; test/lens/one-claim.test.ts
 * compares the two on random single-candidate inputs, invalid ones included).
 *
 * It applies only when the general path's work for that claim is trivial:
 * one candidate, one signer, no withdrawal (nothing to cut), at most one vote
 * (nothing to reduce). Anything else returns undefined for the general path.
 */
import { decideOutcome } from './assemble';
import { checkCandidate, checkVote } from './candidates';
import { isContested } from './contest';
import { voteFactor } from './math';
import { canonicalObject } from './object-value';
import type { ResolutionDecision } from './decision';
import type { Alternative, Candidate } from './types';

/** Under the default context (now, every epoch, superseded skipped); undefined when the claim is not that simple. */
export function decideOneClaim(subject: string, predicate: string, candidates: readonly Candidate[]): ResolutionDecision | undefined {
  if (candidates.length !== 1) return undefined;
  const c = candidates[0]!;
  if (c.signers.length !== 1 || (c.withdrawals !== undefined && c.withdrawals.length > 0) || c.votes.length > 1) return undefined;
  // prepareCandidates: the contract first; a superseded claim is excluded before its votes are read.
  checkCandidate(c, subject, predicate, 0);
  if (c.superseded) return decided(subject, predicate, []);
  let net = 0;
  if (c.votes.length === 1) {
    const v = c.votes[0]!;
    checkVote(v, 0, 0);
    // latestVotes turns -0 into 0 (the general path's sum of one vote, 0 + value, is that value).
    net = v.value === 0 ? 0 : v.value;
  }
  // toLive's confidence (-0 as 0); with one signer the support (the least of the
  // signers' confidences, summed from 0) is that confidence, and the value's total is its score.
  const confidence = c.assertion.confidence === 0 ? 0 : c.assertion.confidence;
  const score = confidence * voteFactor(net);
  const alternatives: Alternative[] = [{ object: canonicalObject(c.assertion.object), score, share: score > 0 ? 1 : 0, assertionIds: [c.id] }];
  return decided(subject, predicate, alternatives);
}

/** What decideConsensus returns for these alternatives (no minimum share under the default context). */
function decided(subject: string, predicate: string, alternatives: Alternative[]): ResolutionDecision {
  return { subject, predicate, lens: 'consensus', outcome: decideOutcome(alternatives[0], undefined), contested: isContested(alternatives), alternatives };
}
