/**
 * What the query engine asks of the graph, all at one served offset and under
 * one lens (the caller fixes both): resolutions of pairs, and index lookups
 * that name candidate pairs. An index may name more pairs than match (it
 * knows claims, not resolutions); the engine resolves each and keeps only
 * those whose *resolved* value matches.
 */
import type { ObjectValue } from '../domain/types';
import type { Resolution } from '../lens/types';

/** A (subject, predicate) named by an index. */
export interface PairRef {
  readonly subject: string;
  readonly predicate: string;
}

/** Narrows `pairs`: each given field must match a live claim of the pair. */
export interface PairFilter {
  readonly predicate?: string;
  /** Some live candidate of the pair claims this value. */
  readonly object?: ObjectValue;
}

export interface QuerySource {
  /** The pair's resolution under the query's lens. */
  resolve(subject: string, predicate: string): Promise<Resolution>;
  /** The subject's predicates, in predicate order. */
  predicatesOf(subject: string): Promise<readonly string[]>;
  /**
   * Every pair with a live claim matching `filter` (every pair when it is
   * empty), each once, in a stable order.
   */
  pairs(filter: PairFilter): AsyncIterable<PairRef>;
}
