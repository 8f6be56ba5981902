/**
 * The trust rule (docs/STORAGE.md "Trust ranks"): every agent starts at
 * TRUST_INITIAL_RANK; each time one of its assertions meets a gold standard
 * for the same (subject, predicate) — whichever of the two reaches the log
 * last — its rank moves a step towards 1 (same object) or 0 (another object):
 *
 *   rank ← rank + TRUST_LEARNING_RATE · (target − rank)
 *
 * Each (agent, assertion, gold standard) triple counts once: it is applied when
 * the later of "the agent signs the assertion" and "the gold standard arrives"
 * is ingested, and neither event can happen twice for the same triple.
 */
import { TRUST_DEFAULT_RANK } from '../lens/params';

/** Rank of an agent no gold standard has judged: the lens's default rank. */
export const TRUST_INITIAL_RANK = TRUST_DEFAULT_RANK;
/** η: the fraction of the distance to the target one judgement moves a rank. */
export const TRUST_LEARNING_RATE = 0.1;

/** The rank after one judgement: agreeing (true) pulls towards 1, contradicting towards 0. */
export function nextRank(rank: number, agrees: boolean): number {
  const target = agrees ? 1 : 0;
  return rank + TRUST_LEARNING_RATE * (target - rank);
}
