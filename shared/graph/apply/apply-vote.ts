/**
 * A vote record. Every vote is kept (V holds an agent's votes on an assertion
 * in log order) and the agent's current one is its latest (castAtMs, then
 * offset), so a re-vote replaces the earlier one and VC/VW count each agent
 * once. A vote on an assertion the log has not carried yet waits in PENDING
 * and counts once the assertion arrives.
 */
import type { Vote } from '../../domain/types';
import { currentVote, decodeVoteHistory, isLaterVote, type VoteAt } from '../vote-history';
import { writeOps } from '../write-ops';
import { keys } from '../../storage/keys';
import { writeVoteTotals } from './apply-assertion';
import type { ApplyContext } from './apply-context';
import type { CandidateState } from './pair-model';

/** Synchronous (undefined) when the assertion's state is known without a read (cached, or certainly not carried and without pending votes); else a promise. */
export function applyVote(batch: ApplyContext, v: Vote, offset: number): Promise<void> | undefined {
  const vote: VoteAt = { value: v.value, castAtMs: v.castAtMs, offset };
  const idHex = v.assertionId.toString('hex');
  const cached = batch.cachedCandidate(idHex);
  if (cached === undefined) return batch.candidate(v.assertionId, idHex).then((c) => (c === undefined ? votePending(batch, v, vote, idHex) : voteOn(batch, c, v, vote)));
  if (cached !== null) return voteOn(batch, cached, v, vote);
  return votePending(batch, v, vote, idHex);
}

/** A vote on an assertion the log has not carried yet: it waits in PENDING. */
function votePending(batch: ApplyContext, v: Vote, vote: VoteAt, idHex: string): Promise<void> | undefined {
  // pendingIds names every assertion with a PENDING vote (in the store, committing or in this batch): none, nothing to read.
  if (!batch.pendingIds.has(idHex)) return void keepPending(batch, v, vote, undefined);
  return batch.state.get(keys.pendingVote(v.assertionId, v.voter)).then((raw) => keepPending(batch, v, vote, raw));
}

function keepPending(batch: ApplyContext, v: Vote, vote: VoteAt, raw: Buffer | undefined): void {
  const earlier = raw === undefined ? [] : decodeVoteHistory(raw, 'PENDING');
  batch.state.write(writeOps.pendingVotes(v.assertionId, v.voter, [...earlier, vote]));
  batch.addPending(v.assertionId, v.voter);
}

function voteOn(batch: ApplyContext, c: CandidateState, v: Vote, vote: VoteAt): undefined {
  const hex = v.voter.toString('hex');
  let state = c.voters.get(hex);
  if (state === undefined) {
    state = { voter: v.voter, votes: [] };
    c.setVoter(hex, state);
  }
  const before = currentVote(state.votes);
  // The history is this voter state's own array (decoded or built here; candidates copy what they read): appended in place.
  state.votes.push(vote);
  batch.state.writeAll(writeOps.votes(c.pair, v.assertionId, v.voter, state.votes));
  if (before !== undefined && !isLaterVote(vote, before)) return; // an older vote arriving late: history only
  c.changed();
  writeVoteTotals(batch, c);
  batch.touch(c.pair);
  return undefined;
}
