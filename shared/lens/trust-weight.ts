/**
 * How much an agent's word counts: from an estimated reliability (the
 * probability that a claim of the agent is true) to a vote weight, and the
 * reliability an agent's gold-standard record supports.
 *
 * Weight (Dong, Berti-Equille & Srivastava's ACCU vote count, floored at 0):
 *
 *   weight(r) = max(0, ln(n · r / (1 − r)))     n = AUTHORITY_FALSE_VALUES
 *
 * With n false values per fact, each as likely as the others, a claim by an
 * agent of reliability r multiplies the odds of its value against any one
 * other value by n·r/(1 − r); summing log-odds over independent sources is
 * Bayes' rule. An agent no better than a random pick (r = 1/(n+1)) weighs 0,
 * and the floor keeps a worse one from counting against the value it asserts.
 *
 * Reliability from gold standards: a Beta posterior mean with the prior
 * Beta(TRUST_PRIOR_RIGHT, TRUST_PRIOR_WRONG), whose mean 1/(n+1) is a random
 * pick — so an agent without a record weighs exactly 0:
 *
 *   r = (TRUST_PRIOR_RIGHT + right) / (TRUST_PRIOR_RIGHT + TRUST_PRIOR_WRONG + right + wrong)
 *
 * Both are functions of counts only, so any order of the same judgements gives
 * the same bits.
 */
import { LEARNED_PACK_PRIOR_JUDGEMENTS, RELIABILITY_MAX, TRUST_PRIOR_RIGHT, TRUST_PRIOR_WRONG } from './params';

/** The reliability of an agent without any record: the prior mean 1/(n+1), weight 0. */
export const PRIOR_RELIABILITY = TRUST_PRIOR_RIGHT / (TRUST_PRIOR_RIGHT + TRUST_PRIOR_WRONG);

const PRIOR_LOG_ODDS = Math.log(PRIOR_RELIABILITY / (1 - PRIOR_RELIABILITY));

/**
 * The vote weight of an agent of estimated reliability `r` (0..1):
 * ln(r/(1−r)) − ln(r₀/(1−r₀)) with r₀ = 1/(n+1), which is ln(n·r/(1−r)),
 * written so that r = r₀ gives exactly 0.
 */
export function reliabilityWeight(r: number): number {
  const p = Math.min(r, RELIABILITY_MAX);
  if (!(p > PRIOR_RELIABILITY)) return 0;
  return Math.log(p / (1 - p)) - PRIOR_LOG_ODDS;
}

/** The posterior-mean reliability of an agent with `right` and `wrong` gold judgements. */
export function goldReliability(right: number, wrong: number): number {
  return (TRUST_PRIOR_RIGHT + right) / (TRUST_PRIOR_RIGHT + TRUST_PRIOR_WRONG + right + wrong);
}

/**
 * A learned pack's reliability `r` for an agent, updated by the gold
 * judgements made after the pack: the pack counts as K pseudo-judgements
 * (K = LEARNED_PACK_PRIOR_JUDGEMENTS), r·K of them right.
 */
export function packReliability(r: number, rightSince: number, wrongSince: number): number {
  if (rightSince === 0 && wrongSince === 0) return r;
  return (LEARNED_PACK_PRIOR_JUDGEMENTS * r + rightSince) / (LEARNED_PACK_PRIOR_JUDGEMENTS + rightSince + wrongSince);
}
