import fc from 'fast-check';
import * as pb from '../../shared/gen/stemedb/v1/records';
import { canonicalBytes } from '../../shared/domain/canonical';
import { DecodeError, ValidationError } from '../../shared/domain/errors';
import { recordId } from '../../shared/domain/hash';
import { RECORD_TIMESTAMP_MS_MAX } from '../../shared/domain/limits';
import { decodeRecordBytes, encodeRecordBytes, objectFromProto, objectToProto, recordFromProto, recordToProto } from '../../shared/domain/proto-convert';
import { installStrictUtf8Decoding } from '../../shared/domain/strict-utf8';
import type { StemeRecord } from '../../shared/domain/types';
import { anyRecord, objectValue, recordKinds } from './arbitraries';
import { assertionWith, trustPackWith, voteWith } from './fixtures';

function rejection(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error, nothing was thrown');
}

/** Protobuf bytes of an assertion whose subject is the given raw bytes. */
function assertionBytesWithSubject(subject: Buffer): Buffer {
  const good = encodeRecordBytes(assertionWith({ subject: 'SUBJECT_PLACEHOLDER' }));
  const at = good.indexOf('SUBJECT_PLACEHOLDER');
  // Same length replacement keeps every enclosing length prefix right.
  const placeholder = Buffer.from('SUBJECT_PLACEHOLDER');
  expect(subject.length).toBe(placeholder.length);
  return Buffer.concat([good.subarray(0, at), subject, good.subarray(at + placeholder.length)]);
}

