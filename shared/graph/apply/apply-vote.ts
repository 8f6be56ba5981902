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

export async function applyVote(batch: ApplyContext, v: Vote, offset: number): Promise<void> {
  const vote: VoteAt = { value: v.value, castAtMs: v.castAtMs, offset };
  const idHex = v.assertionId.toString('hex');
  const cached = batch.cachedCandidate(idHex);
  const c = cached === undefined ? await batch.candidate(v.assertionId, idHex) : (cached ?? undefined);
  if (c === undefined) {
    // pendingIds names every assertion with a PENDING vote (in the store, committing or in this batch): none, nothing to read.
    const raw = batch.pendingIds.has(idHex) ? await batch.state.get(keys.pendingVote(v.assertionId, v.voter)) : undefined;
    const earlier = raw === undefined ? [] : decodeVoteHistory(raw, 'PENDING');
    batch.state.write(writeOps.pendingVotes(v.assertionId, v.voter, [...earlier, vote]));
    batch.addPending(v.assertionId, v.voter);
    return;
  }
  const hex = v.voter.toString('hex');
  let state = c.voters.get(hex);
  if (state === undefined) {
    state = { voter: v.voter, votes: [] };
    c.voters.set(hex, state);
  }
  const before = currentVote(state.votes);
  // The history is this voter state's own array (decoded or built here; candidates copy what they read): appended in place.
  state.votes.push(vote);
  batch.state.writeAll(writeOps.votes(c.pair, v.assertionId, v.voter, state.votes));
  if (before !== undefined && !isLaterVote(vote, before)) return; // an older vote arriving late: history only
  c.changed();
  writeVoteTotals(batch, c);
  batch.touch(c.pair);
}
