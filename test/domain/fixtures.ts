/**
 * Hand-written valid records of every kind. Each base record is signed by KEY_A;
 * overrides apply after signing, so a record with overrides carries a
 * well-formed signature that no longer verifies: use `resign` when it must.
 */
import { keyPairFromSeed, signRecord, type KeyPair } from '../../shared/domain/signing';
import type { Assertion, Epoch, GoldStandard, ObjectValue, StemeRecord, TrustPack, Vote } from '../../shared/domain/types';

/** A deterministic key pair: seed = 32 copies of `byte`. */
export function seedKey(byte: number): KeyPair {
  return keyPairFromSeed(Buffer.alloc(32, byte));
}

export const KEY_A = seedKey(1);
export const KEY_B = seedKey(2);
export const KEY_C = seedKey(3);

export const T0 = 1_700_000_000_000;

/** The record re-signed from scratch by `keys` (default KEY_A). */
export function resign<R extends StemeRecord>(record: R, keys: readonly KeyPair[] = [KEY_A]): R {
  return signRecord({ ...record, signatures: [] }, keys);
}

function withOverrides<R extends StemeRecord>(base: R, overrides: Partial<R>): R {
  return { ...signRecord(base, [KEY_A]), ...overrides };
}

export function assertionWith(overrides: Partial<Assertion> = {}, object?: ObjectValue): Assertion {
  const unsigned: Assertion = {
    kind: 'assertion',
    subject: 'city:france',
    predicate: 'capital',
    object: { kind: 'text', value: 'Paris' },
    confidence: 0.9,
    sourceHash: Buffer.alloc(32, 0xab),
    visualHash: null,
    parentHash: null,
    epoch: null,
    assertedAtMs: T0,
    signatures: [],
  };
  return withOverrides(unsigned, object === undefined ? overrides : { ...overrides, object });
}

export function voteWith(overrides: Partial<Vote> = {}): Vote {
  const unsigned: Vote = { kind: 'vote', assertionId: Buffer.alloc(32, 0x11), voter: KEY_A.publicKey, value: 1, castAtMs: T0, signatures: [] };
  return withOverrides(unsigned, overrides);
}

export function epochWith(overrides: Partial<Epoch> = {}): Epoch {
  const unsigned: Epoch = { kind: 'epoch', name: 'post-2020', description: 'After the reform.', startsAtMs: T0, parent: null, signatures: [] };
  return withOverrides(unsigned, overrides);
}

export function goldStandardWith(overrides: Partial<GoldStandard> = {}): GoldStandard {
  const unsigned: GoldStandard = {
    kind: 'gold_standard',
    subject: 'city:france',
    predicate: 'capital',
    object: { kind: 'entity', value: 'city:paris' },
    createdAtMs: T0,
    signatures: [],
  };
  return withOverrides(unsigned, overrides);
}

export function trustPackWith(overrides: Partial<TrustPack> = {}): TrustPack {
  const entries = [
    { agent: KEY_B.publicKey, weight: 0.25 },
    { agent: KEY_C.publicKey, weight: 1 },
  ].sort((a, b) => Buffer.compare(a.agent, b.agent));
  const unsigned: TrustPack = { kind: 'trust_pack', name: 'editors', entries, createdAtMs: T0, signatures: [] };
  return withOverrides(unsigned, overrides);
}