describe('protobuf round trip', () => {
  it.each(recordKinds)('domain → proto → bytes → proto → domain gives the same %s and id', (_kind, arb) => {
    fc.assert(
      fc.property(arb as fc.Arbitrary<StemeRecord>, (record) => {
        const back = decodeRecordBytes(encodeRecordBytes(record));
        expect(back).toEqual(record);
        expect(canonicalBytes(back).equals(canonicalBytes(record))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('every object kind round-trips through ObjectValue', () => {
    fc.assert(
      fc.property(objectValue, (object) => {
        const bytes = pb.ObjectValue.encode(objectToProto(object)).finish();
        expect(objectFromProto(pb.ObjectValue.decode(bytes), 'object')).toEqual(object);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps 64-bit integers, timestamps and visual hashes at full precision', () => {
    const big = assertionWith({ visualHash: 2n ** 64n - 1n }, { kind: 'integer', value: 2n ** 63n - 1n });
    expect(decodeRecordBytes(encodeRecordBytes(big))).toEqual(big);
    const ts = assertionWith({}, { kind: 'timestamp', value: -8_640_000_000_000_000n });
    expect(decodeRecordBytes(encodeRecordBytes(ts))).toEqual(ts);
  });

  it('reads trust pack entries in any wire order and keeps them sorted by agent', () => {
    const pack = trustPackWith();
    const message = recordToProto(pack);
    if (message.kind?.$case !== 'trustPack') throw new Error('expected a trust pack');
    message.kind.value.entries.reverse();
    expect(recordFromProto(message)).toEqual(pack);
  });

  it('stores a -0 number as +0', () => {
    const r = assertionWith({}, { kind: 'number', value: -0 });
    const back = decodeRecordBytes(encodeRecordBytes(r));
    expect(Object.is((back as { object: { value: number } }).object.value, 0)).toBe(true);
    expect(recordId(back).equals(recordId(r))).toBe(true);
  });
});

describe('recordFromProto rejects, naming the field', () => {
  const base = (): pb.Record => recordToProto(assertionWith());
  const mutate = (f: (a: pb.Assertion) => void): pb.Record => {
    const m = base();
    if (m.kind?.$case !== 'assertion') throw new Error('expected an assertion');
    f(m.kind.value);
    return m;
  };

  it.each<[string, () => pb.Record, string]>([
    ['no record kind', () => ({ kind: undefined }), 'record'],
    ['no object', () => mutate((a) => (a.object = undefined)), 'record.assertion.object'],
    ['object with no kind', () => mutate((a) => (a.object = { value: undefined })), 'record.assertion.object'],
    ['NaN confidence', () => mutate((a) => (a.confidence = NaN)), 'record.assertion.confidence'],
    ['confidence 1.1', () => mutate((a) => (a.confidence = 1.1)), 'record.assertion.confidence'],
    ['NUL in subject', () => mutate((a) => (a.subject = 'a\u0000')), 'record.assertion.subject'],
    ['short source hash', () => mutate((a) => (a.sourceHash = Buffer.alloc(31))), 'record.assertion.source_hash'],
    ['unknown signature algorithm', () => mutate((a) => (a.signatures[0]!.algorithm = 7 as pb.SignatureAlgorithm)), 'record.assertion.signatures[0].algorithm'],
    ['timestamp one past the maximum', () => mutate((a) => (a.assertedAtMs = BigInt(RECORD_TIMESTAMP_MS_MAX) + 1n)), 'record.assertion.asserted_at_ms'],
    ['timestamp beyond 2^53 (never rounded into range)', () => mutate((a) => (a.assertedAtMs = 2n ** 62n)), 'record.assertion.asserted_at_ms'],
    ['negative timestamp', () => mutate((a) => (a.assertedAtMs = -1n)), 'record.assertion.asserted_at_ms'],
    ['unset timestamp (0)', () => mutate((a) => (a.assertedAtMs = 0n)), 'record.assertion.asserted_at_ms'],
    ['no signatures', () => mutate((a) => (a.signatures = [])), 'record.assertion.signatures'],
  ])('%s', (_what, make, field) => {
    const err = rejection(() => recordFromProto(make()));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe(field);
  });

  it('a vote without its signature', () => {
    const m = recordToProto(voteWith());
    if (m.kind?.$case !== 'vote') throw new Error('expected a vote');
    m.kind.value.signature = undefined;
    expect(rejection(() => recordFromProto(m, 'records[3]'))).toMatchObject({ name: 'ValidationError', field: 'records[3].vote.signature' });
  });

  it('reads SIGNATURE_ALGORITHM_UNSPECIFIED as Ed25519', () => {
    const m = mutate((a) => (a.signatures[0]!.algorithm = pb.SignatureAlgorithm.SIGNATURE_ALGORITHM_UNSPECIFIED));
    expect(recordFromProto(m)).toEqual(assertionWith());
  });

  it('an unknown enum value survives the wire and is rejected after decoding', () => {
    const m = mutate((a) => (a.signatures[0]!.algorithm = 99 as pb.SignatureAlgorithm));
    const err = rejection(() => decodeRecordBytes(pb.Record.encode(m).finish()));
    expect(err).toMatchObject({ name: 'ValidationError', field: 'record.assertion.signatures[0].algorithm' });
  });
});

describe('strict UTF-8 over protobuf', () => {
  it('invalid UTF-8 in a subject fails to decode instead of becoming U+FFFD', () => {
    const bad = Buffer.from('SUBJECT_PLACEHOLDER');
    bad[3] = 0xff;
    const err = rejection(() => decodeRecordBytes(assertionBytesWithSubject(bad)));
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).field).toBe('record');
    // The generated decoder itself throws too (not only our wrapper).
    expect(() => pb.Record.decode(assertionBytesWithSubject(bad))).toThrow();
  });

  it('an encoded lone surrogate (ED A0 80) and an overlong NUL (C0 80) are invalid too', () => {
    for (const seq of [[0xed, 0xa0, 0x80], [0xc0, 0x80]]) {
      const bad = Buffer.from('SUBJECT_PLACEHOLDER');
      bad.set(seq, 2);
      expect(rejection(() => decodeRecordBytes(assertionBytesWithSubject(bad)))).toBeInstanceOf(DecodeError);
    }
  });

  it('valid multi-byte UTF-8 still decodes, and a leading U+FEFF is kept as text', () => {
    const subject = Buffer.from('\ufeffé東🙂 SUBJEC');
    expect(subject.length).toBe(Buffer.byteLength('SUBJECT_PLACEHOLDER'));
    const r = decodeRecordBytes(assertionBytesWithSubject(subject));
    expect((r as { subject: string }).subject).toBe('\ufeffé東🙂 SUBJEC');
  });

  it('installing twice is harmless', () => {
    installStrictUtf8Decoding();
    installStrictUtf8Decoding();
    expect(decodeRecordBytes(encodeRecordBytes(assertionWith()))).toEqual(assertionWith());
  });

  it('garbage bytes never crash the decoder: they decode or throw a typed error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeRecordBytes(bytes);
        } catch (err) {
          expect(err instanceof DecodeError || err instanceof ValidationError).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('random records survive arbitrary-record round trips (all kinds mixed)', () => {
    fc.assert(fc.property(anyRecord, (r) => expect(decodeRecordBytes(encodeRecordBytes(r))).toEqual(r)), { numRuns: 100 });
  });
});
