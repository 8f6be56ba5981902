/**
 * fast-check arbitraries for valid domain records of every kind and every object
 * kind. Signatures are structurally valid (right lengths, distinct acceptable
 * keys) but not cryptographically meaningful: the id never covers them.
 */
import fc from 'fast-check';
import { publicKeyProblem } from '../../shared/domain/public-key';
import {
  INT64_MAX,
  INT64_MIN,
  OBJECT_TIMESTAMP_MS_ABS_MAX,
  RECORD_TIMESTAMP_MS_MAX,
  RECORD_TIMESTAMP_MS_MIN,
  SIGNATURES_MAX,
  UINT64_MAX,
} from '../../shared/domain/limits';
import type { Assertion, Epoch, GoldStandard, ObjectValue, Signature, StemeRecord, TrustEntry, TrustPack, Vote } from '../../shared/domain/types';

export const bytesOf = (n: number): fc.Arbitrary<Buffer> => fc.uint8Array({ minLength: n, maxLength: n }).map((u) => Buffer.from(u));
export const hash32 = bytesOf(32);
export const publicKey = bytesOf(32).filter((k) => publicKeyProblem(k) === null);

/** Any Unicode text without lone surrogates or NUL (control characters allowed: free text). */
export const freeText = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: 'grapheme', maxLength }).filter((s) => !s.includes('\u0000') && Buffer.byteLength(s) <= maxLength * 4);

/** Identifier text: non-empty, no control characters, mixed scripts and emoji. */
export const name = (bytesMax: number): fc.Arbitrary<string> =>
  fc
    .string({ unit: fc.oneof(fc.constantFrom('a', 'Z', '0', ':', '/', ' ', 'é', '東', '🙂', '\u00a0', '\u200d'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 40 })
    .filter((s) => !/[\u0000-\u001f\u007f-\u009f]/.test(s) && Buffer.byteLength(s) <= bytesMax);

export const recordTimestamp = fc.integer({ min: RECORD_TIMESTAMP_MS_MIN, max: RECORD_TIMESTAMP_MS_MAX });
export const unit = fc.double({ min: 0, max: 1, noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x));

export const signature: fc.Arbitrary<Signature> = fc.record({ publicKey, signature: bytesOf(64) });
export const signatures = (max = 3): fc.Arbitrary<Signature[]> =>
  fc.uniqueArray(signature, { minLength: 1, maxLength: Math.min(max, SIGNATURES_MAX), selector: (s) => s.publicKey.toString('hex') });

export const objectValue: fc.Arbitrary<ObjectValue> = fc.oneof(
  freeText(60).map((value) => ({ kind: 'text' as const, value })),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => ({ kind: 'number' as const, value: x === 0 ? 0 : x })),
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }).map((value) => ({ kind: 'integer' as const, value })),
  fc.boolean().map((value) => ({ kind: 'boolean' as const, value })),
  name(512).map((value) => ({ kind: 'entity' as const, value })),
  fc.bigInt({ min: -OBJECT_TIMESTAMP_MS_ABS_MAX, max: OBJECT_TIMESTAMP_MS_ABS_MAX }).map((value) => ({ kind: 'timestamp' as const, value })),
  fc.uint8Array({ maxLength: 64 }).map((u) => ({ kind: 'bytes' as const, value: Buffer.from(u) })),
);

export const assertion: fc.Arbitrary<Assertion> = fc.record({
  kind: fc.constant('assertion' as const),
  subject: name(512),
  predicate: name(256),
  object: objectValue,
  confidence: unit,
  sourceHash: hash32,
  visualHash: fc.option(fc.bigInt({ min: 0n, max: UINT64_MAX }), { nil: null }),
  parentHash: fc.option(hash32, { nil: null }),
  epoch: fc.option(name(256), { nil: null }),
  assertedAtMs: recordTimestamp,
  signatures: signatures(),
});

export const vote: fc.Arbitrary<Vote> = fc
  .record({
    assertionId: hash32,
    value: fc.double({ min: -1, max: 1, noNaN: true }).map((x) => (x === 0 ? 0 : x)),
    castAtMs: recordTimestamp,
    signature,
  })
  .map(({ signature: sig, ...rest }) => ({ kind: 'vote' as const, ...rest, voter: sig.publicKey, signatures: [sig] }));

export const epoch: fc.Arbitrary<Epoch> = fc.record({
  kind: fc.constant('epoch' as const),
  name: name(256),
  description: freeText(80),
  startsAtMs: recordTimestamp,
  parent: fc.option(name(256), { nil: null }),
  signatures: signatures(),
});

export const goldStandard: fc.Arbitrary<GoldStandard> = fc.record({
  kind: fc.constant('gold_standard' as const),
  subject: name(512),
  predicate: name(256),
  object: objectValue,
  createdAtMs: recordTimestamp,
  signatures: signatures(),
});

const trustEntries: fc.Arbitrary<TrustEntry[]> = fc
  .uniqueArray(fc.record({ agent: publicKey, weight: unit }), { minLength: 1, maxLength: 6, selector: (e) => e.agent.toString('hex') })
  .map((entries) => entries.sort((a, b) => Buffer.compare(a.agent, b.agent)));

export const trustPack: fc.Arbitrary<TrustPack> = fc.record(
  {
    kind: fc.constant('trust_pack' as const),
    name: name(256),
    entries: trustEntries,
    createdAtMs: recordTimestamp,
    // Learned packs (published by `stemedb trust learn`) carry the marker; others omit it.
    learned: fc.constant(true),
    signatures: signatures(),
  },
  { requiredKeys: ['kind', 'name', 'entries', 'createdAtMs', 'signatures'] },
);

export const anyRecord: fc.Arbitrary<StemeRecord> = fc.oneof(assertion, vote, epoch, goldStandard, trustPack);

/** Each record kind beside its arbitrary, for `it.each` over every kind. */
export const recordKinds = [
  ['assertion', assertion],
  ['vote', vote],
  ['epoch', epoch],
  ['gold_standard', goldStandard],
  ['trust_pack', trustPack],
] as const;
