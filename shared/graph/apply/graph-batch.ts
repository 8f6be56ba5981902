/**
 * Applies the records of one ingest batch to the graph model, in log order,
 * on a BatchState overlay: later records see earlier ones' writes. After each
 * record it checks the pairs that record touched for the escalation rule, so
 * an escalation is recorded at the offset of the record that made its pair
 * contested — the same entries whatever the batch boundaries — and resolves
 * each touched pair once per batch for its MV (pair-resolutions.ts).
 * `finish()` adds the MVs and returns the batch's ops.
 */
import type { Assertion, GoldStandard, LogEntry, StemeRecord } from '../../domain/types';
import { GRAPH_META, MATERIALIZED_LENS } from '../meta';
import { decodeStoredRecord } from '../stored-record';
import { decodeVoteHistory } from '../vote-history';
import { writeOps } from '../write-ops';
import { decodeStoredResolution } from '../stored-resolution';
import { keys, parseKey, prefixes, tailComponent, type StoreKey } from '../../storage/keys';
import type { KVStore } from '../../storage/kv-store';
import type { Logger } from '../../telemetry/logger';
import type { ApplyContext } from './apply-context';
import { applyAssertion } from './apply-assertion';
import { applyEpoch, applyGoldStandard, applyTrustPack } from './apply-signed';
import { applyAgentRecord } from './apply-agent';
import { applyVote } from './apply-vote';
import { BatchState, NOT_HELD, type BatchOps } from './batch-state';
import type { PairCache } from './pair-cache';
import { CandidateState, PairModel, pairKey } from './pair-model';
import { PairResolutions } from './pair-resolutions';
import { sortStable } from '../../domain/sort';

/** A verified record of the batch. */
export interface BatchRecord {
  readonly entry: LogEntry;
  readonly id: Buffer;
  readonly offset: number;
}

export class GraphBatch implements ApplyContext {
  readonly state: BatchState;
  /** Loads running in this batch, so concurrent asks for one pair load it once. */
  private readonly pairLoads = new Map<string, Promise<PairModel>>();
  /** The escalation check after each record, and each touched pair's MV at the end. */
  readonly resolutions = new PairResolutions();
  private readonly childrenAdded = new Map<string, Buffer[]>();
  private readonly pendingAdded = new Map<string, Map<string, Buffer>>();
  private readonly touched = new Set<PairModel>();

  constructor(
    store: KVStore,
    /** Pair models kept across batches by the Ingestor, updated here. */
    private readonly cache: PairCache,
    /** Ids (hex) of assertions that have PENDING votes; kept across batches by the Ingestor and updated here. */
    readonly pendingIds: Set<string>,
    readonly logger: Logger,
    /** The previous batch's ops while they are still being committed (reads see them). @default none */
    below?: BatchOps,
  ) {
    this.state = new BatchState(store, below);
  }

  /** Reads, in bulk, what the records will need: assertion bodies, pending votes, new pairs' subject names, and the pairs they touch. */
  async prefetch(records: readonly BatchRecord[]): Promise<void> {
    if (this.cache.complete) return this.prefetchComplete(records);
    const wanted: Buffer[] = [];
    for (const { entry, id } of records) {
      const r = entry.record;
      if (r.kind === 'assertion') {
        wanted.push(keys.assertion(id));
        if (r.parentHash !== null) wanted.push(keys.assertion(r.parentHash));
        if (this.cache.get(pairKey(r.subject, r.predicate)) === undefined) wanted.push(keys.subjectName(r.subject));
      } else if (r.kind === 'vote') {
        wanted.push(keys.assertion(r.assertionId));
        if (this.pendingIds.has(r.assertionId.toString('hex'))) wanted.push(keys.pendingVote(r.assertionId, r.voter));
      }
    }
    await this.state.prefetch(wanted);
    const pairs = new Map<string, [string, string]>();
    const addPair = (s: string, p: string): void => void pairs.set(pairKey(s, p), [s, p]);
    for (const { entry } of records) {
      const r = entry.record;
      if (r.kind === 'assertion') addPair(r.subject, r.predicate);
      const other = r.kind === 'vote' ? r.assertionId : r.kind === 'assertion' ? r.parentHash : null;
      if (other === null) continue;
      const raw = await this.state.get(keys.assertion(other));
      if (raw === undefined) continue;
      const a = decodeStoredRecord<Assertion>(raw, 'H').record;
      addPair(a.subject, a.predicate);
    }
    await Promise.all([...pairs.values()].map(([s, p]) => this.pair(s, p)));
  }

  /**
   * With a complete cache only PENDING votes (on assertions the cache does not
   * know) can be in the store; the cache knows pairs and SUBJ entries. And only
   * on assertions `pendingIds` names: the first vote on an unknown assertion
   * (often one later in this same batch) reads nothing.
   */
  private async prefetchComplete(records: readonly BatchRecord[]): Promise<void> {
    const wanted: Buffer[] = [];
    for (const { entry } of records) {
      const r = entry.record;
      if (r.kind !== 'vote') continue;
      const hex = r.assertionId.toString('hex');
      if (this.pendingIds.has(hex) && this.cache.candidate(hex) === undefined) wanted.push(keys.pendingVote(r.assertionId, r.voter));
    }
    await this.state.prefetch(wanted);
  }

