/**
 * The query indexes (docs/STORAGE.md "Query indexes"), read as of any offset:
 * who claims a value (PO), who refers to an entity (REF), the subjects of a
 * predicate and every pair (PS), every subject (SUBJ), what an agent signed
 * (SIGNER). Each entry carries the offset it arrived at, so a read with
 * `asOfOffset` sees exactly the entries of records at offsets below it.
 *
 * These indexes know claims, not resolutions: a subject listed as claiming a
 * value may resolve to another. The query engine resolves what they name.
 */
import type { ObjectValue } from '../domain/types';
import { prefixUpperBound } from '../storage/key-range';
import { keys, parseKey, prefixes, type StoreKey } from '../storage/keys';
import type { KVStore } from '../storage/kv-store';
import { GraphInputError } from './errors';
import { checkAsOf, tokenKey } from './graph-reader';
import { NAME_PAGE_SIZE_MAX, PAGE_SIZE_DEFAULT } from './limits';
import { objectIndexForm } from './object-index';
import { decodeU64 } from './scalars';
import type { Page } from './views';

/** A (subject, predicate) pair an index names. */
export interface IndexedPair {
  readonly subject: string;
  readonly predicate: string;
}

/** One assertion an agent signed, and when. */
export interface SignedEntry {
  readonly assertionId: Buffer;
  /** Offset of the record that carried the agent's signature (the assertion or a co-signature). */
  readonly offset: number;
}

export interface NamePageRequest {
  /** 1..NAME_PAGE_SIZE_MAX. @default PAGE_SIZE_DEFAULT */
  readonly pageSize?: number;
  /** The previous page's `nextPageToken`. @default '' */
  readonly pageToken?: string;
  readonly asOfOffset?: number;
}

const visible = (offset: number, asOf: number | undefined): boolean => asOf === undefined || offset < asOf;

export class IndexReader {
  constructor(private readonly store: KVStore) {}

  /** Subjects with a claim of `object` for `predicate`, each once, in subject order. */
  async *claimants(predicate: string, object: ObjectValue, asOfOffset?: number): AsyncGenerator<string> {
    const asOf = checkAsOf(asOfOffset);
    let last: string | undefined;
    for await (const [key] of this.store.scanPrefix(prefixes.predicateObjects(predicate, objectIndexForm(object)))) {
      const k = parseKey(key) as Extract<StoreKey, { kind: 'predicateObject' }>;
      if (k.subject === last || !visible(k.offset, asOf)) continue;
      last = k.subject;
      yield k.subject;
    }
  }

  /** Pairs with a claim of the entity `entity` (reverse edges), each once, by predicate then subject. */
  async *referrers(entity: string, asOfOffset?: number): AsyncGenerator<IndexedPair> {
    const asOf = checkAsOf(asOfOffset);
    let last = '';
    for await (const [key] of this.store.scanPrefix(prefixes.entityReferences(entity))) {
      const k = parseKey(key) as Extract<StoreKey, { kind: 'entityReference' }>;
      const id = `${k.predicate}\0${k.subject}`;
      if (id === last || !visible(k.offset, asOf)) continue;
      last = id;
      yield { subject: k.subject, predicate: k.predicate };
    }
  }

  /** Subjects with an assertion of `predicate`, in subject order. */
  async *subjectsOf(predicate: string, asOfOffset?: number): AsyncGenerator<string> {
    const asOf = checkAsOf(asOfOffset);
    for await (const [key, value] of this.store.scanPrefix(prefixes.predicateSubjects(predicate))) {
      if (visible(decodeU64(value, 'PS'), asOf)) yield (parseKey(key) as Extract<StoreKey, { kind: 'predicateSubject' }>).subject;
    }
  }

  /** Every pair, by predicate then subject. */
  async *pairs(asOfOffset?: number): AsyncGenerator<IndexedPair> {
    const asOf = checkAsOf(asOfOffset);
    for await (const [key, value] of this.store.scanPrefix(prefixes.predicateSubjects())) {
      if (!visible(decodeU64(value, 'PS'), asOf)) continue;
      const k = parseKey(key) as Extract<StoreKey, { kind: 'predicateSubject' }>;
      yield { subject: k.subject, predicate: k.predicate };
    }
  }

  /** Every predicate in use, in predicate order (one seek per predicate, and per subject of one that is younger than asOf). */
  async *predicates(asOfOffset?: number): AsyncGenerator<string> {
    const asOf = checkAsOf(asOfOffset);
    const all = prefixes.predicateSubjects();
    let from: Buffer | undefined;
    for (;;) {
      let first: Buffer | undefined;
      for await (const [key] of this.store.scanPrefix(all, from === undefined ? { limit: 1 } : { gte: from, limit: 1 })) first = key;
      if (first === undefined) return;
      const { predicate } = parseKey(first) as Extract<StoreKey, { kind: 'predicateSubject' }>;
      if (asOf === undefined) yield predicate;
      else {
        for await (const _subject of this.subjectsOf(predicate, asOf)) {
          yield predicate;
          break;
        }
      }
      from = prefixUpperBound(prefixes.predicateSubjects(predicate));
      if (from === undefined) return;
    }
  }

  /** Subjects whose name starts with `namePrefix`, in subject order, one page at a time. */
  async listSubjects(namePrefix: string, request: NamePageRequest = {}): Promise<Page<string>> {
    const asOf = checkAsOf(request.asOfOffset);
    const prefix = prefixes.subjectNames(namePrefix);
    const page = await this.page(prefix, 'subjectName', request, (value) => visible(decodeU64(value, 'SUBJ'), asOf));
    return { items: page.items.map((key) => (parseKey(key) as Extract<StoreKey, { kind: 'subjectName' }>).subject), nextPageToken: page.nextPageToken };
  }

  /** Assertions `agent` signed, in log order of the signature, one page at a time. */
  async bySigner(agent: Buffer, request: NamePageRequest = {}): Promise<Page<SignedEntry>> {
    const asOf = checkAsOf(request.asOfOffset);
    const prefix = prefixes.signerAssertions(agent);
    const upper = asOf === undefined ? undefined : keys.signerAssertion(agent, asOf, Buffer.alloc(32));
    const page = await this.page(prefix, 'signerAssertion', request, () => true, upper);
    return {
      items: page.items.map((key) => {
        const k = parseKey(key) as Extract<StoreKey, { kind: 'signerAssertion' }>;
        return { assertionId: k.assertionId, offset: k.offset };
      }),
      nextPageToken: page.nextPageToken,
    };
  }

  private async page(prefix: Buffer, kind: StoreKey['kind'], request: NamePageRequest, keep: (value: Buffer) => boolean, lt?: Buffer): Promise<{ items: Buffer[]; nextPageToken: string }> {
    const pageSize = request.pageSize ?? PAGE_SIZE_DEFAULT;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > NAME_PAGE_SIZE_MAX) throw new GraphInputError('page_size', `must be 1..${NAME_PAGE_SIZE_MAX}, got ${pageSize}`);
    const after = request.pageToken === undefined || request.pageToken === '' ? undefined : tokenKey(request.pageToken, prefix, kind);
    const items: Buffer[] = [];
    let more = false;
    for await (const [key, value] of this.store.scanPrefix(prefix, { ...(after === undefined ? {} : { gt: after }), ...(lt === undefined ? {} : { lt }) })) {
      if (!keep(value)) continue;
      if (items.length === pageSize) {
        more = true;
        break;
      }
      items.push(key);
    }
    return { items, nextPageToken: more ? items[items.length - 1]!.toString('hex') : '' };
  }
}
