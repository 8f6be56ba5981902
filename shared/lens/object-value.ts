/**
 * Equality, a total order and a readable form for object values, so lenses can
 * group candidates by value and break ties the same way on every machine.
 *
 * Two values are equal when they have the same kind and the same canonical
 * value: numbers compare numerically (so -0 equals +0), text and entities by
 * their UTF-8 bytes, bytes by content. Values of different kinds are never
 * equal: the number 1 and the integer 1 are two alternatives.
 */
import type { ObjectKind, ObjectValue } from '../domain/types';
import { OBJECT_DISPLAY_CHARS_MAX } from './params';

/** Kinds in the order they sort (the proto's field order). */
export const OBJECT_KIND_ORDER: readonly ObjectKind[] = [
  'text',
  'number',
  'integer',
  'boolean',
  'entity',
  'timestamp',
  'bytes',
];

const KIND_RANK: ReadonlyMap<ObjectKind, number> = new Map(OBJECT_KIND_ORDER.map((k, i) => [k, i]));

/**
 * A string that is equal for two values exactly when the values are equal.
 * Used as a map key when grouping candidates by value.
 */
export function objectKey(v: ObjectValue): string {
  switch (v.kind) {
    case 'text':
    case 'entity':
      return `${v.kind}:${v.value}`;
    case 'number':
      // `String(-0)` is "0", so -0 and +0 share a key.
      return `number:${String(v.value)}`;
    case 'integer':
    case 'timestamp':
      return `${v.kind}:${v.value.toString()}`;
    case 'boolean':
      return `boolean:${v.value ? '1' : '0'}`;
    case 'bytes':
      return `bytes:${v.value.toString('hex')}`;
  }
}

/**
 * The one representative of a value's equality class: -0 becomes +0, the rest
 * is returned as is. Alternatives report this form, so the reported winner
 * never depends on which of two equal claims was seen.
 */
export function canonicalObject(v: ObjectValue): ObjectValue {
  return v.kind === 'number' && Object.is(v.value, -0) ? { kind: 'number', value: 0 } : v;
}

/** True when `a` and `b` are the same value (see the module comment). */
export function objectsEqual(a: ObjectValue, b: ObjectValue): boolean {
  return compareObjects(a, b) === 0;
}

/**
 * A total order over object values: first by kind (OBJECT_KIND_ORDER), then by
 * value — numerically for numbers, integers and timestamps, false before true,
 * and by bytes for text, entities (UTF-8) and bytes. Consistent with
 * `objectsEqual`. Lenses use it as the first deterministic tie-break.
 */
export function compareObjects(a: ObjectValue, b: ObjectValue): number {
  if (a.kind !== b.kind) return (KIND_RANK.get(a.kind) ?? 0) - (KIND_RANK.get(b.kind) ?? 0);
  switch (a.kind) {
    case 'text':
    case 'entity':
      return compareUtf8(a.value, b.value as string);
    case 'number':
      return compareNumbers(a.value, b.value as number);
    case 'integer':
    case 'timestamp': {
      const y = b.value as bigint;
      return a.value < y ? -1 : a.value > y ? 1 : 0;
    }
    case 'boolean':
      return Number(a.value) - Number(b.value as boolean);
    case 'bytes':
      return Buffer.compare(a.value, b.value as Buffer);
  }
}

const isSurrogate = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdfff;

/**
 * The order of two strings' UTF-8 bytes without encoding them. Outside the
 * surrogates, UTF-16 code units order like code points, and UTF-8 orders like
 * code points; so the first differing code unit decides, unless a surrogate
 * is involved there (a character above U+FFFF sorts after U+E000..U+FFFF in
 * UTF-8, before them in UTF-16): then the strings are encoded and compared as
 * bytes.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (isSurrogate(x) || isSurrogate(y)) return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
    return x - y;
  }
  // One is a prefix of the other in code units, so in UTF-8 too (a high
  // surrogate ending the shorter one encodes as EF BF BD, before any lead
  // byte of what follows it in the longer one).
  return a.length - b.length;
}

function compareNumbers(x: number, y: number): number {
  // Validated values are finite, where `<` is a total order and -0 == +0.
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A short readable form, e.g. `text "Alice"`, `integer 42`, `bytes 0a1b…`. */
export function formatObject(v: ObjectValue): string {
  switch (v.kind) {
    case 'text':
    case 'entity':
      return `${v.kind} ${JSON.stringify(truncate(v.value))}`;
    case 'number':
      return `number ${String(v.value)}`;
    case 'integer':
      return `integer ${v.value.toString()}`;
    case 'boolean':
      return `boolean ${String(v.value)}`;
    case 'timestamp':
      return `timestamp ${v.value.toString()}ms`;
    case 'bytes':
      return `bytes ${truncate(v.value.toString('hex'))}`;
  }
}

function truncate(s: string): string {
  const chars = Array.from(s);
  return chars.length <= OBJECT_DISPLAY_CHARS_MAX ? s : `${chars.slice(0, OBJECT_DISPLAY_CHARS_MAX).join('')}…`;
}
