import fc from 'fast-check';
import { DecodeError, ValidationError } from '../../shared/domain/errors';
import { recordId } from '../../shared/domain/hash';
import { parseRecordJson, recordFromJson, recordToJson } from '../../shared/domain/record-json';
import { anyRecord } from './arbitraries';
import { assertionWith, trustPackWith, voteWith } from './fixtures';

function rejection(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected a ValidationError');
}

const json = (): Record<string, unknown> => JSON.parse(JSON.stringify(recordToJson(assertionWith()))) as Record<string, unknown>;

describe('record JSON', () => {
  it('round-trips every record kind through JSON text with the same id', () => {
    fc.assert(
      fc.property(anyRecord, (record) => {
        const back = parseRecordJson(JSON.stringify(recordToJson(record)));
        expect(back).toEqual(record);
        expect(recordId(back).equals(recordId(record))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('writes 64-bit values as decimal strings and bytes as hex', () => {
    const j = recordToJson(assertionWith({ visualHash: 2n ** 64n - 1n }, { kind: 'integer', value: -(2n ** 63n) }));
    expect(j.visual_hash).toBe('18446744073709551615');
    expect(j.object).toEqual({ kind: 'integer', value: '-9223372036854775808' });
    expect(j.source_hash).toBe('ab'.repeat(32));
    expect(j.asserted_at_ms).toBe(1_700_000_000_000);
  });

  it('accepts safe-integer numbers for 64-bit values and strings for timestamps', () => {
    const j = json();
    j.object = { kind: 'timestamp', value: 1234 };
    j.visual_hash = 7;
    j.asserted_at_ms = '1700000000000';
    const r = recordFromJson(j);
    expect(r).toMatchObject({ object: { kind: 'timestamp', value: 1234n }, visualHash: 7n, assertedAtMs: 1_700_000_000_000 });
  });

  it('votes carry one "signature" object', () => {
    const j = recordToJson(voteWith());
    expect(j.signature).toEqual({ public_key: expect.stringMatching(/^[0-9a-f]{64}$/), signature: expect.stringMatching(/^[0-9a-f]{128}$/) });
    expect(recordFromJson(j)).toEqual(voteWith());
  });

  it('sorts trust pack entries given in any order', () => {
    const j = recordToJson(trustPackWith());
    (j.entries as unknown[]).reverse();
    expect(recordFromJson(j)).toEqual(trustPackWith());
  });

  it('unsigned records pass only with allowUnsigned', () => {
    const j = json();
    delete j.signatures;
    expect(rejection(() => recordFromJson(j)).field).toBe('record.assertion.signatures');
    expect(recordId(recordFromJson(j, 'record', { allowUnsigned: true })).equals(recordId(assertionWith()))).toBe(true);
  });
});

describe('record JSON rejects, naming the field', () => {
  it.each<[string, (j: Record<string, unknown>) => void, string]>([
    ['an unknown kind', (j) => (j.kind = 'claim'), 'record.kind'],
    ['a prototype property as kind', (j) => (j.kind = 'toString'), 'record.kind'],
    ['an unknown field (a typo must not change an id silently)', (j) => (j.confidnce = 0.5), 'record.assertion.confidnce'],
    ['a missing subject', (j) => delete j.subject, 'record.assertion.subject'],
    ['a numeric subject', (j) => (j.subject = 5), 'record.assertion.subject'],
    ['confidence as a string', (j) => (j.confidence = '0.5'), 'record.assertion.confidence'],
    ['confidence 1.1', (j) => (j.confidence = 1.1), 'record.assertion.confidence'],
    ['non-hex source hash', (j) => (j.source_hash = 'zz'.repeat(32)), 'record.assertion.source_hash'],
    ['odd-length hex', (j) => (j.source_hash = 'a'.repeat(63)), 'record.assertion.source_hash'],
    ['31-byte source hash', (j) => (j.source_hash = 'ab'.repeat(31)), 'record.assertion.source_hash'],
    ['an unsafe number for a 64-bit value', (j) => (j.visual_hash = 2 ** 60), 'record.assertion.visual_hash'],
    ['a non-decimal 64-bit string', (j) => (j.visual_hash = '0x10'), 'record.assertion.visual_hash'],
    ['an unknown object kind', (j) => (j.object = { kind: 'date', value: 'x' }), 'record.assertion.object.kind'],
    ['an extra object field', (j) => (j.object = { kind: 'text', value: 'x', lang: 'en' }), 'record.assertion.object.lang'],
    ['a boolean given as a string', (j) => (j.object = { kind: 'boolean', value: 'true' }), 'record.assertion.object.value'],
    ['a fractional timestamp', (j) => (j.asserted_at_ms = 1_700_000_000_000.5), 'record.assertion.asserted_at_ms'],
    ['signatures not an array', (j) => (j.signatures = {}), 'record.assertion.signatures'],
    ['a signature with an unknown algorithm', (j) => ((j.signatures as Array<Record<string, unknown>>)[0]!.algorithm = 'rsa'), 'record.assertion.signatures[0].algorithm'],
    ['NUL in the subject', (j) => (j.subject = 'a\u0000'), 'record.assertion.subject'],
  ])('%s', (_what, mutate, field) => {
    const j = json();
    mutate(j);
    expect(rejection(() => recordFromJson(j)).field).toBe(field);
  });

  it('not an object at all', () => {
    expect(rejection(() => recordFromJson([])).field).toBe('record');
    expect(rejection(() => recordFromJson(null)).field).toBe('record');
  });

  it('text that is not JSON is a DecodeError', () => {
    expect(() => parseRecordJson('{"kind":')).toThrow(DecodeError);
  });
});
