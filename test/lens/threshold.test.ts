import fc from 'fast-check';
import { LensInputError, resolve } from '../../shared/lens';
import { THRESHOLD_MIN_SHARE_DEFAULT } from '../../shared/lens/params';
import { PREDICATE, SUBJECT, cand, text, worldArb } from './helpers';

/** The next double above / below `x`. */
function nextUp(x: number): number {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x);
  b.setBigUint64(0, b.getBigUint64(0) + 1n);
  return b.getFloat64(0);
}
function nextDown(x: number): number {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x);
  b.setBigUint64(0, b.getBigUint64(0) - 1n);
  return b.getFloat64(0);
}

describe('Threshold lens', () => {
  const candidates = [
    cand({ id: 'g1', object: text('Alice'), confidence: 0.9, signers: ['ana'], source: 's1' }),
    cand({ id: 'g2', object: text('Bob'), confidence: 0.6, signers: ['ben'], source: 's2' }),
    cand({ id: 'g3', object: text('Carol'), confidence: 0.5, signers: ['cal'], source: 's3' }),
  ];

  it('a top share equal to min_share resolves; one ulp above min_share does not', () => {
    const share = 0.45;
    expect(resolve('threshold', SUBJECT, PREDICATE, candidates, { minShare: share }).outcome).toBe('resolved');
    expect(resolve('threshold', SUBJECT, PREDICATE, candidates, { minShare: nextDown(share) }).outcome).toBe('resolved');
    const above = resolve('threshold', SUBJECT, PREDICATE, candidates, { minShare: nextUp(share) });
    expect(above).toMatchObject({ outcome: 'unresolved', object: null, winnerId: null, score: 0.9, share: 0.45 });
    expect(above.summary).toContain('below the minimum');
  });

  it(`uses THRESHOLD_MIN_SHARE_DEFAULT (${THRESHOLD_MIN_SHARE_DEFAULT}) when the query names none`, () => {
    const two = candidates.slice(0, 2); // Alice 0.6 of 1.5
    expect(resolve('threshold', SUBJECT, PREDICATE, two).outcome).toBe('resolved');
    expect(resolve('threshold', SUBJECT, PREDICATE, candidates).outcome).toBe('unresolved');
  });

  it('min_share must be in (0, 1]: 0 and 1 + ulp are rejected, the smallest positive and 1 accepted', () => {
    for (const bad of [0, nextUp(1), -0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => resolve('threshold', SUBJECT, PREDICATE, candidates, { minShare: bad })).toThrow(LensInputError);
    }
    expect(resolve('threshold', SUBJECT, PREDICATE, candidates, { minShare: Number.MIN_VALUE }).outcome).toBe('resolved');
    expect(resolve('threshold', SUBJECT, PREDICATE, candidates, { minShare: 1 }).outcome).toBe('unresolved');
    expect(resolve('threshold', SUBJECT, PREDICATE, candidates.slice(0, 1), { minShare: 1 }).outcome).toBe('resolved');
  });

  it('agrees with Consensus whenever the top share reaches min_share, and is unresolved otherwise', () => {
    fc.assert(
      fc.property(worldArb(), fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true }), (world, minShare) => {
        const consensus = resolve('consensus', SUBJECT, PREDICATE, world.candidates);
        const threshold = resolve('threshold', SUBJECT, PREDICATE, world.candidates, { minShare });
        expect(threshold.alternatives).toEqual(consensus.alternatives);
        expect(threshold.contested).toBe(consensus.contested);
        if (consensus.outcome === 'resolved' && consensus.share >= minShare) {
          expect(threshold.outcome).toBe('resolved');
          expect(threshold.object).toEqual(consensus.object);
        } else {
          expect(threshold.outcome).toBe(consensus.outcome === 'no_candidates' ? 'no_candidates' : 'unresolved');
          expect(threshold.object).toBeNull();
        }
      }),
    );
  });
});
