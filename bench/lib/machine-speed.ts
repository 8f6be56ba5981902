/**
 * R: Ed25519 verifications per second by node:crypto on one core, KeyObject
 * reused — the unit of machine speed every throughput target is stated in,
 * measured in the same run as the figure it stands beside.
 */
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';

export function measureR(ms = 1000): number {
  const priv = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.alloc(32, 9)]), format: 'der', type: 'pkcs8' });
  const pub = createPublicKey(priv);
  const m = Buffer.from('stemedb-bench-R');
  const sig = sign(null, m, priv);
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
 * beside R (on the development machines it is 1.9–2.5 R, depending on the CPU).
 */
export function measureSodiumVerify(ms = 1000): number {
  const sodium = require('sodium-native') as typeof import('sodium-native');
  const priv = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.alloc(32, 9)]), format: 'der', type: 'pkcs8' });
  const pk = Buffer.from(createPublicKey(priv).export({ format: 'jwk' }).x!, 'base64url');
  const m = Buffer.from('stemedb-bench-R');
  const sig = sign(null, m, priv);
  for (let i = 0; i < 200; i++) sodium.crypto_sign_verify_detached(sig, m, pk); // warm up
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) {
    if (!sodium.crypto_sign_verify_detached(sig, m, pk)) throw new Error('libsodium: the bench signature does not verify');
    n++;
  }
  return Math.round((n * 1000) / ms);
}
