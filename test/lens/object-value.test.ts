import fc from 'fast-check';
import type { ObjectValue } from '../../shared/domain/types';
import { canonicalObject, compareObjects, formatObject, objectKey, objectsEqual } from '../../shared/lens';
import { compareUtf8 } from '../../shared/lens/object-value';
import { OBJECT_DISPLAY_CHARS_MAX } from '../../shared/lens/params';
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

  it('compareUtf8 orders any two strings as their UTF-8 bytes do (surrogate pairs, lone surrogates, prefixes)', () => {
    const utf8Order = (a: string, b: string): number => Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
    const tricky = fc.constantFrom('', 'a', '～', '\uffff', '\ue000', '😀', '\ud83d', '\ude00', '\ud83d\ude01', 'a\ud83d');
    const str = fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), fc.string({ unit: 'binary-ascii', maxLength: 6 }), fc.array(tricky, { maxLength: 3 }).map((p) => p.join('')));
    fc.assert(
      fc.property(str, str, (a, b) => {
        expect(Math.sign(compareUtf8(a, b))).toBe(utf8Order(a, b));
        expect(Math.sign(compareUtf8(a + 'x', a + b))).toBe(utf8Order(a + 'x', a + b));
      }),
      { numRuns: 5000 },
    );
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
