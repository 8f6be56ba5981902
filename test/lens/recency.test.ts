import fc from 'fast-check';
import { objectKey, resolve } from '../../shared/lens';
import type { Candidate } from '../../shared/lens/types';
import { PREDICATE, SUBJECT, T0_MS, cand, key, text, worldArb } from './helpers';

/** Newest first by the documented order: asserted_at, then offset, then smaller id. */
function newest(cs: readonly Candidate[]): Candidate {
  return [...cs].sort(
    (a, b) =>
      b.assertion.assertedAtMs - a.assertion.assertedAtMs || b.offset - a.offset || Buffer.compare(a.id, b.id),
  )[0];
}

describe('Recency lens', () => {
  it('the winner is the newest live claim by asserted_at, then offset, then id', () => {
    fc.assert(
      fc.property(worldArb({ withSuperseded: true }), (world) => {
        const live = world.candidates.filter((c) => !c.superseded);
        fc.pre(live.length > 0);
        const r = resolve('recency', SUBJECT, PREDICATE, world.candidates);
        const expected = newest(live);
        expect(r.outcome).toBe('resolved');
        expect(r.winnerId).toEqual(expected.id);
        expect(r.score).toBe(1);
        // Values whose newest claim shares the newest millisecond split the support.
        const tied = new Set(
          live.filter((c) => c.assertion.assertedAtMs === expected.assertion.assertedAtMs).map((c) => objectKey(c.assertion.object)),
        );
        expect(r.share).toBeCloseTo(1 / tied.size, 12);
        expect(r.contested).toBe(tied.size > 1);
      }),
    );
  });

  it('a later asserted_at beats a later offset', () => {
    const r = resolve('recency', SUBJECT, PREDICATE, [
      cand({ id: 'old', object: text('Old'), signers: ['ana'], assertedAtMs: T0_MS, offset: 900 }),
      cand({ id: 'new', object: text('New'), signers: ['ben'], assertedAtMs: T0_MS + 1, offset: 100 }),
    ]);
    expect(r.object).toEqual(text('New'));
    expect(r.contested).toBe(false);
  });

  it('in the same millisecond the later offset wins and the pair is contested', () => {
    const r = resolve('recency', SUBJECT, PREDICATE, [
      cand({ id: 'first', object: text('First'), signers: ['ana'], assertedAtMs: T0_MS, offset: 100 }),
      cand({ id: 'second', object: text('Second'), signers: ['ben'], assertedAtMs: T0_MS, offset: 101 }),
    ]);
    expect(r.object).toEqual(text('Second'));
    expect(r.alternatives.map((a) => a.share)).toEqual([0.5, 0.5]);
    expect(r.contested).toBe(true);
  });

  it('same millisecond and same offset: the smaller id wins', () => {
    const a = cand({ id: 'x', object: text('X'), signers: ['ana'], assertedAtMs: T0_MS, offset: 7 });
    const b = cand({ id: 'y', object: text('Y'), signers: ['ben'], assertedAtMs: T0_MS, offset: 7 });
    const smaller = Buffer.compare(a.id, b.id) < 0 ? a : b;
    expect(resolve('recency', SUBJECT, PREDICATE, [a, b]).winnerId).toEqual(smaller.id);
    expect(resolve('recency', SUBJECT, PREDICATE, [b, a]).winnerId).toEqual(smaller.id);
  });

  it("a value's older claims are listed after its newest and contribute 0", () => {
    const r = resolve('recency', SUBJECT, PREDICATE, [
      cand({ id: 'a-old', object: text('A'), signers: ['ana'], assertedAtMs: T0_MS, offset: 1 }),
      cand({ id: 'a-new', object: text('A'), signers: ['ana'], assertedAtMs: T0_MS + 5, offset: 2 }),
    ]);
    expect(r.alternatives[0].assertionIds).toEqual([key('id:a-new'), key('id:a-old')]);
    expect(r.explanations.map((e) => e.score)).toEqual([1, 0]);
  });
});
