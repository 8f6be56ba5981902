/**
 * stableSum: the same bits whatever the input order, and its short-input fast
 * path gives exactly what summing in ascending order gives (-0 included).
 */
import fc from 'fast-check';
import { stableSum } from '../../shared/lens/math';

/** The definition: ascending order from 0. */
function sortedSum(values: readonly number[]): number {
  let sum = 0;
  for (const v of [...values].sort((a, b) => a - b)) sum += v;
  return sum;
}

const SPECIAL = [-0, 0, 1, -1, 0.1, 0.2, 1 / 3, 1e308, -1e308, 5e-324, -5e-324];
const value = fc.oneof(fc.constantFrom(...SPECIAL), fc.double({ noNaN: true, noDefaultInfinity: true }));

describe('stableSum', () => {
  it('equals the ascending-order sum bit for bit, for every length and order', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 5 }), (values) => {
        expect(Object.is(stableSum(values), sortedSum(values))).toBe(true);
        expect(Object.is(stableSum([...values].reverse()), sortedSum(values))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('turns a lone -0 into 0, as summing from 0 does', () => {
    expect(Object.is(stableSum([-0]), 0)).toBe(true);
    expect(Object.is(stableSum([-0, -0]), 0)).toBe(true);
    expect(stableSum([])).toBe(0);
  });
});
