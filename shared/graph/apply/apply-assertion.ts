/**
 * An assertion record: a new id lands in H and the S, SP and SRC indexes,
 * adopts the votes that waited for it, and settles withdrawals both ways (as
 * a child of its parent, as the parent of children that came first); a known
 * id with new signers is a co-signature, merged into the signer set, and its
 * new signers are checked against the parent and the children the same way.
 * Either way each new signer is judged against the pair's gold standards.
 *
 * Supersession belongs to authors (shared/graph/withdrawals.ts): a child
 * withdraws from its parent only the support of agents that signed both, so
 * whichever of parent, child and co-signatures comes first, every withdrawal
 * is found by the record that completes it, at that record's offset.
 */
import type { Assertion } from '../../domain/types';
import { NO_CO_SIGNERS, signersOf, withCoSigners, type SignerAt } from '../stored-record';
import { withSupersessionRederived, withWithdrawal } from '../withdrawals';
import { currentVote, netVote } from '../vote-history';
import { writeOps } from '../write-ops';
import { keys } from '../../storage/keys';
import { decodeVoteHistory } from '../vote-history';
import type { ApplyContext } from './apply-context';
import { CandidateState, type PairModel } from './pair-model';
import { judge } from './trust-judge';
import { indexAssertion, indexCoSigners, indexNewPair } from './apply-indexes';

/**
 * `recordBytes`: the record's protobuf bytes as the log carried them, kept in H as they are (never retained by the pair cache).
 * Synchronous (undefined) when nothing has to be read — a cached pair, a
 * known SUBJ, no parent, children, gold standards or pending votes: most
 * records — else a promise: no promise or microtask per record for the common case.
 */
export function applyAssertion(batch: ApplyContext, a: Assertion, id: Buffer, offset: number, recordBytes?: Uint8Array): Promise<void> | undefined {
  const pair = batch.cachedPair(a.subject, a.predicate);
  if (pair === undefined) return batch.pair(a.subject, a.predicate).then((loaded) => applyToPair(batch, loaded, a, id, offset, recordBytes));
  return applyToPair(batch, pair, a, id, offset, recordBytes);
}

function applyToPair(batch: ApplyContext, pair: PairModel, a: Assertion, id: Buffer, offset: number, recordBytes: Uint8Array | undefined): Promise<void> | undefined {
  const idHex = id.toString('hex');
  const known = pair.candidates.get(idHex);
  if (known !== undefined) return coSign(batch, known, a, offset);
  const firstOfPair = pair.candidates.size === 0;
  const c = new CandidateState(id, idHex, { record: a, offset, coSigners: NO_CO_SIGNERS, supersededAtOffset: null }, pair);
  batch.register(c);
  batch.state.write(writeOps.assertion(id, c.stored, recordBytes));
  batch.state.writeAll(writeOps.assertionIndexes(id, a, offset));
  indexAssertion(batch, a, id, offset);
  const indexing = firstOfPair ? indexNewPair(batch, a, offset) : undefined;
  if (indexing !== undefined) return indexing.then(() => afterIndexes(batch, c, a, offset));
  return afterIndexes(batch, c, a, offset);
}

/** A new assertion once indexed: its pair touched, then pending votes and relations when it has any. */
function afterIndexes(batch: ApplyContext, c: CandidateState, a: Assertion, offset: number): Promise<void> | undefined {
  batch.touch(c.pair);
  if (batch.pendingIds.has(c.idHex) || !unrelated(batch, c, a)) return settleNew(batch, c, a, offset);
  return undefined;
}

/** A new record with no parent, no possible child and no gold standard to be judged against. */
function unrelated(batch: ApplyContext, c: CandidateState, a: Assertion): boolean {
  return a.parentHash === null && !batch.mayHaveChildren(c.idHex) && c.pair.golds.length === 0;
}

/** Pending votes, withdrawals both ways and gold standards of a new assertion. */
async function settleNew(batch: ApplyContext, c: CandidateState, a: Assertion, offset: number): Promise<void> {
  const { id, idHex } = c;
  if (batch.pendingIds.has(idHex)) await adoptPendingVotes(batch, c);
  // A new record's signers are its own: worked out only when a parent, a child or a gold standard needs them.
  if (unrelated(batch, c, a)) return;
  const signers = signersOf(c.stored);
  if (a.parentHash !== null) {
    batch.addChild(a.parentHash, id, offset);
    const parent = await batch.candidate(a.parentHash);
    // A new child: no edge of its can exist yet.
    if (parent !== undefined) await withdrawShared(batch, parent, c, signers, offset, false);
  }
  // Children that arrived before this parent: no edge of theirs can exist yet either.
  if (batch.mayHaveChildren(idHex)) for (const child of await batch.childrenOf(id, idHex)) await withdrawShared(batch, c, child, signers, offset, false);
  await judgeSigners(batch, c, signers);
}

