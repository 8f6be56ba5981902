/**
 * Ed25519 verification through libsodium: RFC 8032 vectors, the strictness
 * the project has always had (small-order and non-canonical keys, S ≥ L), the
 * one known case where node:crypto and libsodium disagree (a small-order R:
 * OpenSSL accepts such a signature, libsodium refuses it, and so do we), and
 * agreement with node:crypto on everything else.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { ed25519Verify } from '../../shared/domain/ed25519';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** The order of the base point. */
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

const le = (b: Uint8Array): bigint => BigInt('0x' + (Buffer.from(b).reverse().toString('hex') || '0'));
const le32 = (n: bigint): Buffer => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse();

function keyOfSeed(seed: Buffer): { publicKey: Buffer; sign: (m: Buffer) => Buffer; scalar: bigint } {
  const priv = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(priv).export({ format: 'der', type: 'spki' });
  const h = createHash('sha512').update(seed).digest();
  const a = Buffer.from(h.subarray(0, 32));
  a[0]! &= 248;
  a[31]! &= 127;
  a[31]! |= 64;
  return { publicKey: Buffer.from(spki.subarray(spki.length - 32)), sign: (m) => sign(null, m, priv), scalar: le(a) };
}

function nodeVerify(message: Buffer, publicKey: Buffer, signature: Buffer): boolean {
  try {
    return verify(null, message, createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' }), signature);
  } catch {
    return false;
  }
}

describe('ed25519Verify (libsodium)', () => {
  it('accepts the RFC 8032 §7.1 test vectors 1 and 2', () => {
    const vectors = [
      {
        pk: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
        msg: '',
        sig: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
      },
      {
        pk: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
        msg: '72',
        sig: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
      },
    ];
    for (const v of vectors) {
      const [pk, msg, sig] = [v.pk, v.msg, v.sig].map((h) => Buffer.from(h, 'hex')) as [Buffer, Buffer, Buffer];
      expect(ed25519Verify(msg, pk, sig)).toBe(true);
      const flipped = Buffer.from(sig);
      flipped[10]! ^= 1;
      expect(ed25519Verify(msg, pk, flipped)).toBe(false);
    }
  });

  it('refuses a signature whose scalar S is not reduced (S + L), as node:crypto does', () => {
    const key = keyOfSeed(Buffer.alloc(32, 3));
    const m = Buffer.from('stemedb');
    const good = key.sign(m);
    const unreduced = Buffer.concat([good.subarray(0, 32), le32(le(good.subarray(32)) + L)]);
    expect(ed25519Verify(m, key.publicKey, good)).toBe(true);
    expect(ed25519Verify(m, key.publicKey, unreduced)).toBe(false);
    expect(nodeVerify(m, key.publicKey, unreduced)).toBe(false);
  });

  it('refuses a signature with a small-order R, which node:crypto accepts', () => {
    // R = the identity point, S = h·a (mod L): [S]B = R + [h]A holds exactly, so
    // a cofactorless verifier (OpenSSL) accepts it; libsodium refuses small-order R.
    const key = keyOfSeed(Buffer.alloc(32, 7));
    const m = Buffer.from('msg');
    const R = Buffer.alloc(32);
    R[0] = 1;
    const h = le(createHash('sha512').update(Buffer.concat([R, key.publicKey, m])).digest()) % L;
    const sig = Buffer.concat([R, le32((h * (key.scalar % L)) % L)]);
    expect(nodeVerify(m, key.publicKey, sig)).toBe(true);
    expect(ed25519Verify(m, key.publicKey, sig)).toBe(false);
  });

  it('refuses every small-order public key (the identity admits one signature for every message) and non-canonical keys', () => {
    const identity = Buffer.alloc(32);
    identity[0] = 1;
    // For the identity key, R = identity and S = 0 satisfy [S]B = R + [h]A for any message.
    const forged = Buffer.concat([identity, Buffer.alloc(32)]);
    expect(nodeVerify(Buffer.from('anything'), identity, forged)).toBe(true);
    expect(ed25519Verify(Buffer.from('anything'), identity, forged)).toBe(false);
    const nonCanonical = Buffer.alloc(32, 0xff);
    nonCanonical[0] = 0xed;
    nonCanonical[31] = 0x7f;
    expect(ed25519Verify(Buffer.from('m'), nonCanonical, forged)).toBe(false);
  });

  it('never throws on wrong lengths', () => {
    const key = keyOfSeed(Buffer.alloc(32, 1));
    const m = Buffer.from('m');
    const sig = key.sign(m);
    expect(ed25519Verify(m, key.publicKey.subarray(1), sig)).toBe(false);
    expect(ed25519Verify(m, key.publicKey, sig.subarray(1))).toBe(false);
    expect(ed25519Verify(m, Buffer.alloc(0), Buffer.alloc(0))).toBe(false);
  });

  it('agrees with node:crypto on honest and bit-flipped signatures of random messages', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 80 }), fc.nat(64 * 8 - 1), fc.boolean(), (seed, msg, bit, flip) => {
        const key = keyOfSeed(Buffer.from(seed));
        const m = Buffer.from(msg);
        const sig = Buffer.from(key.sign(m));
        if (flip) sig[bit >> 3]! ^= 1 << (bit & 7);
        expect(ed25519Verify(m, key.publicKey, sig)).toBe(nodeVerify(m, key.publicKey, sig));
        expect(ed25519Verify(m, key.publicKey, sig)).toBe(!flip);
      }),
      { numRuns: 200 },
    );
  });
});
