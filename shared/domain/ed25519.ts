/**
 * Ed25519 verification through libsodium (`sodium-native`): about 2.2× the
 * rate of node:crypto on this project's machines, with no key object to parse
 * or cache per agent.
 *
 * Strictness: libsodium's `crypto_sign_verify_detached` refuses a non-canonical
 * scalar S (S ≥ L), a small-order R and a small-order or non-canonical public
 * key. `publicKeyProblem` runs first anyway, so the refusal of weak keys does
 * not depend on the library's version, and node:crypto and libsodium can never
 * disagree on a key (test/domain/ed25519-vectors.test.ts pins the edge cases).
 */
import { crypto_sign_verify_detached } from 'sodium-native';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from './limits';
import { publicKeyProblem } from './public-key';

/**
 * True when `signature` is a valid Ed25519 signature over `message` by
 * `publicKey`. Never throws: wrong lengths, weak keys and garbage give false.
 */
export function ed25519Verify(message: Uint8Array, publicKey: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
  if (publicKeyProblem(Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength)) !== null) return false;
  try {
    return crypto_sign_verify_detached(signature, message, publicKey);
  } catch {
    return false;
  }
}
