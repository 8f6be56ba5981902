/**
 * The property every asynchronous signature verifier must satisfy: for any
 * record kind and id, a valid signature and the same signature with one bit
 * flipped get exactly the answer of the synchronous verifySignature.
 */
import fc from 'fast-check';
import { signId, verifySignature } from '../../shared/domain/signing';
import type { RecordKind, Signature } from '../../shared/domain/types';
import { KEY_A } from './fixtures';

export const RECORD_KINDS: readonly RecordKind[] = ['assertion', 'vote', 'epoch', 'gold_standard', 'trust_pack'];

export async function expectAgreesWithVerifySignature(verify: (kind: RecordKind, id: Buffer, sig: Signature) => Promise<boolean>): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...RECORD_KINDS), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(64 * 8 - 1), fc.boolean(), async (kind, idBytes, bit, flip) => {
      const id = Buffer.from(idBytes);
      const sig = signId(kind, id, KEY_A);
      const signature = Buffer.from(sig.signature);
      if (flip) signature[bit >> 3] ^= 1 << (bit & 7);
      const candidate: Signature = { publicKey: sig.publicKey, signature };
      expect(await verify(kind, id, candidate)).toBe(verifySignature(kind, id, candidate));
      expect(await verify(kind, id, candidate)).toBe(!flip);
    }),
    { numRuns: 50 },
  );
}
