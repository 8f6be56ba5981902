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