async function coSign(batch: ApplyContext, c: CandidateState, a: Assertion, offset: number): Promise<void> {
  const merged = withCoSigners(c.stored, a, offset);
  if (merged === null) return; // a re-delivery: nobody new signed
  // A new signer that has not withdrawn supports the record again, even if every earlier signer had.
  c.stored = withSupersessionRederived(merged.stored);
  c.changed();
  batch.state.write(writeOps.assertion(c.id, c.stored));
  indexCoSigners(batch, c.id, merged.added);
  batch.touch(c.pair);
  // A new signer may complete a withdrawal in either direction: from the parent, or from this record.
  if (a.parentHash !== null) {
    const parent = await batch.candidate(a.parentHash);
    if (parent !== undefined) await withdrawShared(batch, parent, c, merged.added, offset, true);
  }
  for (const child of await batch.childrenOf(c.id, c.idHex)) await withdrawShared(batch, c, child, merged.added, offset, true);
  await judgeSigners(batch, c, merged.added);
}

/**
 * Withdraws from `parent` the support of each agent among `agents` (the
 * signers the current record just added to one side) that has signed both
 * `parent` and `child`, from `offset`; writes the SUPERSEDED edge the first
 * time the two share a signer. The parent's pair is re-resolved.
 */
async function withdrawShared(
  batch: ApplyContext,
  parent: CandidateState,
  child: CandidateState,
  agents: readonly SignerAt[],
  offset: number,
  edgeMayExist: boolean,
): Promise<void> {
  const childSigners = new Set(signersOf(child.stored).map((s) => s.publicKey.toString('hex')));
  const parentSigners = new Set(signersOf(parent.stored).map((s) => s.publicKey.toString('hex')));
  const shared = agents.filter((s) => childSigners.has(s.publicKey.toString('hex')) && parentSigners.has(s.publicKey.toString('hex')));
  if (shared.length === 0) return;
  if (!edgeMayExist || (await batch.state.get(keys.superseded(parent.id, child.id))) === undefined) {
    batch.state.write(writeOps.superseded(parent.id, child.id, offset));
  }
  let stored = parent.stored;
  for (const s of shared) stored = withWithdrawal(stored, { agent: s.publicKey, childId: child.id, offset }) ?? stored;
  if (stored === parent.stored) return; // each of them had withdrawn already, through another child
  parent.stored = stored;
  parent.changed();
  batch.state.write(writeOps.assertion(parent.id, parent.stored));
  batch.touch(parent.pair);
}

/** Moves votes cast before the assertion arrived from PENDING to V. */
async function adoptPendingVotes(batch: ApplyContext, c: CandidateState): Promise<void> {
  const voters = await batch.pendingVotersOf(c.id, c.idHex);
  if (voters.length === 0) return;
  for (const voter of voters) {
    const votes = decodeVoteHistory((await batch.state.get(keys.pendingVote(c.id, voter)))!, 'PENDING');
    batch.state.writeAll(writeOps.votes(c.pair, c.id, voter, votes));
    batch.state.write(writeOps.clearPending(c.id, voter));
    c.setVoter(voter.toString('hex'), { voter, votes });
  }
  batch.pendingIds.delete(c.idHex);
  c.changed();
  writeVoteTotals(batch, c);
}

/** VC and VW from the candidate's current votes. */
export function writeVoteTotals(batch: ApplyContext, c: CandidateState): void {
  const current: { voter: Buffer; value: number }[] = [];
  for (const v of c.voters.values()) {
    const cur = currentVote(v.votes);
    if (cur !== undefined) current.push({ voter: v.voter, value: cur.value });
  }
  batch.state.writeAll(writeOps.voteTotals(c.id, current.length, netVote(current)));
}

/** Each new signer against each gold standard of the pair, golds in log order. */
async function judgeSigners(batch: ApplyContext, c: CandidateState, signers: readonly SignerAt[]): Promise<void> {
  for (const signer of signers) {
    for (const gold of c.pair.golds) await judge(batch, signer.publicKey, c.stored.record.object, gold.stored.record.object, signer.offset);
  }
}
