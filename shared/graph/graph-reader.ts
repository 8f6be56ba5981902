/**
 * The read side of the graph model: everything the reader service asks the
 * store, as domain values. Each read takes an optional `asOfOffset` where
 * history allows it, and then answers exactly as a store built from the
 * records at offsets < asOfOffset would (test/graph/time-travel.test.ts).
 *
 * Reads go through the KVStore interface only; RocksDB-hosted values (H, VC,
 * PV) are fetched with getMany and parallel scans, never one awaited get per
 * candidate. A pair's candidates (candidatesFor, historyOf) take their votes
 * from PV, one RocksDB prefix scan for the whole pair run beside the H
 * getMany once the LMDB SP scan has named the candidates; one assertion's
 * votes are the same scan narrowed to its id.
 */
import type { Assertion, GoldStandard, TrustPack } from '../domain/types';
import { decodeEscalation } from './escalation-codec';
import { decodeStoredResolution } from './stored-resolution';
import type { Candidate, Resolution } from '../lens/types';
import { prefixUpperBound } from '../storage/key-range';
import { keys, parseKey, prefixes, tailComponent, type StoreKey } from '../storage/keys';
import type { KVStore, ScanOptions } from '../storage/kv-store';
import { agentHistory, revokedAgents } from './agent-reads';
import { GraphInputError, GraphValueError } from './errors';
import { DecodedRecordCache } from './decoded-cache';
import { DECODED_RECORDS_CACHED_MAX, HISTORY_CHUNK_ASSERTIONS, PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from './limits';
import { GRAPH_META, MATERIALIZED_LENS } from './meta';
import { goldReliability } from '../lens/trust-weight';
import { decodeU64 } from './scalars';
import type { TrustEvidence } from './trust-evidence';
import { readNewestLearnedPack, readTrustEvidence } from './trust-reads';
import { decodeStoredRecord, type StoredRecord } from './stored-record';
import { assertionViewOf, candidateOf, recordViewOf, type AssertionView, type EscalationView, type Page, type RecordView, type VoterVotes } from './views';
import { decodeVoteHistory } from './vote-history';

/** Time travel: answer as the graph stood before this log offset. */
export interface AsOf {
  /** Only records at offsets < asOfOffset count. @default every applied record */
  readonly asOfOffset?: number;
}

/** A paged read. */
export interface PageRequest {
  /** 1..PAGE_SIZE_MAX. @default PAGE_SIZE_DEFAULT */
  readonly pageSize?: number;
  /** The `nextPageToken` of the previous page. @default '' (first page) */
  readonly pageToken?: string;
}

const ZERO_ID = Buffer.alloc(32);

export interface GraphReaderOptions {
  /** Decoded assertions kept for reuse (0 = none). @default DECODED_RECORDS_CACHED_MAX */
  readonly decodedRecordsCachedMax?: number;
}

export class GraphReader {
  private readonly decoded: DecodedRecordCache;

  constructor(
    /** The store this reads (IndexReader reads the query indexes of the same store). */
    readonly store: KVStore,
    options: GraphReaderOptions = {},
  ) {
    this.decoded = new DecodedRecordCache(options.decodedRecordsCachedMax ?? DECODED_RECORDS_CACHED_MAX);
  }

  /** One assertion by id, with signers, votes and supersession; undefined when unknown (as of the offset). */
  async getAssertion(id: Buffer, options: AsOf = {}): Promise<AssertionView | undefined> {
    const asOf = checkAsOf(options.asOfOffset);
    const key = keys.assertion(id);
    const raw = await this.store.get(key);
    if (raw === undefined) return undefined;
    const stored = this.decoded.decode<Assertion>(key, raw, 'H');
    if (asOf !== undefined && stored.offset >= asOf) return undefined;
    const [voters, supersededBy] = await Promise.all([this.votersOf(id, stored.record), this.supersededBy(id, asOf)]);
    return assertionViewOf(id, stored, voters, supersededBy, asOf);
  }

  /** The lens candidates of a (subject, predicate), in log order. */
  async candidatesFor(subject: string, predicate: string, options: AsOf = {}): Promise<Candidate[]> {
    const asOf = checkAsOf(options.asOfOffset);
    const ids: Buffer[] = [];
    for await (const id of this.pairIds(subject, predicate, asOf)) ids.push(id);
    // A pair without candidates (as of asOf) costs no RocksDB trip.
    if (ids.length === 0) return [];
    const [loaded, votes] = await Promise.all([this.loadBodies(ids), this.pairVotes(subject, predicate)]);
    return loaded.map(({ id, stored }) => candidateOf(id, stored, votes.get(id.toString('latin1')) ?? [], asOf));
  }

  /** Every assertion of a (subject, predicate) in log order, streamed in chunks. */
  async *historyOf(subject: string, predicate: string, options: AsOf = {}): AsyncGenerator<AssertionView> {
    const asOf = checkAsOf(options.asOfOffset);
    let chunk: Buffer[] = [];
    let votes: Map<string, VoterVotes[]> | undefined;
    const flush = async (): Promise<AssertionView[]> => {
      votes ??= await this.pairVotes(subject, predicate);
      const [loaded, by] = await Promise.all([this.loadBodies(chunk), Promise.all(chunk.map((id) => this.supersededBy(id, asOf)))]);
      chunk = [];
      return loaded.map(({ id, stored }, i) => assertionViewOf(id, stored, votes!.get(id.toString('latin1')) ?? [], by[i]!, asOf));
    };
    for await (const id of this.pairIds(subject, predicate, asOf)) {
      chunk.push(id);
      if (chunk.length >= HISTORY_CHUNK_ASSERTIONS) yield* await flush();
    }
    if (chunk.length > 0) yield* await flush();
  }

  /** Assertions citing a source hash, by assertion id, one page at a time. */
  async bySource(sourceHash: Buffer, options: PageRequest & AsOf = {}): Promise<Page<AssertionView>> {
    const asOf = checkAsOf(options.asOfOffset);
    const prefix = prefixes.sources(sourceHash);
    const { items, nextPageToken } = await this.page(prefix, 'source', options, (value) => asOf === undefined || decodeU64(value, 'SRC') < asOf);
    const ids = items.map(([key]) => (parseKey(key) as Extract<StoreKey, { kind: 'source' }>).assertionId);
    const loaded = await this.load(ids);
    const by = await Promise.all(ids.map((id) => this.supersededBy(id, asOf)));
    return { items: loaded.map(({ id, stored, voters }, i) => assertionViewOf(id, stored, voters, by[i]!, asOf)), nextPageToken };
  }

  /** Escalations in log order (of one subject, or of all), one page at a time. */
  async escalations(options: PageRequest & { readonly subject?: string } = {}): Promise<Page<EscalationView>> {
    const subject = options.subject === undefined || options.subject === '' ? undefined : options.subject;
    const prefix = subject === undefined ? prefixes.escalations() : prefixes.subjectEscalations(subject);
    const { items, nextPageToken } = await this.page(prefix, subject === undefined ? 'escalation' : 'subjectEscalation', options, () => true);
    return {
      items: items.map(([key, value]) => {
        const k = parseKey(key) as Extract<StoreKey, { kind: 'escalation' | 'subjectEscalation' }>;
        const facts = decodeEscalation(k.subject, k.predicate, value);
        return { subject: k.subject, predicate: k.predicate, offset: k.offset, facts };
      }),
      nextPageToken,
    };
  }

  /** Gold-standard judgement counts per agent (lowercase hex public key); agents never judged are absent. */
  trustEvidence(options: AsOf = {}): Promise<Map<string, TrustEvidence>> {
    return readTrustEvidence(this.store, checkAsOf(options.asOfOffset));
  }

  /** The gold-standard reliability estimate per judged agent (goldReliability of its evidence). */
  async trustRanks(options: AsOf = {}): Promise<Map<string, number>> {
    const evidence = await this.trustEvidence(options);
    return new Map([...evidence].map(([agent, e]) => [agent, goldReliability(e.right, e.wrong)]));
  }

  /** The newest learned trust pack first seen below asOf (trust-reads.ts). */
  newestLearnedPack(options: AsOf = {}): Promise<RecordView<TrustPack> | undefined> {
    return readNewestLearnedPack(this.store, checkAsOf(options.asOfOffset));
  }

  /**
   * Every assertion first seen below asOf, by id, one page at a time, with
   * its signers and supersession as of then, and the gold standards of the
   * pairs on the page (what the truth-discovery job reads).
   */
  async claims(options: PageRequest & AsOf = {}): Promise<Page<AssertionView> & { golds: RecordView<GoldStandard>[] }> {
    const asOf = checkAsOf(options.asOfOffset);
    const keep = (value: Buffer): boolean => asOf === undefined || decodeStoredRecord(value, 'H').offset < asOf;
    const { items, nextPageToken } = await this.page(prefixes.kind('assertion'), 'assertion', options, keep);
    const ids = items.map(([key]) => (parseKey(key) as Extract<StoreKey, { kind: 'assertion' }>).id);
    const loaded = await this.load(ids);
    const by = await Promise.all(ids.map((id) => this.supersededBy(id, asOf)));
    const views = loaded.map(({ id, stored, voters }, i) => assertionViewOf(id, stored, voters, by[i]!, asOf));
    const pairs = new Map(views.map((v) => [`${v.assertion.subject}\u0000${v.assertion.predicate}`, v.assertion]));
    const golds = (await Promise.all([...pairs.values()].map((a) => this.goldStandards(a.subject, a.predicate, { ...(asOf === undefined ? {} : { asOfOffset: asOf }) })))).flat();
    return { items: views, nextPageToken, golds };
  }

  /** Agents (lowercase hex) revoked at offsets < asOfOffset (agent-reads.ts). */
  revokedAgents(options: AsOf = {}): Promise<Set<string>> {
    return revokedAgents(this.store, options.asOfOffset);
  }

  /** One agent's grants and revocations in log order. */
  agentHistory(agent: Buffer, options: AsOf = {}): ReturnType<typeof agentHistory> {
    return agentHistory(this.store, agent, options.asOfOffset);
  }

  /** A trust pack by id, or undefined. */
  async trustPack(id: Buffer, options: AsOf = {}): Promise<RecordView<TrustPack> | undefined> {
    const asOf = checkAsOf(options.asOfOffset);
    const raw = await this.store.get(keys.trustPack(id));
    if (raw === undefined) return undefined;
    const stored = decodeStoredRecord<TrustPack>(raw, 'TP');
    return asOf !== undefined && stored.offset >= asOf ? undefined : recordViewOf(id, stored, asOf);
  }

  /** Gold standards of a (subject, predicate), by id. */
  async goldStandards(subject: string, predicate: string, options: AsOf = {}): Promise<RecordView<GoldStandard>[]> {
    const asOf = checkAsOf(options.asOfOffset);
    const out: RecordView<GoldStandard>[] = [];
    for await (const [key, value] of this.store.scanPrefix(prefixes.goldStandards(subject, predicate))) {
      const stored = decodeStoredRecord<GoldStandard>(value, 'GS');
      if (asOf !== undefined && stored.offset >= asOf) continue;
      out.push(recordViewOf((parseKey(key) as Extract<StoreKey, { kind: 'goldStandard' }>).id, stored, asOf));
    }
    return out;
  }

  /** The materialized Consensus resolution (now), or undefined when the pair has none. */
  async materialized(subject: string, predicate: string): Promise<Resolution | undefined> {
    const raw = await this.store.get(keys.view(subject, predicate, MATERIALIZED_LENS));
    return raw === undefined ? undefined : decodeStoredResolution(subject, predicate, raw);
  }

  /** The predicates a subject has assertions for, in key (UTF-8 byte) order. */
  async predicatesOf(subject: string, options: AsOf = {}): Promise<string[]> {
    const asOf = checkAsOf(options.asOfOffset);
    const out: string[] = [];
    const prefix = prefixes.subjectPredicates(subject);
    let from: Buffer | undefined;
    for (;;) {
      const first = await firstKey(this.store, prefix, from === undefined ? {} : { gte: from });
      if (first === undefined) return out;
      const { predicate } = parseKey(first) as Extract<StoreKey, { kind: 'subjectPredicate' }>;
      const own = prefixes.subjectPredicate(subject, predicate);
      if (asOf === undefined || (await firstKey(this.store, own, { lt: keys.subjectPredicate(subject, predicate, asOf, ZERO_ID) })) !== undefined) out.push(predicate);
      from = prefixUpperBound(own);
      if (from === undefined) return out;
    }
  }

  /** Records applied and rejected so far (META counters). */
  async counters(): Promise<{ applied: number; rejected: number }> {
    const [applied, rejected] = await this.store.getMany([keys.meta(GRAPH_META.applied), keys.meta(GRAPH_META.rejected)]);
    return { applied: applied === undefined ? 0 : decodeU64(applied, 'META'), rejected: rejected === undefined ? 0 : decodeU64(rejected, 'META') };
  }

  /** Assertion ids of a pair in log order (SP), below asOf. */
  private async *pairIds(subject: string, predicate: string, asOf: number | undefined): AsyncGenerator<Buffer> {
    const options: ScanOptions = asOf === undefined ? {} : { lt: keys.subjectPredicate(subject, predicate, asOf, ZERO_ID) };
    for await (const [key] of this.store.scanPrefix(prefixes.subjectPredicate(subject, predicate), options)) {
      yield tailComponent(key, 'subjectPredicate', 'assertionId') as Buffer;
    }
  }

  /** H of many assertions, in one getMany. */
  private async loadBodies(ids: readonly Buffer[]): Promise<{ id: Buffer; stored: StoredRecord<Assertion> }[]> {
    if (ids.length === 0) return [];
    const hKeys = ids.map((id) => keys.assertion(id));
    const values = await this.store.getMany(hKeys);
    return ids.map((id, i) => ({ id, stored: this.decoded.decode<Assertion>(hKeys[i]!, bodyOf(values[i], id), 'H') }));
  }

  /** Every vote on a pair's assertions (PV, one prefix scan), by assertion id (latin1 of the bytes). */
  private async pairVotes(subject: string, predicate: string): Promise<Map<string, VoterVotes[]>> {
    const out = new Map<string, VoterVotes[]>();
    for await (const [key, value] of this.store.scanPrefix(prefixes.pairVotes(subject, predicate))) {
      const id = (tailComponent(key, 'pairVote', 'assertionId') as Buffer).toString('latin1');
      let list = out.get(id);
      if (list === undefined) out.set(id, (list = []));
      list.push({ voter: tailComponent(key, 'pairVote', 'voter') as Buffer, votes: decodeVoteHistory(value, 'PV') });
    }
    return out;
  }

  /** H and votes of many assertions (of any pairs): one getMany, then vote scans only where VC says there are votes. */
  private async load(ids: readonly Buffer[]): Promise<{ id: Buffer; stored: StoredRecord<Assertion>; voters: VoterVotes[] }[]> {
    if (ids.length === 0) return [];
    const values = await this.store.getMany([...ids.map((id) => keys.assertion(id)), ...ids.map((id) => keys.voteCount(id))]);
    return Promise.all(
      ids.map(async (id, i) => {
        const stored = this.decoded.decode<Assertion>(keys.assertion(id), bodyOf(values[i], id), 'H');
        const count = values[ids.length + i];
        const voters = count !== undefined && decodeU64(count, 'VC') > 0 ? await this.votersOf(id, stored.record) : [];
        return { id, stored, voters };
      }),
    );
  }

  /** Every vote on one assertion: its PV keys, under its subject and predicate. */
  private async votersOf(id: Buffer, a: Assertion): Promise<VoterVotes[]> {
    const out: VoterVotes[] = [];
    for await (const [key, value] of this.store.scanPrefix(prefixes.assertionVotes(a.subject, a.predicate, id))) {
      out.push({ voter: tailComponent(key, 'pairVote', 'voter') as Buffer, votes: decodeVoteHistory(value, 'PV') });
    }
    return out;
  }

  private async supersededBy(id: Buffer, asOf: number | undefined): Promise<Buffer[]> {
    const out: Buffer[] = [];
    for await (const [key, value] of this.store.scanPrefix(prefixes.superseding(id))) {
      if (asOf !== undefined && decodeU64(value, 'SUPERSEDED') >= asOf) continue;
      out.push((parseKey(key) as Extract<StoreKey, { kind: 'superseded' }>).childId);
    }
    return out;
  }

  /** Up to pageSize entries under `prefix` after the token's key that pass `keep`, and the token of the next page. */
  private async page(prefix: Buffer, kind: StoreKey['kind'], request: PageRequest, keep: (value: Buffer) => boolean): Promise<{ items: [Buffer, Buffer][]; nextPageToken: string }> {
    const pageSize = request.pageSize ?? PAGE_SIZE_DEFAULT;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > PAGE_SIZE_MAX) throw new GraphInputError('page_size', `must be 1..${PAGE_SIZE_MAX}, got ${pageSize}`);
    const after = request.pageToken === undefined || request.pageToken === '' ? undefined : tokenKey(request.pageToken, prefix, kind);
    const items: [Buffer, Buffer][] = [];
    let more = false;
    for await (const entry of this.store.scanPrefix(prefix, after === undefined ? {} : { gt: after })) {
      if (!keep(entry[1])) continue;
      if (items.length === pageSize) {
        more = true;
        break;
      }
      items.push(entry);
    }
    return { items, nextPageToken: more ? items[items.length - 1]![0].toString('hex') : '' };
  }
}

