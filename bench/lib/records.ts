/**
 * The synthetic assertion every bench signs: the fields that vary per bench
 * (subject, predicate, object, confidence, source) given, the rest fixed — no
 * parent, epoch or visual hash, asserted at a fixed time plus `i` ms.
 */
import { keyPairFromSeed, type KeyPair } from '../../shared/domain/signing';
import type { Assertion, ObjectValue } from '../../shared/domain/types';

/** Asserted-at of record 0. */
export const BENCH_T0_MS = 1_700_000_000_000;

export interface BenchAssertionSpec {
  readonly subject: string;
  readonly predicate: string;
  readonly object: ObjectValue;
  readonly confidence: number;
  /** 32 bytes; default: 32 × (i mod 251). */
  readonly sourceHash?: Buffer;
}

/** Unsigned assertion number `i` (sign it with signRecord). */
export function benchAssertion(i: number, spec: BenchAssertionSpec): Assertion {
  return {
    kind: 'assertion',
    subject: spec.subject,
    predicate: spec.predicate,
    object: spec.object,
    confidence: spec.confidence,
    sourceHash: spec.sourceHash ?? Buffer.alloc(32, i % 251),
    visualHash: null,
    parentHash: null,
    epoch: null,
    assertedAtMs: BENCH_T0_MS + i,
    signatures: [],
  };
}

/** `count` deterministic agents: key pairs from seeds whose first four bytes are firstSeed, firstSeed + 1, … (big-endian). */
export function benchAgents(count: number, firstSeed: number): KeyPair[] {
  return Array.from({ length: count }, (_, i) => {
    const seed = Buffer.alloc(32);
    seed.writeUInt32BE(firstSeed + i);
    return keyPairFromSeed(seed);
  });
}
