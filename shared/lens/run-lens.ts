/**
 * The pipeline every lens shares: resolve the context, prepare the candidates
 * (as-of cut, exclusions, grouping by value), let the lens score the groups,
 * then rank, share and decide the outcome (assemble). A lens supplies only its
 * scoring.
 */
import { assemble, type AssembleInput } from './assemble';
import { prepareCandidates, resolveContext, type PreparedCandidates, type ResolvedContext } from './candidates';
import type { Candidate, LensContext, LensName, Resolution } from './types';

/** What a lens decides: its scored values, how it scores, and optionally tie order and a minimum share. */
export type LensScoring = Pick<AssembleInput, 'values' | 'method'> & Partial<Pick<AssembleInput, 'compareTies' | 'minShare'>>;

export function runLens(
  lens: LensName,
  subject: string,
  predicate: string,
  candidates: readonly Candidate[],
  context: LensContext,
  score: (prepared: PreparedCandidates, ctx: ResolvedContext) => LensScoring,
): Resolution {
  const ctx = resolveContext(context);
  const prepared = prepareCandidates(subject, predicate, candidates, ctx);
  return assemble({ lens, subject, predicate, prepared, explain: ctx.explain, summary: ctx.summary, ...score(prepared, ctx) });
}
