/**
 * The decision (shared/lens decision.ts) against the full resolution: on random
 * candidate sets — superseded, withdrawn and other-epoch candidates, ties,
 * votes — `decideConsensus` gives the outcome, contested flag and alternatives
 * of `resolve('consensus', …)` under the default context bit for bit, and the
 * resolution's object, winner, score and share are the ones the decision
 * implies; so what the MV stores from either is the same bytes.
 */
import fc from 'fast-check';
import { decideConsensus, decisionWinner, escalationOf, resolve } from '../../shared/lens';
import { encodeStoredDecision, encodeStoredResolution, materializedCounts } from '../../shared/graph/stored-resolution';
import type { Alternative } from '../../shared/lens/types';
import { PREDICATE, SUBJECT, shuffleAll, worldArb } from './helpers';

/** Alternatives as comparable text: doubles by their bits (sign of zero included), ids in hex. */
function bits(alternatives: readonly Alternative[]): string[] {
  const f64 = (x: number): string => Buffer.from(new Float64Array([x]).buffer).toString('hex');
  return alternatives.map((a) => `${JSON.stringify(a.object, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))} ${f64(a.score)} ${f64(a.share)} ${a.assertionIds.map((id) => id.toString('hex')).join(',')}`);
}

describe('decideConsensus', () => {
  it('equals the full Consensus resolution on outcome, contested, alternatives, winner, score and share', () => {
    fc.assert(
      fc.property(worldArb({ withSuperseded: true, withEpochs: true, withWithdrawals: true }), fc.integer(), (world, seed) => {
        const candidates = shuffleAll(world.candidates, seed);
        const full = resolve('consensus', SUBJECT, PREDICATE, candidates, { explain: false, summary: false });
        const decision = decideConsensus(SUBJECT, PREDICATE, candidates);
        expect([decision.subject, decision.predicate, decision.lens, decision.outcome, decision.contested]).toEqual([full.subject, full.predicate, full.lens, full.outcome, full.contested]);
        expect(bits(decision.alternatives)).toEqual(bits(full.alternatives));
        const w = decisionWinner(decision);
        expect(w.object).toEqual(full.object);
        expect(w.winnerId?.toString('hex') ?? null).toBe(full.winnerId?.toString('hex') ?? null);
        expect(Object.is(w.score, full.score) && Object.is(w.share, full.share)).toBe(true);
        expect(escalationOf(decision)).toEqual(escalationOf(full));
      }),
      { numRuns: 2000 },
    );
  });

  it("its stored MV bytes are the full resolution's (the projection the MV keeps)", () => {
    fc.assert(
      fc.property(worldArb({ withSuperseded: true, withEpochs: true, withWithdrawals: true }), (world) => {
        const counts = materializedCounts(world.candidates);
        const full = resolve('consensus', SUBJECT, PREDICATE, world.candidates, { explain: false, summary: false });
        expect(encodeStoredDecision(decideConsensus(SUBJECT, PREDICATE, world.candidates), counts).toString('hex')).toBe(encodeStoredResolution(full, counts).toString('hex'));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses candidates of another pair, as resolve does', () => {
    const world = fc.sample(worldArb({ candidatesMax: 3 }).filter((w) => w.candidates.length > 0), { numRuns: 1, seed: 3 })[0]!;
    expect(() => decideConsensus('other', PREDICATE, world.candidates)).toThrow('candidates[0].assertion.subject');
  });
});
