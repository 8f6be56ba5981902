import fc from 'fast-check';
import { SignatureError, ValidationError } from '../../shared/domain/errors';
import { recordId } from '../../shared/domain/hash';
import { SIGNATURES_MAX } from '../../shared/domain/limits';
import {
  generateKeyPair,
  keyPairFromSeed,
  signId,
  signingMessage,
  signRecord,
  verifyRecord,
  verifySignature,
} from '../../shared/domain/signing';
import type { RecordKind, Signature } from '../../shared/domain/types';
import { bytesOf } from './arbitraries';
import { assertionWith, epochWith, goldStandardWith, KEY_A, KEY_B, KEY_C, resign, seedKey, trustPackWith, voteWith } from './fixtures';

const KINDS: readonly RecordKind[] = ['assertion', 'vote', 'epoch', 'gold_standard', 'trust_pack'];
const ID = Buffer.alloc(32, 0x5a);

describe('key pairs', () => {
  it('generateKeyPair gives a 32-byte public key and a 32-byte seed that reproduces it', () => {
    const pair = generateKeyPair();
    expect(pair.publicKey).toHaveLength(32);
    expect(pair.privateKey).toHaveLength(32);
    expect(keyPairFromSeed(pair.privateKey).publicKey.equals(pair.publicKey)).toBe(true);
    expect(generateKeyPair().publicKey.equals(pair.publicKey)).toBe(false);
  });

  it('derives the RFC 8032 test vector 1 public key from its seed', () => {
    // RFC 8032 section 7.1, TEST 1: checks our DER wrapping of raw keys against the standard.
    const pair = keyPairFromSeed(Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex'));
    expect(pair.publicKey.toString('hex')).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  });
});

describe('signing messages', () => {
  it('are the ASCII domain tag of the kind followed by the id', () => {
    expect(signingMessage('assertion', ID).equals(Buffer.concat([Buffer.from('stemedb/v1/assertion'), ID]))).toBe(true);
    expect(signingMessage('gold_standard', ID).subarray(0, 24).toString()).toBe('stemedb/v1/gold_standard');
    expect(() => signingMessage('vote', Buffer.alloc(31))).toThrow(RangeError);
  });
});

describe('signatures', () => {
  it('verify for the signed kind and id', () => {
    for (const kind of KINDS) expect(verifySignature(kind, ID, signId(kind, ID, KEY_A))).toBe(true);
  });

  it('are deterministic (Ed25519)', () => {
    expect(signId('vote', ID, KEY_A).signature.equals(signId('vote', ID, KEY_A).signature)).toBe(true);
  });

  it('by key A do not verify under key B, for another id, or for another record kind', () => {
    fc.assert(
      fc.property(bytesOf(32), bytesOf(32), fc.constantFrom(...KINDS), fc.constantFrom(...KINDS), (id, otherId, kind, otherKind) => {
        const sig = signId(kind, id, KEY_A);
        expect(verifySignature(kind, id, sig)).toBe(true);
        expect(verifySignature(kind, id, { ...sig, publicKey: KEY_B.publicKey })).toBe(false);
        if (!otherId.equals(id)) expect(verifySignature(kind, otherId, sig)).toBe(false);
        if (otherKind !== kind) expect(verifySignature(otherKind, id, sig)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('with any single bit flipped do not verify', () => {
    const sig = signId('assertion', ID, KEY_A);
    for (let bit = 0; bit < 64 * 8; bit += 7) {
      const bad = Buffer.from(sig.signature);
      bad[bit >> 3]! ^= 1 << (bit & 7);
      expect(verifySignature('assertion', ID, { ...sig, signature: bad })).toBe(false);
    }
  });

  it('malformed keys, signatures and ids give false, never a crash', () => {
    const good = signId('assertion', ID, KEY_A);
    const malformed: Array<[string, Signature, Buffer?]> = [
      ['31-byte key', { ...good, publicKey: good.publicKey.subarray(1) }],
      ['33-byte key', { ...good, publicKey: Buffer.concat([good.publicKey, Buffer.alloc(1)]) }],
      ['empty key', { ...good, publicKey: Buffer.alloc(0) }],
      ['all-zero key', { ...good, publicKey: Buffer.alloc(32) }],
      ['all-ones key (not canonical)', { ...good, publicKey: Buffer.alloc(32, 0xff) }],
      ['63-byte signature', { ...good, signature: good.signature.subarray(1) }],
      ['65-byte signature', { ...good, signature: Buffer.concat([good.signature, Buffer.alloc(1)]) }],
      ['all-zero signature', { ...good, signature: Buffer.alloc(64) }],
      ['31-byte id', good, Buffer.alloc(31)],
      ['not a Buffer', { publicKey: 'abc' as unknown as Buffer, signature: 42 as unknown as Buffer }],
      ['null', null as unknown as Signature],
    ];
    for (const [what, sig, id] of malformed) {
      expect([what, verifySignature('assertion', id ?? ID, sig)]).toEqual([what, false]);
    }
    for (const kind of ['toString', '__proto__', 'assertions', '']) {
      expect([kind, verifySignature(kind as RecordKind, ID, good)]).toEqual([kind, false]);
    }
  });

  it('garbage keys (often not curve points) and garbage signatures give false, never a crash', () => {
    fc.assert(
      fc.property(bytesOf(32), bytesOf(64), (publicKey, signature) => {
        expect(verifySignature('vote', ID, { publicKey, signature })).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('by small-order keys are refused even when the curve equation holds for them', () => {
    // With the identity point as key, R = identity and S = 0 satisfies the plain
    // Ed25519 equation for every message; OpenSSL alone would accept it.
    const identity = Buffer.from('01' + '00'.repeat(31), 'hex');
    const forged = Buffer.concat([identity, Buffer.alloc(32)]);
    expect(verifySignature('assertion', ID, { publicKey: identity, signature: forged })).toBe(false);
  });
});

describe('signRecord and verifyRecord', () => {
  it('sign every record kind so that verifyRecord returns its id', () => {
    for (const record of [assertionWith(), voteWith(), epochWith(), goldStandardWith(), trustPackWith()]) {
      expect(verifyRecord(record).equals(recordId(record))).toBe(true);
    }
  });

  it('merge co-signers, skip keys that already signed, and keep the id', () => {
    const once = resign(assertionWith());
    const twice = signRecord(once, [KEY_B, KEY_A, KEY_C, KEY_B]);
    expect(twice.signatures.map((s) => s.publicKey.toString('hex'))).toEqual([KEY_A, KEY_B, KEY_C].map((k) => k.publicKey.toString('hex')));
    expect(verifyRecord(twice).equals(recordId(once))).toBe(true);
    expect(verifyRecord({ ...twice, signatures: [...twice.signatures].reverse() }).equals(recordId(once))).toBe(true);
  });

  it('refuse to sign past SIGNATURES_MAX', () => {
    const keys = Array.from({ length: SIGNATURES_MAX + 1 }, (_, i) => seedKey(i + 20));
    expect(signRecord(resign(assertionWith()), keys.slice(1, SIGNATURES_MAX)).signatures).toHaveLength(SIGNATURES_MAX);
    expect(() => signRecord(resign(assertionWith(), [keys[0]!]), keys.slice(1))).toThrow(ValidationError);
  });

  it('a changed field invalidates the signature, naming it', () => {
    const record = { ...resign(assertionWith()), confidence: 0.1 };
    try {
      verifyRecord(record);
      throw new Error('expected a SignatureError');
    } catch (err) {
      expect(err).toBeInstanceOf(SignatureError);
      expect((err as SignatureError).field).toBe('record.assertion.signatures[0]');
      expect((err as SignatureError).name).toBe('SignatureError');
    }
  });

  it('names the failing co-signature by index, and the vote signature in the singular', () => {
    const signed = resign(assertionWith(), [KEY_A, KEY_B]);
    const bad = { ...signed, signatures: [signed.signatures[0]!, { ...signed.signatures[1]!, signature: signed.signatures[0]!.signature }] };
    expect(() => verifyRecord(bad, 'records[2]')).toThrow(expect.objectContaining({ field: 'records[2].assertion.signatures[1]' }));
    const vote = voteWith();
    const badVote = { ...vote, signatures: [{ ...vote.signatures[0]!, signature: Buffer.alloc(64, 1) }] };
    expect(() => verifyRecord(badVote)).toThrow(expect.objectContaining({ field: 'record.vote.signature' }));
  });

  it('a signature made for an assertion does not verify the same id as another kind', () => {
    const a = resign(assertionWith());
    const id = recordId(a);
    expect(verifySignature('assertion', id, a.signatures[0]!)).toBe(true);
    expect(verifySignature('gold_standard', id, a.signatures[0]!)).toBe(false);
  });

  it('an unsigned record does not verify', () => {
    expect(() => verifyRecord({ ...assertionWith(), signatures: [] })).toThrow(expect.objectContaining({ name: 'SignatureError', field: 'record.assertion.signatures' }));
  });
});

describe('private key reuse', () => {
  it('a key pair whose seed bytes change signs with the new key, not a parsed copy of the old one', () => {
    const pair = keyPairFromSeed(Buffer.alloc(32, 1));
    const first = signId('assertion', ID, pair);
    expect(signId('assertion', ID, pair).signature.equals(first.signature)).toBe(true);
    const other = keyPairFromSeed(Buffer.alloc(32, 2));
    pair.privateKey.set(other.privateKey);
    // The public key is the caller's to keep in step; the signature must follow the seed.
    expect(signId('assertion', ID, pair).signature.equals(signId('assertion', ID, other).signature)).toBe(true);
  });
});
