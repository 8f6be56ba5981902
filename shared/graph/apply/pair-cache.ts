/**
 * Pair models kept across batches, least recently used evicted first, so a
 * hot (subject, predicate) is read from the store once, not once per batch.
 * Every model mirrors exactly what the store holds after the last committed
 * batch: models change only while a batch applies, and an Ingestor whose
 * batch failed is unusable (its caches may be ahead of the store).
 *
 * A cache that started on an empty store and has never evicted is
 * **complete**: it holds every pair the store holds, and the CHILD edges
 * (parent → children) the log has carried. Then a miss means "not in the
 * store either", and a batch skips the reads (an offline rebuild reads
 * nothing back): it also knows every CHILD edge and which subjects have
 * their SUBJ entry. The first eviction makes it incomplete for good.
 */
import { PAIR_CACHE_CANDIDATES_MAX } from '../limits';
import type { CandidateState, PairModel } from './pair-model';

export class PairCache {
  /** Map order is recency order: a pair used in a new batch is re-inserted at the end. */
  private readonly pairs = new Map<string, PairModel>();
  private readonly byId = new Map<string, CandidateState>();
  private batch = 0;
  private candidates = 0;
  /** While complete: every CHILD edge, parent id hex → child ids in log order. */
  private children: Map<string, Buffer[]> | undefined;
  /** While complete: every subject with its SUBJ entry (each was written by a batch of this cache). */
  private subjects: Set<string> | undefined;

  constructor(
    private readonly candidatesMax = PAIR_CACHE_CANDIDATES_MAX,
    /** True when the store holds no pair yet (an empty store). @default false */
    complete = false,
  ) {
    if (complete) {
      this.children = new Map();
      this.subjects = new Set();
    }
  }

  /** True while every pair of the store is cached (see the module comment). */
  get complete(): boolean {
    return this.children !== undefined;
  }

  /** Starts a batch (recency is tracked per batch). */
  beginBatch(): void {
    this.batch++;
  }

  get(key: string): PairModel | undefined {
    const model = this.pairs.get(key);
    if (model !== undefined && model.cachedInBatch !== this.batch) {
      model.cachedInBatch = this.batch;
      this.pairs.delete(key);
      this.pairs.set(key, model);
    }
    return model;
  }

  /** A loaded pair and its candidates. */
  add(key: string, model: PairModel): void {
    this.pairs.set(key, model);
    model.cachedInBatch = this.batch;
    for (const c of model.candidates.values()) this.byId.set(c.idHex, c);
    this.candidates += model.candidates.size;
  }

  /** A new candidate of a cached pair. */
  addCandidate(c: CandidateState): void {
    this.byId.set(c.idHex, c);
    this.candidates++;
  }

  candidate(idHex: string): CandidateState | undefined {
    return this.byId.get(idHex);
  }

  /** Records a CHILD edge (kept only while complete). */
  addChild(parentHex: string, childId: Buffer): void {
    if (this.children === undefined) return;
    const list = this.children.get(parentHex);
    if (list === undefined) this.children.set(parentHex, [childId]);
    else list.push(childId);
  }

  /** Whether the subject has its SUBJ entry, when complete; undefined when the store must be asked. */
  subjectIndexed(subject: string): boolean | undefined {
    return this.subjects?.has(subject);
  }

  /** A batch wrote the subject's SUBJ entry (kept only while complete). */
  noteSubjectIndexed(subject: string): void {
    this.subjects?.add(subject);
  }

  /** Children of a parent, when complete; undefined when the store must be asked. */
  childrenOf(parentHex: string): readonly Buffer[] | undefined {
    return this.children === undefined ? undefined : (this.children.get(parentHex) ?? []);
  }

  /** Drops least recently used pairs until the cache is within its bound (between batches only). */
  evict(): void {
    if (this.candidates <= this.candidatesMax) return;
    this.children = undefined;
    this.subjects = undefined;
    for (const [key, model] of this.pairs) {
      if (this.candidates <= this.candidatesMax) return;
      this.pairs.delete(key);
      for (const id of model.candidates.keys()) this.byId.delete(id);
      this.candidates -= model.candidates.size;
    }
  }

  get size(): { pairs: number; candidates: number } {
    return { pairs: this.pairs.size, candidates: this.candidates };
  }
}
