/**
 * Pair models kept across batches, least recently used evicted first, so a
 * hot (subject, predicate) is read from the store once, not once per batch.
 * Every model mirrors exactly what the store holds after the last committed
 * batch: models change only while a batch applies, and an Ingestor whose
 * batch failed is unusable (its caches may be ahead of the store).
 */
import type { CandidateState, PairModel } from './pair-model';

/** Candidates (assertions) kept in cached pair models before the least recently used pairs are dropped. */
export const PAIR_CACHE_CANDIDATES_MAX = 200_000;

export class PairCache {
  /** Map order is recency order: a used pair is re-inserted at the end. */
  private readonly pairs = new Map<string, PairModel>();
  private readonly byId = new Map<string, CandidateState>();
  private candidates = 0;

  constructor(private readonly candidatesMax = PAIR_CACHE_CANDIDATES_MAX) {}

  get(key: string): PairModel | undefined {
    const model = this.pairs.get(key);
    if (model !== undefined) {
      this.pairs.delete(key);
      this.pairs.set(key, model);
    }
    return model;
  }

  /** A loaded pair and its candidates. */
  add(key: string, model: PairModel): void {
    this.pairs.set(key, model);
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

  /** Drops least recently used pairs until the cache is within its bound (between batches only). */
  evict(): void {
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
