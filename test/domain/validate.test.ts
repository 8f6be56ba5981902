import { ValidationError } from '../../shared/domain/errors';
import {
  BYTES_VALUE_BYTES_MAX,
  INT64_MAX,
  INT64_MIN,
  OBJECT_TIMESTAMP_MS_ABS_MAX,
  PREDICATE_BYTES_MAX,
  RECORD_TIMESTAMP_MS_MAX,
  RECORD_TIMESTAMP_MS_MIN,
  SIGNATURES_MAX,
  SUBJECT_BYTES_MAX,
  TEXT_BYTES_MAX,
  TRUST_ENTRIES_MAX,
  UINT64_MAX,
} from '../../shared/domain/limits';
import type { ObjectValue, Signature, StemeRecord, TrustEntry } from '../../shared/domain/types';
import { validateRecord } from '../../shared/domain/validate';
import { assertionWith, epochWith, goldStandardWith, KEY_A, KEY_B, seedKey, trustPackWith, voteWith } from './fixtures';

/** The ValidationError `fn` throws (fails the test when it does not throw one). */
function rejection(fn: () => void): ValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

function expectField(record: StemeRecord, field: string, where = 'record'): ValidationError {
  const err = rejection(() => validateRecord(record, where));
  expect(err.field).toBe(field);
  expect(err.name).toBe('ValidationError');
  expect(err.message.startsWith(`${field}: `)).toBe(true);
  return err;
}

/** A string of exactly `bytes` UTF-8 bytes that mixes 1-, 2-, 3- and 4-byte characters. */
function utf8OfBytes(bytes: number): string {
  const head = 'é東🙂'; // 2 + 3 + 4 bytes
  return bytes >= 9 ? head + 'x'.repeat(bytes - 9) : 'x'.repeat(bytes);
}

const fakeSig = (i: number): Signature => ({ publicKey: seedKey(i + 10).publicKey, signature: Buffer.alloc(64, i) });
const entry = (i: number): TrustEntry => ({ agent: seedKey((i % 250) + 1).publicKey.map((b, j) => (j < 2 ? (i >> (8 * j)) & 0xff : b)) as Buffer, weight: 0.5 });

describe('valid records of every kind pass', () => {
  it.each([
    ['assertion', assertionWith()],
    ['vote', voteWith()],
    ['epoch', epochWith()],
    ['gold_standard', goldStandardWith()],
    ['trust_pack', trustPackWith()],
  ])('%s', (_kind, record) => {
    expect(() => validateRecord(record)).not.toThrow();
  });
});

describe('string limits at the boundary (at the limit passes, one byte past fails)', () => {
  const cases: Array<[string, number, (s: string) => StemeRecord, string]> = [
    ['assertion subject', SUBJECT_BYTES_MAX, (s) => assertionWith({ subject: s }), 'record.assertion.subject'],
    ['assertion predicate', PREDICATE_BYTES_MAX, (s) => assertionWith({ predicate: s }), 'record.assertion.predicate'],
    ['assertion epoch', PREDICATE_BYTES_MAX, (s) => assertionWith({ epoch: s }), 'record.assertion.epoch'],
    ['text object', TEXT_BYTES_MAX, (s) => assertionWith({}, { kind: 'text', value: s }), 'record.assertion.object.text'],
    ['entity object', SUBJECT_BYTES_MAX, (s) => assertionWith({}, { kind: 'entity', value: s }), 'record.assertion.object.entity'],
    ['epoch name', PREDICATE_BYTES_MAX, (s) => epochWith({ name: s }), 'record.epoch.name'],
    ['epoch description', TEXT_BYTES_MAX, (s) => epochWith({ description: s }), 'record.epoch.description'],
    ['epoch parent', PREDICATE_BYTES_MAX, (s) => epochWith({ parent: s }), 'record.epoch.parent'],
    ['gold standard subject', SUBJECT_BYTES_MAX, (s) => goldStandardWith({ subject: s }), 'record.gold_standard.subject'],
    ['gold standard predicate', PREDICATE_BYTES_MAX, (s) => goldStandardWith({ predicate: s }), 'record.gold_standard.predicate'],
    ['trust pack name', PREDICATE_BYTES_MAX, (s) => trustPackWith({ name: s }), 'record.trust_pack.name'],
  ];
  it.each(cases)('%s: %d bytes', (_what, max, make, field) => {
    expect(Buffer.byteLength(utf8OfBytes(max))).toBe(max);
    expect(() => validateRecord(make(utf8OfBytes(max)))).not.toThrow();
    expectField(make(utf8OfBytes(max + 1)), field);
    // Counting is in UTF-8 bytes, not characters: max/3 three-byte characters plus a few fit, one more does not.
    const threeByte = '東'.repeat(Math.floor(max / 3));
    expect(() => validateRecord(make(threeByte))).not.toThrow();
    expectField(make(threeByte + '東'), field);
  });

  it('a bytes object of BYTES_VALUE_BYTES_MAX passes, one more byte fails', () => {
    expect(() => validateRecord(assertionWith({}, { kind: 'bytes', value: Buffer.alloc(BYTES_VALUE_BYTES_MAX) }))).not.toThrow();
    expectField(assertionWith({}, { kind: 'bytes', value: Buffer.alloc(BYTES_VALUE_BYTES_MAX + 1) }), 'record.assertion.object.bytes');
  });
});

