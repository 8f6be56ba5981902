/**
 * The query engine's view of this reader (shared/query/source.ts): pair
 * resolutions at one served offset from the Resolver, index lookups from
 * the query indexes, all bounded by that offset.
 */
import type { ObjectValue } from '../../shared/domain/types';
import type { GraphReader } from '../../shared/graph/graph-reader';
import type { IndexReader } from '../../shared/graph/index-reader';
import type { Resolution } from '../../shared/lens/types';
import type { PairFilter, PairRef, QuerySource } from '../../shared/query/source';
import type { PairsAt } from './resolver';

export class ReaderQuerySource implements QuerySource {
  constructor(
    private readonly graph: GraphReader,
    private readonly index: IndexReader,
    private readonly pairsAt: PairsAt,
  ) {}

  resolve(subject: string, predicate: string): Promise<Resolution> {
    return this.pairsAt.resolve(subject, predicate);
  }

  predicatesOf(subject: string): Promise<readonly string[]> {
    return this.graph.predicatesOf(subject, { asOfOffset: this.pairsAt.at });
  }

  pairs(filter: PairFilter): AsyncIterable<PairRef> {
    const at = this.pairsAt.at;
    const { predicate, object } = filter;
    if (predicate !== undefined && object !== undefined) return this.claimants(predicate, object);
    if (object !== undefined) return object.kind === 'entity' ? this.index.referrers(object.value, at) : this.claimsOfAnyPredicate(object);
    if (predicate !== undefined) return this.subjectsOf(predicate);
    return this.index.pairs(at);
  }

  private async *claimants(predicate: string, object: ObjectValue): AsyncGenerator<PairRef> {
    for await (const subject of this.index.claimants(predicate, object, this.pairsAt.at)) yield { subject, predicate };
  }

  private async *subjectsOf(predicate: string): AsyncGenerator<PairRef> {
    for await (const subject of this.index.subjectsOf(predicate, this.pairsAt.at)) yield { subject, predicate };
  }

  /** A literal object with no predicate: the claimants of it under each predicate in use (one PO scan per predicate). */
  private async *claimsOfAnyPredicate(object: ObjectValue): AsyncGenerator<PairRef> {
    for await (const predicate of this.index.predicates(this.pairsAt.at)) yield* this.claimants(predicate, object);
  }
}
