import fc from 'fast-check';
import type { ObjectValue } from '../../shared/domain/types';
import { canonicalObject, compareObjects, formatObject, objectKey, objectsEqual } from '../../shared/lens';
import { OBJECT_DISPLAY_CHARS_MAX } from '../../shared/lens/object-value';
import { objectArb } from './helpers';


describe('object values', () => {
  it('-0 equals +0, and has the same key; canonicalObject reports +0', () => {
    const neg: ObjectValue = { kind: 'number', value: -0 };
    const pos: ObjectValue = { kind: 'number', value: 0 };
    expect(objectsEqual(neg, pos)).toBe(true);
    expect(objectKey(neg)).toBe(objectKey(pos));
    expect(Object.is(canonicalObject(neg).value, 0)).toBe(true);
  });

  it('values of different kinds are never equal (number 1 vs integer 1, text vs entity)', () => {
    expect(objectsEqual({ kind: 'number', value: 1 }, { kind: 'integer', value: 1n })).toBe(false);
    expect(objectsEqual({ kind: 'text', value: 'x' }, { kind: 'entity', value: 'x' })).toBe(false);
  });

  it('the key is equal exactly when the values compare equal', () => {
    fc.assert(
      fc.property(objectArb, objectArb, (a, b) => {
        expect(objectKey(a) === objectKey(b)).toBe(compareObjects(a, b) === 0);
      }),
      { numRuns: 500 },
    );
  });

  it('compareObjects is a total order: antisymmetric and transitive', () => {
    fc.assert(
      fc.property(objectArb, objectArb, objectArb, (a, b, c) => {
        expect(Math.sign(compareObjects(a, b))).toBe(-Math.sign(compareObjects(b, a)) || 0);
        if (compareObjects(a, b) <= 0 && compareObjects(b, c) <= 0) expect(compareObjects(a, c)).toBeLessThanOrEqual(0);
      }),
      { numRuns: 500 },
    );
  });

  it('text orders by UTF-8 bytes, not UTF-16 code units', () => {
    // U+FF5E (EF BD 9E) sorts before U+1F600 (F0 9F 98 80) in UTF-8, after it in UTF-16.
    expect(compareObjects({ kind: 'text', value: '～' }, { kind: 'text', value: '😀' })).toBeLessThan(0);
  });

  it(`formatObject shortens text to ${OBJECT_DISPLAY_CHARS_MAX} characters`, () => {
    expect(formatObject({ kind: 'text', value: 'a'.repeat(OBJECT_DISPLAY_CHARS_MAX) })).toBe(`text "${'a'.repeat(OBJECT_DISPLAY_CHARS_MAX)}"`);
    expect(formatObject({ kind: 'text', value: 'a'.repeat(OBJECT_DISPLAY_CHARS_MAX + 1) })).toBe(
      `text "${'a'.repeat(OBJECT_DISPLAY_CHARS_MAX)}…"`,
    );
    expect(formatObject({ kind: 'integer', value: -5n })).toBe('integer -5');
    expect(formatObject({ kind: 'bytes', value: Buffer.from([10, 27]) })).toBe('bytes 0a1b');
  });
});
