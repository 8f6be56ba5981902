/**
 * sortStable: the same order as Array.prototype.sort (stable since ES2019)
 * for short arrays sorted by insertion and long ones handed to it, equal
 * items in their input order.
 */
import fc from 'fast-check';
import { INSERTION_SORT_MAX } from '../../shared/domain/limits';
import { sortStable } from '../../shared/domain/sort';

type Item = { readonly key: number; readonly at: number };
const byKey = (a: Item, b: Item): number => a.key - b.key;

describe('sortStable', () => {
  it('orders like Array.prototype.sort, keeping equal keys in input order, at every length up to and past the insertion limit', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 * INSERTION_SORT_MAX }), (keys) => {
        const items = keys.map((key, at) => ({ key, at }));
        const want = [...items].sort(byKey);
        const got = sortStable([...items], byKey);
        expect(got).toEqual(want);
        // Stability spelled out: among equal keys, input order.
        for (let i = 1; i < got.length; i++) if (got[i - 1]!.key === got[i]!.key) expect(got[i - 1]!.at).toBeLessThan(got[i]!.at);
      }),
      { numRuns: 300 },
    );
  });

  it('sorts in place and returns the same array', () => {
    const items = [3, 1, 2];
    expect(sortStable(items, (a, b) => a - b)).toBe(items);
    expect(items).toEqual([1, 2, 3]);
  });
});
