/**
 * An in-memory QuerySource over a list of claims, resolved with the real
 * lenses: what the engine is tested against, and what the naive evaluation
 * reads directly.
 */
import { createHash } from 'node:crypto';
import type { ObjectValue } from '../../shared/domain/types';
import { resolve } from '../../shared/lens/index';
import { objectsEqual } from '../../shared/lens/object-value';
import type { Candidate, LensName, Resolution } from '../../shared/lens/types';
import type { PairFilter, PairRef, QuerySource } from '../../shared/query/source';

export interface Claim {
  readonly subject: string;
  readonly predicate: string;
  readonly object: ObjectValue;
  readonly signer: string;
  readonly confidence: number;
  readonly source: string;
}

const key = (label: string): Buffer => createHash('sha256').update(label).digest();

export class MemorySource implements QuerySource {
  readonly byPair = new Map<string, Candidate[]>();
  resolveCalls = 0;

  constructor(
    claims: readonly Claim[],
    readonly lens: LensName,
  ) {
    claims.forEach((c, i) => {
      const pk = key(`agent:${c.signer}`);
      const candidate: Candidate = {
        id: key(`claim:${i}`),
        assertion: {
          kind: 'assertion',
          subject: c.subject,
          predicate: c.predicate,
          object: c.object,
          confidence: c.confidence,
          sourceHash: key(`source:${c.source}`),
          visualHash: null,
          parentHash: null,
          epoch: null,
          assertedAtMs: Date.UTC(2024, 0, 1) + i,
          signatures: [{ publicKey: pk, signature: Buffer.alloc(64) }],
        },
        signers: [pk],
        offset: i * 100,
        votes: [],
        superseded: false,
      };
      const k = `${c.subject}\0${c.predicate}`;
      this.byPair.set(k, [...(this.byPair.get(k) ?? []), candidate]);
    });
  }

  /** Every pair, sorted by subject then predicate. */
  allPairs(): PairRef[] {
    return [...this.byPair.keys()]
      .map((k) => {
        const [subject, predicate] = k.split('\0') as [string, string];
        return { subject, predicate };
      })
      .sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : a.predicate < b.predicate ? -1 : a.predicate > b.predicate ? 1 : 0));
  }

  resolveNow(subject: string, predicate: string): Resolution {
    return resolve(this.lens, subject, predicate, this.byPair.get(`${subject}\0${predicate}`) ?? [], { explain: false });
  }

  async resolve(subject: string, predicate: string): Promise<Resolution> {
    this.resolveCalls++;
    return this.resolveNow(subject, predicate);
  }

  async predicatesOf(subject: string): Promise<readonly string[]> {
    return this.allPairs()
      .filter((p) => p.subject === subject)
      .map((p) => p.predicate);
  }

  async *pairs(filter: PairFilter): AsyncIterable<PairRef> {
    for (const p of this.allPairs()) {
      if (filter.predicate !== undefined && p.predicate !== filter.predicate) continue;
      const o = filter.object;
      if (o !== undefined && !this.byPair.get(`${p.subject}\0${p.predicate}`)!.some((c) => objectsEqual(c.assertion.object, o))) continue;
      yield p;
    }
  }
}
