/**
 * Arithmetic that must come out bit-for-bit the same whatever order the
 * candidates arrived in.
 */
import { VOTE_SCALE, VOTE_WEIGHT } from './params';
import { sortStable } from '../domain/sort';

/**
 * Sum in a canonical order (ascending values). Floating-point addition is not
 * associative, so summing in input order would let candidate order change the
 * last bits of a score — and with them a tie-break.
 */
export function stableSum(values: readonly number[]): number {
  // Adding two numbers is commutative in IEEE 754: no order to fix. `0 +`
  // keeps the sorted path's result exactly (it turns -0 into 0).
  if (values.length === 1) return 0 + values[0]!;
  if (values.length === 2) return 0 + values[0]! + values[1]!;
  const sorted = sortStable([...values], (a, b) => a - b);
  let sum = 0;
  for (const v of sorted) sum += v;
  return sum;
}

/**
 * The bounded multiplier votes apply to a value's support:
 * `1 + VOTE_WEIGHT · tanh(net / VOTE_SCALE)`: within [1 - VOTE_WEIGHT,
 * 1 + VOTE_WEIGHT] (tanh reaches ±1 in floating point for |net| ≳ 38), exactly
 * 1 for a net of 0, and non-decreasing in `net`. It is never negative, so votes
 * never make support negative, and no number of votes moves a value's support
 * by more than VOTE_WEIGHT of itself.
 */
export function voteFactor(net: number): number {
  return 1 + VOTE_WEIGHT * Math.tanh(net / VOTE_SCALE);
}