  /** The pair's model when no store read is needed (cached, or new to a complete cache); undefined when `pair()` must load it. */
  cachedPair(subject: string, predicate: string): PairModel | undefined {
    const key = pairKey(subject, predicate);
    const cached = this.cache.get(key);
    if (cached !== undefined || !this.cache.complete) return cached;
    // Not cached, so not in the store: a pair the log has not carried yet.
    const model = new PairModel(subject, predicate, false);
    this.cache.add(key, model);
    return model;
  }

  /** The pair's model, loaded from the store on first use in this batch. */
  pair(subject: string, predicate: string): Promise<PairModel> {
    const ready = this.cachedPair(subject, predicate);
    if (ready !== undefined) return Promise.resolve(ready);
    const key = pairKey(subject, predicate);
    let load = this.pairLoads.get(key);
    if (load === undefined) {
      load = this.loadPair(subject, predicate);
      this.pairLoads.set(key, load);
    }
    return load;
  }

  /** A cached assertion; null when the cache is complete and does not know it (the log has not carried it); undefined when `candidate()` must ask the store. */
  cachedCandidate(idHex: string): CandidateState | null | undefined {
    const known = this.cache.candidate(idHex);
    if (known !== undefined) return known;
    return this.cache.complete ? null : undefined;
  }

  /** A known assertion (loading its pair), or undefined when the log has not carried it yet. */
  async candidate(id: Buffer, idHex?: string): Promise<CandidateState | undefined> {
    const hex = idHex ?? id.toString('hex');
    const known = this.cachedCandidate(hex);
    if (known !== undefined) return known ?? undefined;
    const raw = await this.state.get(keys.assertion(id));
    if (raw === undefined) return undefined;
    const a = decodeStoredRecord<Assertion>(raw, 'H').record;
    await this.pair(a.subject, a.predicate);
    return this.cache.candidate(hex);
  }

  /** Adds a new assertion to its (loaded) pair. */
  register(c: CandidateState): void {
    this.cache.addCandidate(c);
    c.pair.add(c);
  }

  /** The record being applied may change this pair's resolution. */
  touch(pair: PairModel): void {
    this.touched.add(pair);
  }

  /** CHILD: a new assertion names `parentId`. */
  addChild(parentId: Buffer, childId: Buffer, offset: number): void {
    this.state.write(writeOps.child(parentId, childId, offset));
    const hex = parentId.toString('hex');
    this.cache.addChild(hex, childId);
    const list = this.childrenAdded.get(hex) ?? [];
    list.push(childId);
    this.childrenAdded.set(hex, list);
  }

  /** Every known assertion that names `parentId` as its parent. */
  async childrenOf(parentId: Buffer, parentHex?: string): Promise<CandidateState[]> {
    const hex = parentHex ?? parentId.toString('hex');
    const ids = [...(this.cache.childrenOf(hex) ?? (await this.childrenInStore(parentId)))];
    const out: CandidateState[] = [];
    for (const id of ids) {
      const c = await this.candidate(id);
      if (c !== undefined) out.push(c);
    }
    return out;
  }

  mayHaveChildren(parentHex: string): boolean {
    const known = this.cache.childrenOf(parentHex);
    return known === undefined || known.length > 0;
  }

  /** CHILD edges of `parentId` in the store, then those this batch added. */
  private async childrenInStore(parentId: Buffer): Promise<Buffer[]> {
    const ids = (await this.state.scanStore(prefixes.children(parentId))).map(([k]) => tailComponent(k, 'childAssertion', 'childId') as Buffer);
    ids.push(...(this.childrenAdded.get(parentId.toString('hex')) ?? []));
    return ids;
  }

  /** Whether the subject has its SUBJ entry: the complete cache knows; else the store (and this batch's writes) answer. */
  async subjectIndexed(subject: string): Promise<boolean> {
    return this.cache.subjectIndexed(subject) ?? (await this.state.get(keys.subjectName(subject))) !== undefined;
  }

  subjectIndexedNow(subject: string): boolean | undefined {
    const cached = this.cache.subjectIndexed(subject);
    if (cached !== undefined) return cached;
    const held = this.state.getHeld(keys.subjectName(subject));
    return held === NOT_HELD ? undefined : held !== undefined;
  }

  noteSubjectIndexed(subject: string): void {
    this.cache.noteSubjectIndexed(subject);
  }

  /** PENDING: `voter` voted on the unknown assertion `assertionId`. */
  addPending(assertionId: Buffer, voter: Buffer): void {
    const hex = assertionId.toString('hex');
    this.pendingIds.add(hex);
    const voters = this.pendingAdded.get(hex) ?? new Map<string, Buffer>();
    voters.set(voter.toString('hex'), voter);
    this.pendingAdded.set(hex, voters);
  }

