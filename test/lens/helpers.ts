/**
 * Builders for lens candidates: readable ones for worked examples (agents and
 * sources named by label) and fast-check arbitraries for properties. No real
 * signatures: lenses take signers as given.
 */
import { createHash } from 'crypto';
import fc from 'fast-check';
import type { Assertion, ObjectValue } from '../../shared/domain/types';
import type { Candidate, CandidateVote } from '../../shared/lens/types';
import { rng } from '../helpers/random';

export const SUBJECT = 'acme';
export const PREDICATE = 'ceo';
export const T0_MS = Date.UTC(2024, 0, 1);

/** A stable 32-byte value for a label: agent keys, source hashes, ids. */
export function key(label: string): Buffer {
  return createHash('sha256').update(label).digest();
}

export function hex(label: string): string {
  return key(label).toString('hex');
}

export const text = (value: string): ObjectValue => ({ kind: 'text', value });

export interface VoteSpec {
  readonly voter: string;
  readonly value: number;
  readonly offset?: number;
  readonly castAtMs?: number;
}

export interface CandidateSpec {
  /** Label of the id; defaults to a label built from the other fields. */
  readonly id?: string;
  readonly object: ObjectValue;
  readonly confidence?: number;
  /** Agent labels. */
  readonly signers: readonly string[];
  /** Source label. */
  readonly source?: string;
  readonly offset?: number;
  readonly assertedAtMs?: number;
  readonly votes?: readonly VoteSpec[];
  readonly superseded?: boolean;
  readonly supersededAtOffset?: number;
  readonly epoch?: string | null;
}

let autoId = 0;

/** A candidate of SUBJECT/PREDICATE from a readable spec. */
export function cand(spec: CandidateSpec): Candidate {
  const signers = spec.signers.map(key);
  const assertion: Assertion = {
    kind: 'assertion',
    subject: SUBJECT,
    predicate: PREDICATE,
    object: spec.object,
    confidence: spec.confidence ?? 1,
    sourceHash: key(`source:${spec.source ?? 'default'}`),
    visualHash: null,
    parentHash: null,
    epoch: spec.epoch ?? null,
    assertedAtMs: spec.assertedAtMs ?? T0_MS,
    signatures: signers.map((publicKey) => ({ publicKey, signature: Buffer.alloc(64) })),
  };
  const votes: CandidateVote[] = (spec.votes ?? []).map((v, i) => ({
    voter: key(v.voter),
    value: v.value,
    castAtMs: v.castAtMs ?? T0_MS + i,
    offset: v.offset ?? 1_000_000 + i,
  }));
  return {
    id: key(`id:${spec.id ?? `auto-${autoId++}`}`),
    assertion,
    signers,
    offset: spec.offset ?? 0,
    votes,
    superseded: spec.superseded ?? false,
    ...(spec.supersededAtOffset === undefined ? {} : { supersededAtOffset: spec.supersededAtOffset }),
  };
}

// ---- fast-check ----------------------------------------------------------

/** A few values, so random candidates conflict; includes -0 and +0 (one value). */
export const VALUE_POOL: readonly ObjectValue[] = [
  text('Alice'),
  text('Bob'),
  { kind: 'number', value: 0 },
  { kind: 'number', value: -0 },
  { kind: 'integer', value: 7n },
  { kind: 'boolean', value: true },
];

export const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((u) => Buffer.from(u));

/** Confidences with many exact ties plus arbitrary doubles in [0, 1]. */
export const confidenceArb = fc.oneof(
  fc.constantFrom(0, 0.25, 0.5, 0.8, 1),
  fc.double({ min: 0, max: 1, noNaN: true, noDefaultInfinity: true }),
);

const voteValueArb = fc.oneof(fc.constantFrom(-1, -0.5, 0, 0.5, 1), fc.double({ min: -1, max: 1, noNaN: true }));

export interface World {
  readonly agents: readonly Buffer[];
  readonly sources: readonly Buffer[];
  readonly candidates: readonly Candidate[];
}

export interface WorldOptions {
  readonly candidatesMax?: number;
  readonly withSuperseded?: boolean;
  readonly withEpochs?: boolean;
  /** Some signers of some candidates withdraw (at random offsets, through random child ids). */
  readonly withWithdrawals?: boolean;
}

/**
 * Agents and sources from small pools (so signers and sources repeat), values
 * from VALUE_POOL, distinct random ids, offsets that may collide, and votes.
 */
