/**
 * Recency: the newest live claim wins.
 *
 * Claims order by asserted_at (later first), then log offset (later first),
 * then id (smaller first). A value's score is 1 when its newest claim was
 * asserted in the same millisecond as the newest claim of all, else 0; so a
 * lone newest value has share 1, and k values asserted in the same newest
 * millisecond share 1/k each and are contested — the clock cannot order them,
 * only the log can, and the winner among them is the one appended last.
 */
import type { LiveCandidate, ValueGroup } from './candidates';
import type { ScoredValue } from './assemble';
import { runLens } from './run-lens';
import { shortHex } from './format';
import type { Candidate, LensContext, Resolution } from './types';
import { sortStable } from '../domain/sort';

export const RECENCY_METHOD =
  'The newest claim wins (asserted_at, then log offset, then id); values asserted in the newest millisecond score 1, the rest 0.';

/** Newest first: asserted_at desc, offset desc, id asc. */
export function compareRecency(a: LiveCandidate, b: LiveCandidate): number {
  return (
    b.candidate.assertion.assertedAtMs - a.candidate.assertion.assertedAtMs ||
    b.candidate.offset - a.candidate.offset ||
    Buffer.compare(a.id, b.id)
  );
}

export function resolveRecency(
  subject: string,
  predicate: string,
  candidates: readonly Candidate[],
  context: LensContext,
): Resolution {
  return runLens('recency', subject, predicate, candidates, context, (prepared) => {
    const newestByValue = prepared.groups.map((g) => sortStable([...g.candidates], compareRecency));
    const newestMs = Math.max(...newestByValue.map((cs) => cs[0].candidate.assertion.assertedAtMs));
    return {
      values: prepared.groups.map((g, i) => scoreRecencyValue(g, newestByValue[i], newestMs)),
      // Equal scores (same newest millisecond): the value whose newest claim is newer first.
      compareTies: (a, b) => compareRecency(a.assertions[0].live, b.assertions[0].live),
      method: RECENCY_METHOD,
    };
  });
}

function scoreRecencyValue(group: ValueGroup, byRecency: readonly LiveCandidate[], newestMs: number): ScoredValue {
  const newest = byRecency[0];
  const score = newest.candidate.assertion.assertedAtMs === newestMs ? 1 : 0;
  const assertions = byRecency.map((c, rank) => ({
    live: c,
    score: rank === 0 ? score : 0,
    terms: () => [
      {
        name: 'asserted_at',
        value: c.candidate.assertion.assertedAtMs,
        detail: new Date(c.candidate.assertion.assertedAtMs).toISOString(),
      },
      { name: 'offset', value: c.candidate.offset, detail: 'log offset where first seen' },
      {
        name: 'newest_of_value',
        value: rank === 0 ? 1 : 0,
        detail: rank === 0 ? 'the newest claim of this value' : `older than ${shortHex(newest.idHex)} of this value`,
      },
      {
        name: 'newest_millisecond',
        value: score,
        detail: score === 1 ? 'asserted in the newest millisecond of all values' : 'another value was asserted later',
      },
    ],
  }));
  return { object: group.object, score, assertions };
}
