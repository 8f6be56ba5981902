/**
 * Threshold: Consensus scoring, but no winner unless the top value holds at
 * least `minShare` of the total support (THRESHOLD_MIN_SHARE_DEFAULT unless the
 * query says otherwise). Below it the outcome is 'unresolved' with no object;
 * score and share still report the top value, so a caller sees how close it was.
 */
import { CONSENSUS_METHOD, scoreConsensusValue } from './consensus';
import { fmt } from './format';
import { runLens } from './run-lens';
import type { Candidate, LensContext, Resolution } from './types';

export function resolveThreshold(
  subject: string,
  predicate: string,
  candidates: readonly Candidate[],
  context: LensContext,
): Resolution {
  return runLens('threshold', subject, predicate, candidates, context, (prepared, ctx) => ({
    values: prepared.groups.map((g) => scoreConsensusValue(g)),
    minShare: ctx.minShare,
    method: `${CONSENSUS_METHOD} A winner needs a share of at least ${fmt(ctx.minShare)}.`,
  }));
}
