/**
 * Stable in-place sort without allocation for short arrays: the same result
 * as `Array.prototype.sort(compare)` (also stable) for any comparator that is a
 * consistent total preorder, which every comparator of the lens and the graph
 * model is (test/domain/sort.test.ts checks the two agree).
 */
import { INSERTION_SORT_MAX } from './limits';

/** Sorts `items` in place by `compare` (stable: equal items keep their order) and returns it. */
export function sortStable<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  const n = items.length;
  if (n > INSERTION_SORT_MAX) return items.sort(compare);
  for (let i = 1; i < n; i++) {
    const item = items[i]!;
    let j = i - 1;
    // Strictly greater: an equal item stays after the ones before it.
    while (j >= 0 && compare(items[j]!, item) > 0) {
      items[j + 1] = items[j]!;
      j--;
    }
    items[j + 1] = item;
  }
  return items;
}
