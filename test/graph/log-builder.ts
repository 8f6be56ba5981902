/**
 * Test logs: signed records of every kind, laid out as log records with real
 * offsets (as the WAL assigns them), a memory WalSource over them, and a
 * seeded random log of mixed records (assertions, co-signatures,
 * re-deliveries, votes incl. re-votes and early votes, supersessions both
 * ways round, gold standards, trust packs, epochs).
 */
import { blake3, recordId } from '../../shared/domain/hash';
import { encodeLogPayload } from '../../shared/domain/log-payload';
import { keyPairFromSeed, signRecord, type KeyPair } from '../../shared/domain/signing';
import type { Assertion, Epoch, GoldStandard, ObjectValue, StemeRecord, TrustPack, Vote } from '../../shared/domain/types';
import { Wal } from '../../shared/wal';
import { RECORD_HEADER_BYTES } from '../../shared/wal/limits';
import type { SourceRecord, WalSource } from '../../services/ingest/wal-source';
import { rng } from '../helpers/random';

export const T0 = 1_700_000_000_000;

const keyCache = new Map<number, KeyPair>();
/** Deterministic agent key `i` (seed = 32 × (i + 1)). */
export function agent(i: number): KeyPair {
  let kp = keyCache.get(i);
  if (kp === undefined) {
    kp = keyPairFromSeed(Buffer.alloc(32, (i % 250) + 1));
    keyCache.set(i, kp);
  }
  return kp;
}
export const ADMIN = agent(200);

export const text = (value: string): ObjectValue => ({ kind: 'text', value });

export interface AssertionSpec {
  readonly subject: string;
  readonly predicate: string;
  readonly object: ObjectValue;
  readonly confidence?: number;
  readonly source?: number;
  readonly parent?: Buffer | null;
  readonly epoch?: string | null;
  readonly at?: number;
}

/** An unsigned assertion (sign with `signed`). */
export function claim(spec: AssertionSpec): Assertion {
  return {
    kind: 'assertion',
    subject: spec.subject,
    predicate: spec.predicate,
    object: spec.object,
    confidence: spec.confidence ?? 0.8,
    sourceHash: Buffer.alloc(32, spec.source ?? 1),
    visualHash: null,
    parentHash: spec.parent ?? null,
    epoch: spec.epoch ?? null,
    assertedAtMs: spec.at ?? T0,
    signatures: [],
  };
}

/** The record signed by exactly `signers` (whatever signatures it had). */
export function signed<R extends StemeRecord>(record: R, signers: readonly KeyPair[]): R {
  return signRecord({ ...record, signatures: [] }, signers);
}

export function vote(assertionId: Buffer, voter: KeyPair, value: number, castAtMs = T0): Vote {
  return signed<Vote>({ kind: 'vote', assertionId, voter: voter.publicKey, value, castAtMs, signatures: [] }, [voter]);
}

export function gold(subject: string, predicate: string, object: ObjectValue, createdAtMs = T0): GoldStandard {
  return signed<GoldStandard>({ kind: 'gold_standard', subject, predicate, object, createdAtMs, signatures: [] }, [ADMIN]);
}

export function epoch(name: string, by: KeyPair = ADMIN): Epoch {
  return signed<Epoch>({ kind: 'epoch', name, description: `epoch ${name}`, startsAtMs: T0, parent: null, signatures: [] }, [by]);
}

export function trustPack(name: string, weights: readonly [KeyPair, number][]): TrustPack {
  const entries = weights.map(([kp, weight]) => ({ agent: kp.publicKey, weight })).sort((a, b) => Buffer.compare(a.agent, b.agent));
  return signed<TrustPack>({ kind: 'trust_pack', name, entries, createdAtMs: T0, signatures: [] }, [ADMIN]);
}

export const idOf = (r: StemeRecord): Buffer => recordId(r);

/** The log payload of a record (appended at T0 + i). */
export function payloadOf(record: StemeRecord, i = 0): Buffer {
  return encodeLogPayload({ record, appendedAtMs: T0 + i, traceparent: '' });
}

/** Payloads laid out as consecutive log records from offset 0. */
export function sourceRecords(payloads: readonly Buffer[]): SourceRecord[] {
  let offset = 0;
  return payloads.map((payload) => {
    const r = { offset, payload, hash: blake3(payload), nextOffset: offset + RECORD_HEADER_BYTES + payload.length };
    offset = r.nextOffset;
    return r;
  });
}

export function logOf(records: readonly StemeRecord[]): SourceRecord[] {
  return sourceRecords(records.map((r, i) => payloadOf(r, i)));
}

/** A WalSource over records in memory: delivers from any record boundary, then waits for the abort. */
export class MemorySource implements WalSource {
  constructor(private readonly log: readonly SourceRecord[]) {}