describe('identifiers: non-empty, no NUL, no control characters, valid UTF-8', () => {
  it.each([
    ['empty subject', assertionWith({ subject: '' }), 'record.assertion.subject'],
    ['empty predicate', assertionWith({ predicate: '' }), 'record.assertion.predicate'],
    ['empty epoch name (use null for none)', assertionWith({ epoch: '' }), 'record.assertion.epoch'],
    ['NUL in subject', assertionWith({ subject: 'a\u0000b' }), 'record.assertion.subject'],
    ['NUL in text object', assertionWith({}, { kind: 'text', value: 'a\u0000' }), 'record.assertion.object.text'],
    ['NUL in epoch description', epochWith({ description: '\u0000' }), 'record.epoch.description'],
    ['newline in predicate', assertionWith({ predicate: 'a\nb' }), 'record.assertion.predicate'],
    ['tab in subject', assertionWith({ subject: 'a\tb' }), 'record.assertion.subject'],
    ['DEL in entity', assertionWith({}, { kind: 'entity', value: 'x\u007f' }), 'record.assertion.object.entity'],
    ['C1 control in trust pack name', trustPackWith({ name: 'x\u0085' }), 'record.trust_pack.name'],
    ['lone high surrogate in subject', assertionWith({ subject: 'a\ud800' }), 'record.assertion.subject'],
    ['lone low surrogate in text', assertionWith({}, { kind: 'text', value: '\udc00z' }), 'record.assertion.object.text'],
    ['empty gold standard entity', goldStandardWith({ object: { kind: 'entity', value: '' } }), 'record.gold_standard.object.entity'],
    ['empty epoch parent', epochWith({ parent: '' }), 'record.epoch.parent'],
  ])('%s is rejected', (_what, record, field) => {
    expectField(record, field);
  });

  it('free text may hold newlines, tabs and be empty', () => {
    expect(() => validateRecord(assertionWith({}, { kind: 'text', value: 'line 1\n\tline 2' }))).not.toThrow();
    expect(() => validateRecord(assertionWith({}, { kind: 'text', value: '' }))).not.toThrow();
    expect(() => validateRecord(epochWith({ description: '' }))).not.toThrow();
  });
});

describe('numbers', () => {
  it.each([NaN, Infinity, -Infinity, -0.1, 1.1, -Number.MIN_VALUE, 1 + Number.EPSILON])('confidence %p is rejected', (confidence) => {
    expectField(assertionWith({ confidence }), 'record.assertion.confidence');
  });
  it.each([0, 1, -0, Number.MIN_VALUE, 0.5])('confidence %p passes', (confidence) => {
    expect(() => validateRecord(assertionWith({ confidence }))).not.toThrow();
  });
  it.each([NaN, Infinity, -1.1, 1.1, -1 - Number.EPSILON])('vote value %p is rejected', (value) => {
    expectField(voteWith({ value }), 'record.vote.value');
  });
  it.each([-1, 0, 1])('vote value %p passes', (value) => {
    expect(() => validateRecord(voteWith({ value }))).not.toThrow();
  });
  it.each([NaN, -0.1, 1.1, Infinity])('trust weight %p is rejected', (weight) => {
    const pack = trustPackWith({ entries: [{ agent: KEY_B.publicKey, weight }] });
    expectField(pack, 'record.trust_pack.entries[0].weight');
  });
  it.each([NaN, Infinity, -Infinity])('number object %p is rejected', (value) => {
    expectField(assertionWith({}, { kind: 'number', value }), 'record.assertion.object.number');
  });
  it('integer objects span the signed 64-bit range exactly', () => {
    for (const value of [INT64_MIN, INT64_MAX]) expect(() => validateRecord(assertionWith({}, { kind: 'integer', value }))).not.toThrow();
    expectField(assertionWith({}, { kind: 'integer', value: INT64_MAX + 1n }), 'record.assertion.object.integer');
    expectField(assertionWith({}, { kind: 'integer', value: INT64_MIN - 1n }), 'record.assertion.object.integer');
  });
  it('timestamp objects span ±OBJECT_TIMESTAMP_MS_ABS_MAX exactly', () => {
    for (const value of [OBJECT_TIMESTAMP_MS_ABS_MAX, -OBJECT_TIMESTAMP_MS_ABS_MAX]) {
      expect(() => validateRecord(assertionWith({}, { kind: 'timestamp', value }))).not.toThrow();
    }
    expectField(assertionWith({}, { kind: 'timestamp', value: OBJECT_TIMESTAMP_MS_ABS_MAX + 1n }), 'record.assertion.object.timestamp_ms');
    expectField(assertionWith({}, { kind: 'timestamp', value: -OBJECT_TIMESTAMP_MS_ABS_MAX - 1n }), 'record.assertion.object.timestamp_ms');
  });
  it('visual hashes span the unsigned 64-bit range exactly', () => {
    for (const visualHash of [0n, UINT64_MAX]) expect(() => validateRecord(assertionWith({ visualHash }))).not.toThrow();
    expectField(assertionWith({ visualHash: UINT64_MAX + 1n }), 'record.assertion.visual_hash');
    expectField(assertionWith({ visualHash: -1n }), 'record.assertion.visual_hash');
  });
  it('an unknown object kind is rejected naming the object', () => {
    expectField(assertionWith({}, { kind: 'date', value: 'x' } as unknown as ObjectValue), 'record.assertion.object');
  });
});

