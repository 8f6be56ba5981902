/**
 * Typed records, built and signed in one step. The ids, canonical bytes and
 * signatures are those of the server (the same module computes them), so a
 * record built here is accepted as is. `cosign` signs a record someone else
 * already appended: send it with only the new signatures (earlier ones need
 * not be resent; the reader merges signers by record id).
 */
import { canonicalObjectBytes } from '../../../shared/domain/canonical';
import { blake3, recordId } from '../../../shared/domain/hash';
import { signRecord, type KeyPair } from '../../../shared/domain/signing';
import type { Assertion, Epoch, GoldStandard, ObjectValue, StemeRecord, TrustEntry, TrustPack, Vote } from '../../../shared/domain/types';
import { validateRecord } from '../../../shared/domain/validate';

export interface AssertionInput {
  readonly subject: string;
  readonly predicate: string;
  readonly object: ObjectValue;
  /** 0..1. @default 1 */
  readonly confidence?: number;
  /** 32-byte evidence hash. @default BLAKE3 of the object's canonical bytes ("the value is its own evidence") */
  readonly sourceHash?: Buffer;
  readonly visualHash?: bigint | null;
  /** Id of the assertion this one supersedes. */
  readonly parentHash?: Buffer | null;
  readonly epoch?: string | null;
  /** @default now */
  readonly assertedAtMs?: number;
}

/** A signed assertion (by every key given, in order). */
export function assertion(input: AssertionInput, keys: readonly KeyPair[]): Assertion {
  return finish<Assertion>(
    {
      kind: 'assertion',
      subject: input.subject,
      predicate: input.predicate,
      object: input.object,
      confidence: input.confidence ?? 1,
      sourceHash: input.sourceHash ?? blake3(canonicalObjectBytes(input.object)),
      visualHash: input.visualHash ?? null,
      parentHash: input.parentHash ?? null,
      epoch: input.epoch ?? null,
      assertedAtMs: input.assertedAtMs ?? Date.now(),
      signatures: [],
    },
    keys,
  );
}

/** A signed vote on assertion `assertionId` by `key` (the voter). */
export function vote(assertionId: Buffer, value: number, key: KeyPair, castAtMs = Date.now()): Vote {
  return finish<Vote>({ kind: 'vote', assertionId, voter: key.publicKey, value, castAtMs, signatures: [] }, [key]);
}

export function epoch(input: { name: string; description?: string; startsAtMs?: number; parent?: string | null }, keys: readonly KeyPair[]): Epoch {
  return finish<Epoch>({ kind: 'epoch', name: input.name, description: input.description ?? '', startsAtMs: input.startsAtMs ?? Date.now(), parent: input.parent ?? null, signatures: [] }, keys);
}

export function goldStandard(input: { subject: string; predicate: string; object: ObjectValue; createdAtMs?: number }, keys: readonly KeyPair[]): GoldStandard {
  return finish<GoldStandard>({ kind: 'gold_standard', subject: input.subject, predicate: input.predicate, object: input.object, createdAtMs: input.createdAtMs ?? Date.now(), signatures: [] }, keys);
}

export function trustPack(input: { name: string; entries: readonly TrustEntry[]; createdAtMs?: number }, keys: readonly KeyPair[]): TrustPack {
  const entries = [...input.entries].sort((a, b) => Buffer.compare(a.agent, b.agent));
  return finish<TrustPack>({ kind: 'trust_pack', name: input.name, entries, createdAtMs: input.createdAtMs ?? Date.now(), signatures: [] }, keys);
}

/** `record` (as stored, any signatures) signed anew by `keys` only: what a co-signer appends. Its id is unchanged. */
export function cosign<R extends StemeRecord>(record: R, keys: readonly KeyPair[]): R {
  return finish<R>({ ...record, signatures: [] }, keys);
}

/** The record's id (hex helpers: `.toString('hex')`). */
export const idOf = (record: StemeRecord): Buffer => recordId(record);

function finish<R extends StemeRecord>(unsigned: R, keys: readonly KeyPair[]): R {
  validateRecord(unsigned, 'record', { allowUnsigned: true });
  const signed = signRecord(unsigned, keys);
  validateRecord(signed);
  return signed;
}
