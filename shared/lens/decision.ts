/**
 * A resolution's decision without its presentation: the outcome, the contested
 * flag and the alternatives (best first, with scores, shares and assertion
 * ids), as the Consensus lens decides them under the default context (now,
 * every epoch, superseded candidates skipped). It is what a caller that keeps
 * resolutions, rather than shows them, needs: no explanations or their
 * thunks, no summary, and nothing the alternatives already say — the
 * resolution's object, winner, score and share are its top alternative's
 * (`decisionWinner`), exactly as `assemble` sets them.
 *
 * Same scoring, same ranking, same rules as `resolve('consensus', …)`: for any
 * candidates the decision equals that resolution's outcome, contested flag and
 * alternatives bit for bit (test/lens/decision.test.ts compares the two on
 * random candidate sets, superseded, withdrawn and other-epoch ones included).
 */
import type { ObjectValue } from '../domain/types';
import { decideOutcome, rankValues } from './assemble';
import { prepareCandidates, resolveContext, type ResolvedContext } from './candidates';
import { isContested } from './contest';
import { scoreConsensusValues } from './consensus';
import { decideOneClaim } from './one-claim';
import type { Alternative, Candidate, LensName, Outcome } from './types';

/** What a resolution decides (see the module comment). */
export interface ResolutionDecision {
  readonly subject: string;
  readonly predicate: string;
  readonly lens: LensName;
  readonly outcome: Outcome;
  /** The top two alternatives are within CONTEST_MARGIN (contest.ts). */
  readonly contested: boolean;
  /** Every distinct live value, best first. */
  readonly alternatives: readonly Alternative[];
}

/** The default context, resolved once: no explanations, no summary (neither is part of a decision). */
const DECISION_CONTEXT: ResolvedContext = resolveContext({ explain: false, summary: false });

/**
 * The Consensus decision for (subject, predicate) under the default context.
 * Throws LensInputError for candidates of another pair or out-of-range values,
 * as `resolve` does.
 */
export function decideConsensus(subject: string, predicate: string, candidates: readonly Candidate[]): ResolutionDecision {
  return decideOneClaim(subject, predicate, candidates) ?? decideByGroups(subject, predicate, candidates);
}

/** `decideConsensus` for any candidates: prepared, grouped, scored and ranked (one-claim.ts is its shortcut for one simple claim). */
export function decideByGroups(subject: string, predicate: string, candidates: readonly Candidate[]): ResolutionDecision {
  const prepared = prepareCandidates(subject, predicate, candidates, DECISION_CONTEXT);
  const { alternatives } = rankValues(scoreConsensusValues(prepared.groups), undefined);
  return {
    subject,
    predicate,
    lens: 'consensus',
    outcome: decideOutcome(alternatives[0], undefined),
    contested: isContested(alternatives),
    alternatives,
  };
}

/** The object, winner, score and share a resolution with this decision has: its top alternative's (null and 0 without a resolved one). */
export function decisionWinner(d: Pick<ResolutionDecision, 'outcome' | 'alternatives'>): {
  readonly object: ObjectValue | null;
  readonly winnerId: Buffer | null;
  readonly score: number;
  readonly share: number;
} {
  const top = d.alternatives[0];
  const resolved = d.outcome === 'resolved' && top !== undefined;
  return { object: resolved ? top.object : null, winnerId: resolved ? (top.assertionIds[0] ?? null) : null, score: top?.score ?? 0, share: top?.share ?? 0 };
}