describe('record timestamps at their boundaries', () => {
  const cases: Array<[string, (t: number) => StemeRecord, string]> = [
    ['asserted_at_ms', (t) => assertionWith({ assertedAtMs: t }), 'record.assertion.asserted_at_ms'],
    ['cast_at_ms', (t) => voteWith({ castAtMs: t }), 'record.vote.cast_at_ms'],
    ['starts_at_ms', (t) => epochWith({ startsAtMs: t }), 'record.epoch.starts_at_ms'],
    ['gold created_at_ms', (t) => goldStandardWith({ createdAtMs: t }), 'record.gold_standard.created_at_ms'],
    ['trust pack created_at_ms', (t) => trustPackWith({ createdAtMs: t }), 'record.trust_pack.created_at_ms'],
  ];
  it.each(cases)('%s', (_what, make, field) => {
    expect(() => validateRecord(make(RECORD_TIMESTAMP_MS_MIN))).not.toThrow();
    expect(() => validateRecord(make(RECORD_TIMESTAMP_MS_MAX))).not.toThrow();
    expectField(make(RECORD_TIMESTAMP_MS_MIN - 1), field);
    expectField(make(RECORD_TIMESTAMP_MS_MAX + 1), field);
    expectField(make(RECORD_TIMESTAMP_MS_MIN + 0.5), field);
    expectField(make(NaN), field);
  });
});

describe('fixed-length bytes', () => {
  it.each([
    ['source_hash', (b: Buffer) => assertionWith({ sourceHash: b }), 'record.assertion.source_hash'],
    ['parent_hash', (b: Buffer) => assertionWith({ parentHash: b }), 'record.assertion.parent_hash'],
    ['assertion_id', (b: Buffer) => voteWith({ assertionId: b }), 'record.vote.assertion_id'],
  ])('%s must be 32 bytes', (_what, make, field) => {
    expect(() => validateRecord(make(Buffer.alloc(32, 7)))).not.toThrow();
    expectField(make(Buffer.alloc(31)), field);
    expectField(make(Buffer.alloc(33)), field);
    expectField(make(Buffer.alloc(0)), field);
  });
  it('signature public keys must be 32 bytes and signatures 64', () => {
    const sig = assertionWith().signatures[0]!;
    expectField(assertionWith({ signatures: [{ ...sig, publicKey: sig.publicKey.subarray(0, 31) }] }), 'record.assertion.signatures[0].public_key');
    expectField(assertionWith({ signatures: [{ ...sig, signature: Buffer.concat([sig.signature, Buffer.alloc(1)]) }] }), 'record.assertion.signatures[0].signature');
    expectField(assertionWith({ signatures: [sig, { ...fakeSig(1), signature: Buffer.alloc(63) }] }), 'record.assertion.signatures[1].signature');
  });
  it.each([
    ['all-zero', '00'.repeat(32)],
    ['identity point', '01' + '00'.repeat(31)],
    ['identity point with the sign bit set', '01' + '00'.repeat(30) + '80'],
    ['order-8 point', '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'],
    ['non-canonical y = p', 'ed' + 'ff'.repeat(30) + '7f'],
    ['non-canonical y = 2^255 - 1', 'ff'.repeat(32)],
  ])('a weak or non-canonical public key (%s) is rejected wherever a key appears', (_what, hex) => {
    const bad = Buffer.from(hex, 'hex');
    expectField(assertionWith({ signatures: [{ publicKey: bad, signature: Buffer.alloc(64, 1) }] }), 'record.assertion.signatures[0].public_key');
    expectField(voteWith({ voter: bad, signatures: [{ publicKey: bad, signature: Buffer.alloc(64, 1) }] }), 'record.vote.voter');
    expectField(trustPackWith({ entries: [{ agent: bad, weight: 1 }] }), 'record.trust_pack.entries[0].agent');
  });
});

