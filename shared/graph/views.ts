/**
 * What the graph read API returns, built from stored values as of an offset.
 * The same functions serve "now" (no offset) and time travel, and ingest uses
 * `candidateOf` for the materialized view, so MV and a fresh resolution see
 * the exact same candidates.
 */
import type { Assertion, StemeRecord } from '../domain/types';
import type { Candidate, CandidateVote } from '../lens/types';
import type { EscalationFacts } from '../lens/escalation';
import { mergedRecord, signersOf, type SignerAt, type StoredRecord, type Withdrawal } from './stored-record';
import { currentVote, netVote, type VoteAt } from './vote-history';
import { fullySupersededAt, withdrawalsOf } from './withdrawals';
import { sortStable } from '../domain/sort';

/** Every vote of one agent on one assertion (a V value with its voter). */
export interface VoterVotes {
  /** 32-byte public key. */
  readonly voter: Buffer;
  /** In log order. */
  readonly votes: readonly VoteAt[];
}

/** An assertion as GetAssertion, History and BySource show it. */
export interface AssertionView {
  readonly id: Buffer;
  /** The assertion with every signature merged in (as of the query). */
  readonly assertion: Assertion;
  /** Log offset where the id was first seen. */
  readonly offset: number;
  /** Each signer with the offset it signed at, in log order. */
  readonly signers: readonly SignerAt[];
  /** Each voter's current vote, by voter. */
  readonly votes: readonly CandidateVote[];
  /** Sum of `votes` values (ascending voter order). */
  readonly netVote: number;
  /** Every signer has withdrawn (as of the query). */
  readonly superseded: boolean;
  /** Offset from which every signer had withdrawn, or null while one still supports it. */
  readonly supersededAtOffset: number | null;
  /** Ids of the assertions that withdrew at least one of its signers, by id. */
  readonly supersededBy: readonly Buffer[];
  /** Who withdrew (as of the query), through which child, from which offset; in (offset, agent) order. */
  readonly withdrawals: readonly Withdrawal[];
}

/** A signed record kept by id (gold standard, trust pack, epoch). */
export interface RecordView<R extends StemeRecord> {
  readonly id: Buffer;
  /** With every signature merged in (as of the query). */
  readonly record: R;
  readonly offset: number;
  readonly signers: readonly SignerAt[];
}

/** An ESC entry: a pair became contested at `offset`. */
export interface EscalationView {
  readonly subject: string;
  readonly predicate: string;
  /** Offset of the record that made the pair contested. */
  readonly offset: number;
  /** Top two values and shares right after that record (as stemedb.v1.Escalation carries them; the ESC value). */
  readonly facts: EscalationFacts;
}

/** A page of a paged read; `nextPageToken` is '' on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextPageToken: string;
}

/** Current vote per voter (as of `asOfOffset`), sorted by voter. */
export function votesAsOf(voters: Iterable<VoterVotes>, asOfOffset?: number): CandidateVote[] {
  const out: CandidateVote[] = [];
  for (const v of voters) {
    const cur = currentVote(v.votes, asOfOffset);
    if (cur !== undefined) out.push({ voter: v.voter, value: cur.value, castAtMs: cur.castAtMs, offset: cur.offset });
  }
  return sortStable(out, byVoter);
}

function byVoter(a: CandidateVote, b: CandidateVote): number {
  return Buffer.compare(a.voter, b.voter);
}

/**
 * The lens candidate of a stored assertion as the log stood at `asOfOffset`
 * (now when undefined): its signers, votes and withdrawals as of then, and
 * superseded when every signer had withdrawn by then.
 */
export function candidateOf(id: Buffer, stored: StoredRecord<Assertion>, voters: Iterable<VoterVotes>, asOfOffset?: number): Candidate {
  const at = fullySupersededAt(stored, asOfOffset);
  const held = stored.withdrawals === undefined || stored.withdrawals.length === 0 ? NO_WITHDRAWALS : withdrawalsOf(stored, asOfOffset);
  const signers = signersOf(stored, asOfOffset);
  const keys: Buffer[] = new Array<Buffer>(signers.length);
  for (let i = 0; i < signers.length; i++) keys[i] = signers[i]!.publicKey;
  const base = {
    id,
    assertion: mergedRecord(stored, asOfOffset),
    signers: keys,
    offset: stored.offset,
    votes: votesAsOf(voters, asOfOffset),
    superseded: at !== null,
  };
  if (held.length === 0) return at === null ? base : { ...base, supersededAtOffset: at };
  const withdrawals = held.map((w) => ({ agent: w.agent, childId: w.childId, offset: w.offset }));
  return at === null ? { ...base, withdrawals } : { ...base, withdrawals, supersededAtOffset: at };
}

const NO_WITHDRAWALS: readonly Withdrawal[] = Object.freeze([]);

/** The read view of a stored assertion as of `asOfOffset`; `supersededBy` already filtered by the caller. */
export function assertionViewOf(
  id: Buffer,
  stored: StoredRecord<Assertion>,
  voters: readonly VoterVotes[],
  supersededBy: readonly Buffer[],
  asOfOffset?: number,
): AssertionView {
  const votes = votesAsOf(voters, asOfOffset);
  const at = fullySupersededAt(stored, asOfOffset);
  return {
    id,
    assertion: mergedRecord(stored, asOfOffset),
    offset: stored.offset,
    signers: signersOf(stored, asOfOffset),
    votes,
    netVote: netVote(votes),
    superseded: at !== null,
    supersededAtOffset: at,
    supersededBy,
    withdrawals: withdrawalsOf(stored, asOfOffset),
  };
}

export function recordViewOf<R extends StemeRecord>(id: Buffer, stored: StoredRecord<R>, asOfOffset?: number): RecordView<R> {
  return { id, record: mergedRecord(stored, asOfOffset), offset: stored.offset, signers: signersOf(stored, asOfOffset) };
}