  /** The voters with PENDING votes on `assertionId` (store and this batch), by voter. */
  async pendingVotersOf(assertionId: Buffer, idHex?: string): Promise<Buffer[]> {
    const hex = idHex ?? assertionId.toString('hex');
    if (!this.pendingIds.has(hex)) return [];
    const voters = new Map<string, Buffer>(this.pendingAdded.get(hex) ?? []);
    for (const [k] of await this.state.scanStore(prefixes.pendingVotes(assertionId))) {
      const voter = (parseKey(k) as Extract<StoreKey, { kind: 'pendingVote' }>).voter;
      voters.set(voter.toString('hex'), voter);
    }
    return sortStable([...voters.values()], Buffer.compare);
  }

  /**
   * Applies one verified record, then checks the pairs it touched for
   * escalations. `recordBytes`: its Record bytes from the log, when known.
   * Returns a promise only when the record needs a store read (most need
   * none: no promise or microtask per record then), so a throw may come
   * synchronously; callers await what they get.
   */
  apply(record: StemeRecord, id: Buffer, offset: number, recordBytes?: Uint8Array): Promise<void> | undefined {
    const applying = this.applyKind(record, id, offset, recordBytes);
    if (applying !== undefined) return applying.then(() => this.resolveTouched(offset));
    this.resolveTouched(offset);
    return undefined;
  }

  private applyKind(record: StemeRecord, id: Buffer, offset: number, recordBytes: Uint8Array | undefined): Promise<void> | undefined {
    switch (record.kind) {
      case 'assertion':
        return applyAssertion(this, record, id, offset, recordBytes);
      case 'vote':
        return applyVote(this, record, offset);
      case 'gold_standard':
        return applyGoldStandard(this, record, id, offset);
      case 'trust_pack':
        return applyTrustPack(this, record, id, offset);
      case 'epoch':
        return applyEpoch(this, record, id, offset);
      case 'agent_grant':
      case 'agent_revoke':
        applyAgentRecord(this, record, offset);
        return undefined;
    }
  }

  /**
   * Escalation rule (shared/lens isEscalation): a pair escalates when its new
   * resolution is contested and the previous one was not.
   */
  private resolveTouched(offset: number): void {
    this.resolutions.afterRecord(this.state, this.touched, offset);
    this.touched.clear();
  }

  /** Every op of the batch, one per key: the records' writes, each touched pair's MV, and the counters. */
  finish(counters: { applied: number; rejected: number }): BatchOps {
    this.resolutions.finish(this.state);
    this.state.write(writeOps.counter(GRAPH_META.applied, counters.applied));
    this.state.write(writeOps.counter(GRAPH_META.rejected, counters.rejected));
    return this.state.seal();
  }

  private async loadPair(subject: string, predicate: string): Promise<PairModel> {
    const [sp, gs, mv, pv] = await Promise.all([
      this.state.scanStore(prefixes.subjectPredicate(subject, predicate)),
      this.state.scanStore(prefixes.goldStandards(subject, predicate)),
      this.state.get(keys.view(subject, predicate, MATERIALIZED_LENS)),
      this.state.scanStore(prefixes.pairVotes(subject, predicate)),
    ]);
    const model = new PairModel(subject, predicate, mv === undefined ? false : decodeStoredResolution(subject, predicate, mv).contested);
    const ids = sp.map(([k]) => tailComponent(k, 'subjectPredicate', 'assertionId') as Buffer);
    await this.state.prefetch(ids.map((id) => keys.assertion(id)));
    for (const id of ids) {
      const c = await this.loadCandidate(id, model);
      model.candidates.set(c.idHex, c);
    }
    for (const [k, v] of pv) {
      const assertionId = tailComponent(k, 'pairVote', 'assertionId') as Buffer;
      const voter = tailComponent(k, 'pairVote', 'voter') as Buffer;
      const c = model.candidates.get(assertionId.toString('hex'));
      if (c === undefined) throw new Error(`PV names assertion ${assertionId.toString('hex')} but SP does not`);
      c.setVoter(voter.toString('hex'), { voter, votes: decodeVoteHistory(v, 'PV') });
    }
    for (const [k, v] of gs) model.golds.push({ id: (parseKey(k) as Extract<StoreKey, { kind: 'goldStandard' }>).id, stored: decodeStoredRecord<GoldStandard>(v, 'GS') });
    model.golds.sort((a, b) => a.stored.offset - b.stored.offset || Buffer.compare(a.id, b.id));
    this.cache.add(pairKey(subject, predicate), model);
    return model;
  }

  private async loadCandidate(id: Buffer, model: PairModel): Promise<CandidateState> {
    const raw = await this.state.get(keys.assertion(id));
    if (raw === undefined) throw new Error(`SP names assertion ${id.toString('hex')} but H does not hold it`);
    return new CandidateState(id, id.toString('hex'), decodeStoredRecord<Assertion>(raw, 'H'), model);
  }
}
