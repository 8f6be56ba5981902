/**
 * How filters compare values and how rows sort (docs/QUERIES.md "Filters"):
 * numbers and integers compare by numeric value with each other; every other
 * kind compares only within itself (text and entities by UTF-8 bytes,
 * timestamps by time, booleans false < true, bytes by content). A comparison
 * across incomparable kinds is false — except `!=`, which is true.
 */
import type { ObjectValue } from '../domain/types';
import { compareObjects } from '../lens/object-value';
import type { ComparisonOp } from './ast';

const NUMERIC = new Set(['number', 'integer']);

/** -1, 0 or 1 when `a` and `b` are comparable, undefined when not. */
export function compareValues(a: ObjectValue, b: ObjectValue): number | undefined {
  if (NUMERIC.has(a.kind) && NUMERIC.has(b.kind)) {
    const x = a.value as number | bigint;
    const y = b.value as number | bigint;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.kind !== b.kind) return undefined;
  return Math.sign(compareObjects(a, b));
}

export function holds(a: ObjectValue, op: ComparisonOp, b: ObjectValue): boolean {
  const c = compareValues(a, b);
  if (c === undefined) return op === '!=';
  switch (op) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

/** A total order for sorting rows: comparable values by `compareValues`, the rest by kind then value. */
export function sortValues(a: ObjectValue, b: ObjectValue): number {
  return compareValues(a, b) || compareObjects(a, b);
}
