/**
 * Write-op builders: the one place that pairs each key kind with its value
 * encoding (docs/STORAGE.md "Data model"). Ingest composes these; nobody else
 * writes graph keys.
 */
import type { AgentGrant, AgentRevoke, Assertion, StemeRecord } from '../domain/types';
import { escalationOf } from '../lens/escalation';
import { encodeEscalation } from './escalation-codec';
import { GraphValueError } from './errors';
import { encodeStoredDecision, type StoredResolutionCounts } from './stored-resolution';
import type { ResolutionDecision } from '../lens/decision';
import { keys } from '../storage/keys';
import type { BatchOp } from '../storage/kv-store';
import { GRAPH_META, MATERIALIZED_LENS } from './meta';
import { objectIndexForm } from './object-index';
import { encodeF64, encodeU64 } from './scalars';
import { encodeStoredRecord, type StoredRecord } from './stored-record';
import { encodeTrustEvidence, type TrustEvidence } from './trust-evidence';
import { encodeVoteHistory, type VoteAt } from './vote-history';

const EMPTY = Buffer.alloc(0);

function put(key: Buffer, value: Buffer): BatchOp {
  return { type: 'put', key, value };
}

export const writeOps = {
  /** H: the assertion with its signers and supersession (`recordBytes`: its Record bytes as the log carried them, when known). */
  assertion: (id: Buffer, stored: StoredRecord<Assertion>, recordBytes?: Uint8Array): BatchOp => put(keys.assertion(id), encodeStoredRecord(stored, recordBytes)),
  /** SP and SRC index entries of a new assertion. */
  assertionIndexes: (id: Buffer, a: Assertion, offset: number): BatchOp[] => [
    put(keys.subjectPredicate(a.subject, a.predicate, offset, id), EMPTY),
    put(keys.source(a.sourceHash, id), encodeU64(offset)),
  ],
  /**
   * PO and (for an entity object) REF entries of a new assertion: who claims
   * which value (docs/STORAGE.md "Query indexes").
   */
  valueIndexes: (a: Assertion, offset: number): BatchOp[] => {
    const ops = [put(keys.predicateObject(a.predicate, objectIndexForm(a.object), a.subject, offset), EMPTY)];
    if (a.object.kind === 'entity') ops.push(put(keys.entityReference(a.object.value, a.predicate, a.subject, offset), EMPTY));
    return ops;
  },
  /** PS: the first assertion of a (subject, predicate) pair arrived at `offset`. */
  newPair: (subject: string, predicate: string, offset: number): BatchOp => put(keys.predicateSubject(predicate, subject), encodeU64(offset)),
  /** SUBJ: the first assertion about `subject` arrived at `offset`. */
  newSubject: (subject: string, offset: number): BatchOp => put(keys.subjectName(subject), encodeU64(offset)),
  /** SIGNER: `agent` signed assertion `id` at `offset` (its first signature or a co-signature). */
  signer: (agent: Buffer, offset: number, id: Buffer): BatchOp => put(keys.signerAssertion(agent, offset, id), EMPTY),
  /** CHILD: `childId` (first seen at `offset`) names `parentId` as its parent. */
  child: (parentId: Buffer, childId: Buffer, offset: number): BatchOp => put(keys.childAssertion(parentId, childId), encodeU64(offset)),
  /** SUPERSEDED: `childId` supersedes `parentId` from `offset` on. */
  superseded: (parentId: Buffer, childId: Buffer, offset: number): BatchOp => put(keys.superseded(parentId, childId), encodeU64(offset)),
  /** PV: every vote of `voter` on a known assertion of `pair`, under the pair and the assertion. */
  votes: (pair: { readonly subject: string; readonly predicate: string }, assertionId: Buffer, voter: Buffer, votes: readonly VoteAt[]): BatchOp[] => [
    put(keys.pairVote(pair.subject, pair.predicate, assertionId, voter), encodeVoteHistory(votes)),
  ],
  /** PENDING: votes on an assertion not ingested yet. */
  pendingVotes: (assertionId: Buffer, voter: Buffer, votes: readonly VoteAt[]): BatchOp => put(keys.pendingVote(assertionId, voter), encodeVoteHistory(votes)),
  clearPending: (assertionId: Buffer, voter: Buffer): BatchOp => ({ type: 'delete', key: keys.pendingVote(assertionId, voter) }),
  /** VC and VW: number of voters and net vote of their current votes. */
  voteTotals: (assertionId: Buffer, count: number, weight: number): BatchOp[] => [
    put(keys.voteCount(assertionId), encodeU64(count)),
    put(keys.voteWeight(assertionId), encodeF64(weight)),
  ],
  /** GS, TP, E: signed records kept by id or name. */
  goldStandard: (subject: string, predicate: string, id: Buffer, stored: StoredRecord): BatchOp => put(keys.goldStandard(subject, predicate, id), encodeStoredRecord(stored)),
  trustPack: (id: Buffer, stored: StoredRecord): BatchOp => put(keys.trustPack(id), encodeStoredRecord(stored)),
  epoch: (name: string, stored: StoredRecord<StemeRecord>): BatchOp => put(keys.epoch(name), encodeStoredRecord(stored)),
  /** AGRANT / AREV: an agent grant or revocation, under its agent and offset. */
  agentRecord: (stored: StoredRecord<AgentGrant | AgentRevoke>): BatchOp =>
    put(stored.record.kind === 'agent_grant' ? keys.agentGrant(stored.record.agent, stored.offset) : keys.agentRevoke(stored.record.agent, stored.offset), encodeStoredRecord(stored)),
  /** TRUST (current) and TRUSTH (as of `offset`): the agent's gold-standard judgement counts. */
  trust: (agent: Buffer, evidence: TrustEvidence, offset: number): BatchOp[] => {
    const value = encodeTrustEvidence(evidence);
    return [put(keys.trust(agent), value), put(keys.trustHistory(agent, offset), value)];
  },
  /** MV: the materialized default-lens decision of a pair (shared/lens decision.ts; a resolution is one too). */
  materialized: (r: ResolutionDecision, counts: StoredResolutionCounts): BatchOp =>
    put(keys.view(r.subject, r.predicate, MATERIALIZED_LENS), encodeStoredDecision(r, counts)),
  /**
   * ESC, global and per subject: the pair became contested at `offset`. The
   * value is what an escalation answers (escalation-codec.ts), not the resolution.
   */
  escalation: (r: ResolutionDecision, offset: number): BatchOp[] => {
    const facts = escalationOf(r);
    if (facts === null) throw new GraphValueError('ESC', `the resolution of ${r.subject}/${r.predicate} at ${offset} is not contested`);
    const value = encodeEscalation(facts);
    return [put(keys.escalation(offset, r.subject, r.predicate), value), put(keys.subjectEscalation(r.subject, offset, r.predicate), value)];
  },
  /** META counters. */
  counter: (name: (typeof GRAPH_META)[keyof typeof GRAPH_META], value: number): BatchOp => put(keys.meta(name), encodeU64(value)),
} as const;
