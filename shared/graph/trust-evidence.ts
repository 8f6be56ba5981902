/**
 * Trust evidence (docs/STORAGE.md "Trust evidence"): per agent, how many of its
 * (assertion, gold standard) judgements agreed and how many contradicted. Each
 * `(agent, assertion, gold standard)` of one (subject, predicate) counts once,
 * when the later of "the agent signs the assertion" and "the gold standard
 * arrives" is ingested. Counts add, so the same records in any order give the
 * same counts, bit for bit; the reliability estimate is a function of them
 * (shared/lens/trust-weight.ts `goldReliability`).
 *
 * Value of TRUST (current) and TRUSTH (after the changes at one offset):
 *   [right u64 BE][wrong u64 BE]
 */
import { GraphValueError } from './errors';
import { U64_BYTES } from './scalars';

/** Gold-standard judgements of one agent. */
export interface TrustEvidence {
  readonly right: number;
  readonly wrong: number;
}

export const NO_EVIDENCE: TrustEvidence = { right: 0, wrong: 0 };

export const TRUST_EVIDENCE_BYTES = 2 * U64_BYTES;

export function encodeTrustEvidence(e: TrustEvidence): Buffer {
  for (const n of [e.right, e.wrong]) if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`trust evidence counts must be integers 0..2^53-1, got ${n}`);
  const b = Buffer.allocUnsafe(TRUST_EVIDENCE_BYTES);
  b.writeBigUInt64BE(BigInt(e.right), 0);
  b.writeBigUInt64BE(BigInt(e.wrong), U64_BYTES);
  return b;
}

export function decodeTrustEvidence(bytes: Buffer, tag: string): TrustEvidence {
  if (bytes.length !== TRUST_EVIDENCE_BYTES) throw new GraphValueError(tag, `trust evidence is ${bytes.length} bytes, not ${TRUST_EVIDENCE_BYTES}`);
  const right = bytes.readBigUInt64BE(0);
  const wrong = bytes.readBigUInt64BE(U64_BYTES);
  if (right > BigInt(Number.MAX_SAFE_INTEGER) || wrong > BigInt(Number.MAX_SAFE_INTEGER)) throw new GraphValueError(tag, 'trust evidence count above 2^53-1');
  return { right: Number(right), wrong: Number(wrong) };
}

/** The evidence after one more judgement. */
export function withJudgement(e: TrustEvidence, agrees: boolean): TrustEvidence {
  return agrees ? { right: e.right + 1, wrong: e.wrong } : { right: e.right, wrong: e.wrong + 1 };
}