export function worldArb(opts: WorldOptions = {}): fc.Arbitrary<World> {
  const pools = fc.record({
    agents: fc.uniqueArray(bytes32, { minLength: 1, maxLength: 6, selector: (b) => b.toString('hex') }),
    sources: fc.uniqueArray(bytes32, { minLength: 1, maxLength: 4, selector: (b) => b.toString('hex') }),
  });
  return pools.chain(({ agents, sources }) => {
    const agentIdx = fc.nat({ max: agents.length - 1 });
    const vote = fc.record({
      voter: agentIdx,
      value: voteValueArb,
      castAtMs: fc.integer({ min: T0_MS, max: T0_MS + 1000 }),
      offset: fc.nat({ max: 5000 }),
    });
    const spec = fc.record({
      id: bytes32,
      value: fc.nat({ max: VALUE_POOL.length - 1 }),
      confidence: confidenceArb,
      signers: fc.uniqueArray(agentIdx, { minLength: 1, maxLength: 3 }),
      source: fc.nat({ max: sources.length - 1 }),
      offset: fc.nat({ max: 5000 }),
      assertedAtMs: fc.integer({ min: T0_MS, max: T0_MS + 20 }),
      votes: fc.array(vote, { maxLength: 4 }),
      superseded: opts.withSuperseded ? fc.boolean() : fc.constant(false),
      supersededAtOffset: fc.option(fc.nat({ max: 5000 }), { nil: undefined }),
      epoch: opts.withEpochs ? fc.constantFrom(null, 'e1', 'e2') : fc.constant(null),
      withdrawn: opts.withWithdrawals
        ? fc.array(fc.record({ signer: fc.nat({ max: 2 }), offset: fc.nat({ max: 5000 }), childId: bytes32 }), { maxLength: 3 })
        : fc.constant<{ signer: number; offset: number; childId: Buffer }[]>([]),
    });
    const specs = fc.uniqueArray(spec, {
      minLength: 0,
      maxLength: opts.candidatesMax ?? 12,
      selector: (s) => s.id.toString('hex'),
    });
    return specs.map((ss) => ({
      agents,
      sources,
      candidates: ss.map((s): Candidate => {
        const signers = s.signers.map((i) => agents[i]);
        return {
          id: s.id,
          assertion: {
            kind: 'assertion',
            subject: SUBJECT,
            predicate: PREDICATE,
            object: VALUE_POOL[s.value],
            confidence: s.confidence,
            sourceHash: sources[s.source],
            visualHash: null,
            parentHash: null,
            epoch: s.epoch,
            assertedAtMs: s.assertedAtMs,
            signatures: signers.map((publicKey) => ({ publicKey, signature: Buffer.alloc(64) })),
          },
          signers,
          offset: s.offset,
          votes: s.votes.map((v) => ({ voter: agents[v.voter], value: v.value, castAtMs: v.castAtMs, offset: v.offset })),
          superseded: s.superseded,
          ...(s.superseded && s.supersededAtOffset !== undefined ? { supersededAtOffset: s.supersededAtOffset } : {}),
          ...(s.withdrawn.length === 0
            ? {}
            : { withdrawals: s.withdrawn.map((w) => ({ agent: signers[w.signer % signers.length], childId: w.childId, offset: w.offset })) }),
        };
      }),
    }));
  });
}

/** Any object value, every kind, with -0, extreme integers and empty bytes. */
export const objectArb: fc.Arbitrary<ObjectValue> = fc.oneof(
  fc.string({ maxLength: 8 }).map((value) => ({ kind: 'text' as const, value })),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => ({ kind: 'number' as const, value })),
  fc.constantFrom(0, -0, 1).map((value) => ({ kind: 'number' as const, value })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value) => ({ kind: 'integer' as const, value })),
  fc.boolean().map((value) => ({ kind: 'boolean' as const, value })),
  fc.string({ minLength: 1, maxLength: 8 }).map((value) => ({ kind: 'entity' as const, value })),
  fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }).map((value) => ({ kind: 'timestamp' as const, value })),
  fc.uint8Array({ maxLength: 6 }).map((u) => ({ kind: 'bytes' as const, value: Buffer.from(u) })),
);

/** Shuffle candidates, and each candidate's signers and votes, by a permutation seed. */
export function shuffleAll(candidates: readonly Candidate[], seed: number): Candidate[] {
  const random = rng(seed);
  return shuffle(candidates, random).map((c) => ({
    ...c,
    signers: shuffle(c.signers, random),
    votes: shuffle(c.votes, random),
    ...(c.withdrawals === undefined ? {} : { withdrawals: shuffle(c.withdrawals, random) }),
  }));
}

function shuffle<T>(xs: readonly T[], random: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
