/**
 * R: Ed25519 verifications per second by node:crypto on one core, KeyObject
 * reused — the unit of machine speed every throughput target is stated in,
 * measured in the same run as the figure it stands beside.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** The one key, message and signature both rates verify. */
function fixture(): { pub: KeyObject; message: Buffer; sig: Buffer } {
  const priv = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.alloc(32, 9)]), format: 'der', type: 'pkcs8' });
  const message = Buffer.from('stemedb-bench-R');
  return { pub: createPublicKey(priv), message, sig: sign(null, message, priv) };
}

export function measureR(ms = 1000): number {
  const { pub, message: m, sig } = fixture();
  for (let i = 0; i < 200; i++) verify(null, m, pub, sig); // warm up
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) {
    verify(null, m, pub, sig);
    n++;
  }
  return Math.round((n * 1000) / ms);
}

/**
 * Ed25519 verifications per second by libsodium (`crypto_sign_verify_detached`,
 * the verifier StemeDB uses) on one core, in the same style as `measureR`: the
 * ceiling one core puts on any path that verifies every signature once, to set
 * beside R (measured 1.5–2.5 R on the development machines, depending on the CPU and the load).
 */
export function measureSodiumVerify(ms = 1000): number {
  const sodium = require('sodium-native') as typeof import('sodium-native');
  const { pub, message: m, sig } = fixture();
  const pk = Buffer.from(pub.export({ format: 'jwk' }).x!, 'base64url');
  for (let i = 0; i < 200; i++) sodium.crypto_sign_verify_detached(sig, m, pk); // warm up
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) {
    if (!sodium.crypto_sign_verify_detached(sig, m, pk)) throw new Error('libsodium: the bench signature does not verify');
    n++;
  }
  return Math.round((n * 1000) / ms);
}
