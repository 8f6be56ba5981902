/**
 * One (subject, predicate) as the batch sees it: every assertion with its
 * signers and votes, the pair's gold standards, and whether its resolution is
 * contested. Loaded from the store when a batch first touches the pair and
 * updated by every record after, so the lens (per record, for escalations) and
 * the trust rule never re-read the store.
 */
import type { Assertion, GoldStandard } from '../../domain/types';
import { candidateOf } from '../views';
import type { StoredRecord } from '../stored-record';
import type { VoteAt } from '../vote-history';
import type { Candidate } from '../../lens/types';

/** Every vote of one agent on one assertion, in log order (mutable copy of a V value). */
export interface VoterState {
  readonly voter: Buffer;
  votes: VoteAt[];
}

const NO_VOTERS: ReadonlyMap<string, VoterState> = new Map();

export class CandidateState {
  private cached: Candidate | undefined;
  /**
   * voter hex → its votes; made with the first voter. Most cached candidates
   * have none, and an empty Map with its table is the largest object a cached
   * candidate would keep (docs/STORAGE.md, "Batches and exactly once").
   */
  private voterMap: Map<string, VoterState> | undefined;

  constructor(
    readonly id: Buffer,
    readonly idHex: string,
    public stored: StoredRecord<Assertion>,
    readonly pair: PairModel,
  ) {}

  /** voter hex → its votes (read only: `setVoter` changes it). */
  get voters(): ReadonlyMap<string, VoterState> {
    return this.voterMap ?? NO_VOTERS;
  }

  setVoter(voterHex: string, state: VoterState): void {
    (this.voterMap ??= new Map()).set(voterHex, state);
  }

  /** The lens candidate now. */
  candidate(): Candidate {
    this.cached ??= candidateOf(this.id, this.stored, this.voters.values());
    return this.cached;
  }

  /** Call after any change to `stored` or `voters`. */
  changed(): void {
    this.cached = undefined;
    this.pair.changed();
  }
}

export interface GoldState {
  readonly id: Buffer;
  readonly stored: StoredRecord<GoldStandard>;
}

export class PairModel {
  /** By id hex, in log order (first offset). */
  readonly candidates = new Map<string, CandidateState>();
  /** In log order (offset, then id). */
  readonly golds: GoldState[] = [];
  private list: Candidate[] | undefined;
  /**
   * The PairCache's: the batch its recency order was last updated for (one
   * re-insertion per pair per batch). A field, not a WeakMap entry: a WeakMap
   * over every cached pair costs the garbage collector on every cycle.
   */
  cachedInBatch = 0;

  constructor(
    readonly subject: string,
    readonly predicate: string,
    /** Whether the pair's resolution is contested: the stored MV's flag, then each new resolution's. */
    public contested: boolean,
  ) {}

  add(c: CandidateState): void {
    this.candidates.set(c.idHex, c);
    this.changed();
  }

  changed(): void {
    this.list = undefined;
  }

  /** The lens candidates now, in log order. */
  lensCandidates(): Candidate[] {
    if (this.list === undefined) {
      const list: Candidate[] = new Array<Candidate>(this.candidates.size);
      let i = 0;
      for (const c of this.candidates.values()) list[i++] = c.candidate();
      this.list = list;
    }
    return this.list;
  }
}

/** Map key of a pair (a subject never holds NUL). */
export function pairKey(subject: string, predicate: string): string {
  return `${subject}\u0000${predicate}`;
}