  async *records(fromOffset: number, signal: AbortSignal): AsyncGenerator<SourceRecord> {
    const start = this.log.findIndex((r) => r.offset === fromOffset);
    if (start < 0 && fromOffset !== this.headOffset()) throw new Error(`no record at ${fromOffset}`);
    if (start >= 0) for (const r of this.log.slice(start)) yield r;
    if (signal.aborted) return;
    await new Promise<void>((res) => signal.addEventListener('abort', () => res(), { once: true }));
  }

  headOffset(): number {
    return this.log.length === 0 ? 0 : this.log[this.log.length - 1]!.nextOffset;
  }

  async head(): Promise<number> {
    return this.headOffset();
  }

  describe(): string {
    return 'memory';
  }

  async close(): Promise<void> {}
}

/** Writes payloads to a WAL directory (durability 'none': a test log). */
export async function writeWal(dir: string, payloads: readonly Buffer[]): Promise<number> {
  const wal = await Wal.open({ dir, durability: 'none' });
  try {
    const CHUNK = 256;
    for (let i = 0; i < payloads.length; i += CHUNK) await wal.appendBatch(payloads.slice(i, i + CHUNK));
    return wal.headOffset;
  } finally {
    await wal.close();
  }
}

export interface RandomLogOptions {
  readonly records: number;
  /** @default 5 */
  readonly agents?: number;
  /** @default ['s1', 's2'] */
  readonly subjects?: readonly string[];
  /** @default ['p1', 'p2'] */
  readonly predicates?: readonly string[];
}

const OBJECTS: readonly ObjectValue[] = [text('a'), text('b'), text('c'), { kind: 'number', value: 1 }, { kind: 'integer', value: 1n }];
const CONFIDENCES = [0, 0.3, 0.5, 0.8, 1];
const VOTE_VALUES = [-1, -0.5, 0, 0.25, 1];

/** A reproducible mixed log of about `records` records. */
export function randomLog(seed: number, options: RandomLogOptions): StemeRecord[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const agents = Array.from({ length: options.agents ?? 5 }, (_, i) => agent(i));
  const subjects = options.subjects ?? ['s1', 's2'];
  const predicates = options.predicates ?? ['p1', 'p2'];
  const out: StemeRecord[] = [];
  const emitted: Assertion[] = []; // as first emitted (signed)
  const deferred: Assertion[] = []; // signed, not emitted yet (a parent or vote target that comes later)
  const newClaim = (parent: Assertion | null): Assertion => {
    const signers = r() < 0.25 ? [pick(agents), pick(agents)] : [pick(agents)];
    const parentSigner = parent === null ? undefined : agents.find((a) => a.publicKey.equals(parent.signatures[0]!.publicKey));
    if (parentSigner !== undefined && r() < 0.6) signers.push(parentSigner);
    const uniq = [...new Map(signers.map((s) => [s.publicKey.toString('hex'), s])).values()];
    const body = claim({
      subject: pick(subjects),
      predicate: pick(predicates),
      object: pick(OBJECTS),
      confidence: pick(CONFIDENCES),
      source: 1 + Math.floor(r() * 4),
      parent: parent === null ? null : idOf(parent),
      epoch: r() < 0.1 ? 'e1' : null,
      at: T0 + Math.floor(r() * 1000),
    });
    return signed(body, uniq);
  };
  while (out.length < options.records) {
    const x = r();
    const known = emitted.length > 0 ? pick(emitted) : undefined;
    if (x < 0.3 || known === undefined) {
      const parentChoice = r();
      let parent: Assertion | null = null;
      if (parentChoice < 0.15 && known !== undefined) parent = known;
      else if (parentChoice < 0.25) {
        parent = newClaim(null);
        deferred.push(parent); // the child comes first
      }
      const a = newClaim(parent);
      out.push(a);
      emitted.push(a);
    } else if (x < 0.38 && deferred.length > 0) {
      const a = deferred.shift()!;
      out.push(a);
      emitted.push(a);
    } else if (x < 0.48) {
      out.push(signed(known, [pick(agents)])); // co-signature (or a re-delivery when the agent signed already)
    } else if (x < 0.5) {
      out.push(known); // exact re-delivery
    } else if (x < 0.85) {
      const target = r() < 0.1 && deferred.length > 0 ? pick(deferred) : known; // early votes
      out.push(vote(idOf(target), pick(agents), pick(VOTE_VALUES), T0 + Math.floor(r() * 50)));
    } else if (x < 0.93) {
      out.push(gold(pick(subjects), pick(predicates), pick(OBJECTS), T0 + out.length));
    } else if (x < 0.96) {
      out.push(epoch(r() < 0.5 ? 'e1' : 'e2', pick(agents)));
    } else {
      out.push(trustPack(`pack${Math.floor(r() * 2)}`, [[pick(agents), pick([0.1, 0.9])]]));
    }
  }
  return out;
}