describe('signature counts', () => {
  it(`1..${SIGNATURES_MAX} signatures pass; 0 and ${SIGNATURES_MAX + 1} fail`, () => {
    const sigs = Array.from({ length: SIGNATURES_MAX + 1 }, (_, i) => fakeSig(i));
    expect(() => validateRecord(assertionWith({ signatures: sigs.slice(0, 1) }))).not.toThrow();
    expect(() => validateRecord(assertionWith({ signatures: sigs.slice(0, SIGNATURES_MAX) }))).not.toThrow();
    expectField(assertionWith({ signatures: sigs }), 'record.assertion.signatures');
    expectField(assertionWith({ signatures: [] }), 'record.assertion.signatures');
    expectField(epochWith({ signatures: [] }), 'record.epoch.signatures');
    expectField(goldStandardWith({ signatures: sigs }), 'record.gold_standard.signatures');
    expectField(trustPackWith({ signatures: [] }), 'record.trust_pack.signatures');
  });
  it('two signatures by the same key are rejected naming the second', () => {
    expectField(assertionWith({ signatures: [fakeSig(1), fakeSig(2), fakeSig(1)] }), 'record.assertion.signatures[2].public_key');
  });
  it('a vote carries exactly one signature, by the voter', () => {
    const v = voteWith();
    expectField({ ...v, signatures: [] }, 'record.vote.signature');
    expectField({ ...v, signatures: [v.signatures[0]!, fakeSig(3)] }, 'record.vote.signature');
    expectField(voteWith({ voter: KEY_B.publicKey, signatures: [{ publicKey: KEY_A.publicKey, signature: Buffer.alloc(64) }] }), 'record.vote.signature.public_key');
  });
});

describe('trust pack entries', () => {
  it(`1..${TRUST_ENTRIES_MAX} distinct agents pass; 0 and ${TRUST_ENTRIES_MAX + 1} fail`, () => {
    const entries = Array.from({ length: TRUST_ENTRIES_MAX + 1 }, (_, i) => entry(i));
    expect(new Set(entries.map((e) => e.agent.toString('hex'))).size).toBe(TRUST_ENTRIES_MAX + 1);
    expect(() => validateRecord(trustPackWith({ entries: entries.slice(0, TRUST_ENTRIES_MAX) }))).not.toThrow();
    expect(() => validateRecord(trustPackWith({ entries: entries.slice(0, 1) }))).not.toThrow();
    expectField(trustPackWith({ entries }), 'record.trust_pack.entries');
    expectField(trustPackWith({ entries: [] }), 'record.trust_pack.entries');
  });
  it('a duplicate agent is rejected naming the entry', () => {
    expectField(trustPackWith({ entries: [entry(1), entry(2), entry(1)] }), 'record.trust_pack.entries[2].agent');
  });
});

describe('field paths', () => {
  it('start with the caller-given prefix, e.g. an index into a batch', () => {
    expectField(voteWith({ value: 2 }), 'records[3].vote.value', 'records[3]');
  });
  it('an unknown record kind is rejected naming the record', () => {
    expectField({ kind: 'comment' } as unknown as StemeRecord, 'record');
  });
});

describe('allowUnsigned (for computing the id to sign)', () => {
  it('accepts a record with no signatures but still checks the ones present and every other field', () => {
    expect(() => validateRecord(assertionWith({ signatures: [] }), 'record', { allowUnsigned: true })).not.toThrow();
    expect(() => validateRecord(voteWith({ signatures: [] }), 'record', { allowUnsigned: true })).not.toThrow();
    expect(rejection(() => validateRecord(assertionWith({ signatures: [fakeSig(1), fakeSig(1)] }), 'record', { allowUnsigned: true })).field).toBe('record.assertion.signatures[1].public_key');
    expect(rejection(() => validateRecord(assertionWith({ signatures: [], confidence: 2 }), 'record', { allowUnsigned: true })).field).toBe('record.assertion.confidence');
  });
});