/** A stored H value an index pointed to; its absence is a damaged store. */
function bodyOf(raw: Buffer | undefined, id: Buffer): Buffer {
  if (raw === undefined) throw new GraphValueError('H', 'an index names an assertion the store does not hold', keys.assertion(id).toString('hex'));
  return raw;
}

export function checkAsOf(asOf: number | undefined): number | undefined {
  if (asOf !== undefined && !(Number.isSafeInteger(asOf) && asOf >= 0)) throw new GraphInputError('as_of_offset', `must be an integer 0..2^53-1, got ${asOf}`);
  return asOf;
}

/** A page token is the hex of the last key of the previous page; anything else is refused. */
export function tokenKey(token: string, prefix: Buffer, kind: StoreKey['kind']): Buffer {
  const key = /^(?:[0-9a-f]{2})+$/.test(token) ? Buffer.from(token, 'hex') : undefined;
  let ok = false;
  if (key !== undefined && key.subarray(0, prefix.length).equals(prefix)) {
    try {
      ok = parseKey(key).kind === kind;
    } catch {
      ok = false;
    }
  }
  if (!ok || key === undefined) throw new GraphInputError('page_token', 'not a token this listing returned');
  return key;
}

async function firstKey(store: KVStore, prefix: Buffer, options: ScanOptions): Promise<Buffer | undefined> {
  for await (const [key] of store.scanPrefix(prefix, { ...options, limit: 1 })) return key;
  return undefined;
}
