/**
 * Turns a prefix plus optional scan bounds into one key range, the form both
 * backends' iterators take. Pure functions over bytes.
 */
import { StoreError, type BackendName } from './errors';
import type { ScanOptions } from './kv-store';

/** One end of a range. */
export interface Bound {
  readonly key: Buffer;
  readonly inclusive: boolean;
}

/** A key range: `lower` undefined = from the first key, `upper` undefined = to the last. */
export interface KeyRange {
  readonly lower: Bound | undefined;
  readonly upper: Bound | undefined;
  /** True when no key can be in the range (bounds crossed). */
  readonly empty: boolean;
}

/**
 * The smallest key greater than every key starting with `prefix`: the prefix
 * with trailing 0xff bytes dropped and its last byte incremented. Undefined when
 * no such key exists (the prefix is empty or all 0xff): the range is unbounded.
 */
export function prefixUpperBound(prefix: Buffer): Buffer | undefined {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return undefined;
  const upper = Buffer.from(prefix.subarray(0, end));
  upper[end - 1]! += 1;
  return upper;
}

function tighterLower(a: Bound | undefined, b: Bound | undefined): Bound | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const c = Buffer.compare(a.key, b.key);
  if (c !== 0) return c > 0 ? a : b;
  return a.inclusive ? b : a;
}

function tighterUpper(a: Bound | undefined, b: Bound | undefined): Bound | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const c = Buffer.compare(a.key, b.key);
  if (c !== 0) return c < 0 ? a : b;
  return a.inclusive ? b : a;
}

/** Checks `options` and intersects the prefix range with its bounds. */
export function scanRange(backend: BackendName, prefix: Buffer, options: ScanOptions): KeyRange {
  if (!Buffer.isBuffer(prefix)) throw new StoreError(backend, 'scan', 'prefix must be a Buffer');
  for (const name of ['gte', 'gt', 'lte', 'lt'] as const) {
    const bound = options[name];
    if (bound !== undefined && !Buffer.isBuffer(bound)) throw new StoreError(backend, 'scan', `${name} must be a Buffer`);
  }
  if (options.gte !== undefined && options.gt !== undefined) throw new StoreError(backend, 'scan', 'give at most one of gte and gt');
  if (options.lte !== undefined && options.lt !== undefined) throw new StoreError(backend, 'scan', 'give at most one of lte and lt');
  if (options.limit !== undefined && !(Number.isSafeInteger(options.limit) && options.limit >= 0)) {
    throw new StoreError(backend, 'scan', `limit must be a non-negative integer, got ${options.limit}`);
  }
  const prefixLower: Bound | undefined = prefix.length === 0 ? undefined : { key: prefix, inclusive: true };
  const prefixEnd = prefixUpperBound(prefix);
  const prefixUpper: Bound | undefined = prefixEnd === undefined ? undefined : { key: prefixEnd, inclusive: false };
  const optLower = options.gte !== undefined ? { key: options.gte, inclusive: true } : options.gt !== undefined ? { key: options.gt, inclusive: false } : undefined;
  const optUpper = options.lte !== undefined ? { key: options.lte, inclusive: true } : options.lt !== undefined ? { key: options.lt, inclusive: false } : undefined;
  const lower = tighterLower(prefixLower, optLower);
  const upper = tighterUpper(prefixUpper, optUpper);
  return { lower, upper, empty: isEmpty(lower, upper) };
}

function isEmpty(lower: Bound | undefined, upper: Bound | undefined): boolean {
  if (lower === undefined || upper === undefined) return false;
  const c = Buffer.compare(lower.key, upper.key);
  return c > 0 || (c === 0 && !(lower.inclusive && upper.inclusive));
}

/** The range after `key` was yielded: the scan continues past it, in its direction. */
export function rangeAfter(range: KeyRange, key: Buffer, reverse: boolean): KeyRange {
  const next: Bound = { key, inclusive: false };
  return reverse ? { ...range, upper: next } : { ...range, lower: next };
}
