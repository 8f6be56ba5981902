/**
 * Structural checks on raw Ed25519 public keys that verification alone misses.
 *
 * Ed25519 verification in OpenSSL (and RFC 8032) accepts keys of small order:
 * for the identity point (`01 00 … 00`) one fixed signature verifies for every
 * message, and for the all-zero key a quarter of messages. Such a key belongs to
 * nobody, so anyone could "sign" as it (and, say, supersede its assertions).
 * We therefore refuse the eight small-order points, in any encoding, and every
 * non-canonical encoding (y ≥ p), as libsodium does.
 */
import { PUBLIC_KEY_BYTES } from './limits';

/**
 * The y-coordinates (little-endian, sign bit clear) of the points of order 1, 2,
 * 4 and 8: y = 1, p − 1, 0, and the two roots of d·y⁴ + 2y² − 1 = 0. Each stands
 * for the point with either sign of x.
 */
const SMALL_ORDER_Y: readonly Buffer[] = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
].map((hex) => Buffer.from(hex, 'hex'));

const LAST = PUBLIC_KEY_BYTES - 1;
const SIGN_BIT_MASK = 0x7f;

/** Why a 32-byte public key is unusable, or null when it is acceptable. */
export function publicKeyProblem(raw: Buffer): string | null {
  if (raw.length !== PUBLIC_KEY_BYTES) return `must be exactly ${PUBLIC_KEY_BYTES} bytes (got ${raw.length})`;
  if (isNonCanonical(raw)) return 'non-canonical Ed25519 point encoding (y >= 2^255 - 19)';
  for (const y of SMALL_ORDER_Y) if (sameY(raw, y)) return 'weak Ed25519 public key (a small-order point)';
  return null;
}

function sameY(raw: Buffer, y: Buffer): boolean {
  for (let i = 0; i < LAST; i++) if (raw[i] !== y[i]) return false;
  return (raw[LAST]! & SIGN_BIT_MASK) === y[LAST];
}

/** y ≥ p = 2^255 − 19: bytes ed..ff, then 30 × ff, then 7f (sign bit ignored). */
function isNonCanonical(raw: Buffer): boolean {
  if ((raw[LAST]! & SIGN_BIT_MASK) !== 0x7f) return false;
  for (let i = 1; i < LAST; i++) if (raw[i] !== 0xff) return false;
  return raw[0]! >= 0xed;
}
