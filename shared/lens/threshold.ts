/**
 * Threshold: Consensus scoring, but no winner unless the top value holds at
 * least `minShare` of the total support (THRESHOLD_MIN_SHARE_DEFAULT unless the
 * query says otherwise). Below it the outcome is 'unresolved' with no object;
 * score and share still report the top value, so a caller sees how close it was.
 */
import { prepareCandidates, resolveContext } from './candidates';
import { assemble } from './assemble';
import { CONSENSUS_METHOD, scoreConsensusValue } from './consensus';
import { fmt } from './format';
import type { Candidate, LensContext, Resolution } from './types';

export function resolveThreshold(
  subject: string,
  predicate: string,
  candidates: readonly Candidate[],
  context: LensContext,
): Resolution {
  const ctx = resolveContext(context);
  const prepared = prepareCandidates(subject, predicate, candidates, ctx);
  return assemble({
    lens: 'threshold',
    subject,
    predicate,
    prepared,
    values: prepared.groups.map(scoreConsensusValue),
    minShare: ctx.minShare,
    method: `${CONSENSUS_METHOD} A winner needs a share of at least ${fmt(ctx.minShare)}.`,
    explain: ctx.explain,
  });
}
