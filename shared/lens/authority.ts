/**
 * Authority: evidence weighed by how reliable its supporters have proved.
 *
 *   w(a)  = reliabilityWeight(reliability of a)   (log-odds, trust-weight.ts; 0 if revoked)
 *   each signer s of v is credited through its best claim c_s of v (as Consensus)
 *   T(v)  = Σ over distinct sources h of those claims:  max over s with c_s citing h of w(s) · conf(h)
 *   conf(h) = what h's first citers said (Consensus's rule, credit.ts firstCitersBySource)
 *   N(v)  = Σ over distinct voters u on v's claims:     w(u) · u's latest vote
 *   support(v) = T(v) · (1 + VOTE_WEIGHT · tanh(N(v) / VOTE_SCALE))
 *
 * A source counts once per value, credited to its most trusted supporter, so
 * copies of a claim (same evidence hash) add nothing; an agent without a
 * record weighs 0, so fresh keys add nothing either. When every value scores
 * 0 (nobody with a record supports anything), the lens falls back to
 * Consensus scoring — counting distinct agents and sources — and says so.
 * Revoked agents weigh 0 as signers and voters, and the fallback drops them.
 */
import { type LiveCandidate, type ValueGroup, latestVotesByVoter, withSupport } from './candidates';
import type { ScoredAssertion, ScoredValue } from './assemble';
import { runLens } from './run-lens';
import { CONSENSUS_METHOD, scoreConsensusValue } from './consensus';
import { bestBySigner, byScoreThenId, compareCredit, firstCitersBySource } from './credit';
import { fmt, fmtSigned, plural, shortHex } from './format';
import { stableSum, voteFactor } from './math';
import { formatObject } from './object-value';
import { VOTE_SCALE, VOTE_WEIGHT } from './params';
import { reliabilityWeight } from './trust-weight';
import type { Candidate, LensContext, Resolution, ScoreTerm, TrustContext } from './types';
import { sortStable } from '../domain/sort';

const NO_REVOKED: ReadonlySet<string> = new Set();

export function resolveAuthority(
  subject: string,
  predicate: string,
  candidates: readonly Candidate[],
  context: LensContext,
): Resolution {
  const revoked = context.revokedAgents ?? NO_REVOKED;
  return runLens('authority', subject, predicate, candidates, context, (prepared, ctx) => {
    const weigh = new AgentWeights(ctx.trust, revoked);
    const from = ctx.trust.source === 'trust_pack' ? 'a trust pack' : 'gold standards and learned trust';
    const values = prepared.groups.map((g) => scoreAuthorityValue(g, weigh));
    // Decided on the scores themselves, so adding support to a value can only
    // move the pair from the fallback to weighted scoring in that value's favour.
    if (values.every((v) => v.score === 0)) {
      return {
        values: prepared.groups.map((g) => scoreConsensusValue(withoutRevoked(g, revoked))),
        method: `No supporter of this pair has a trust record (${from}), so Authority falls back to Consensus: ${CONSENSUS_METHOD}`,
      };
    }
    return {
      values,
      method:
        `Support per value is the sum over distinct sources of the log-odds weight of each source's most trusted supporter × the confidence its first citers gave it ` +
        `(reliabilities from ${from}; agents without a record weigh 0), scaled by 1 + ${VOTE_WEIGHT}·tanh(weighted net vote / ${VOTE_SCALE}).`,
    };
  });
}

/** Reliability, weight and label of each agent under one context. */
export class AgentWeights {
  constructor(
    private readonly trust: TrustContext,
    private readonly revoked: ReadonlySet<string>,
  ) {}

  reliability(agentHex: string): number {
    return this.trust.ranks.get(agentHex) ?? this.trust.defaultRank;
  }

  weight(agentHex: string): number {
    return this.revoked.has(agentHex) ? 0 : reliabilityWeight(this.reliability(agentHex));
  }

  label(agentHex: string): string {
    if (this.revoked.has(agentHex)) return `${shortHex(agentHex)} revoked, weight 0`;
    const listed = this.trust.ranks.has(agentHex);
    const from = listed ? (this.trust.labels?.get(agentHex) ?? (this.trust.source === 'trust_pack' ? 'trust pack' : 'learned')) : 'no record';
    return `${shortHex(agentHex)} reliability ${fmt(this.reliability(agentHex))} → weight ${fmt(this.weight(agentHex))} (${from})`;
  }
}

/**
 * The group with revoked signers and voters removed, for the Consensus
 * fallback; a claim signed only by revoked agents stays (so it is still
 * explained) and credits nothing.
 */
function withoutRevoked(group: ValueGroup, revoked: ReadonlySet<string>): ValueGroup {
  if (revoked.size === 0) return group;
  const candidates = group.candidates.map((c): LiveCandidate => withSupport(c, c.signers.filter((s) => !revoked.has(s)), c.votes.filter((v) => !revoked.has(v.voterHex))));
  return { ...group, candidates };
}

/** One credited (signer, claim) pair of a value. */
interface Credit {
  readonly signer: string;
  readonly claim: LiveCandidate;
  readonly value: number;
}

export function scoreAuthorityValue(group: ValueGroup, weigh: AgentWeights): ScoredValue {
  const bySigner = bestBySigner(group);
  const said = firstCitersBySource(group);
  // Each source, credited to its most trusted supporter among the signers credited through a claim
  // citing it, at the confidence its first citers gave it: a louder copier cannot raise it.
  const bySource = new Map<string, Credit>();
  for (const [signer, claim] of bySigner) {
    const credit: Credit = { signer, claim, value: weigh.weight(signer) * (said.get(claim.sourceHex)?.confidence ?? 0) };
    const cur = bySource.get(claim.sourceHex);
    if (cur === undefined || compareCredit(credit, cur) < 0) bySource.set(claim.sourceHex, credit);
  }
  const base = stableSum([...bySource.values()].map((c) => c.value));
  const votes = latestVotesByVoter(group.candidates);
  const net = stableSum(votes.map((v) => weigh.weight(v.voterHex) * v.value));
  const factor = voteFactor(net);

  const supportTerm = (): ScoreTerm => ({
    name: 'value_support',
    value: base,
    detail: `Σ over ${plural(bySource.size, 'distinct source')} of ${formatObject(group.object)} of its most trusted supporter's weight × its first citers' confidence`,
  });
  const voteTerm = (): ScoreTerm => ({
    name: 'vote_factor',
    value: factor,
    detail: `weighted net vote ${fmtSigned(net)} from ${plural(votes.length, 'voter')}: 1 + ${VOTE_WEIGHT}·tanh(${fmtSigned(net)} / ${VOTE_SCALE})`,
  });

  const assertions: ScoredAssertion[] = group.candidates.map((c) => {
    const best = bySource.get(c.sourceHex);
    const credited = best !== undefined && best.claim === c ? best : undefined;
    return {
      live: c,
      score: (credited?.value ?? 0) * factor,
      terms: () => [
        { name: 'confidence', value: c.confidence, detail: 'as asserted' },
        { name: 'trust', value: stableSum(c.signers.map((s) => weigh.weight(s))), detail: c.signers.map((s) => weigh.label(s)).join(', ') },
        { name: 'source_credit', value: credited?.value ?? 0, detail: sourceDetail(c, credited, best, bySigner) },
        supportTerm(),
        voteTerm(),
      ],
    };
  });
  sortStable(assertions, byScoreThenId);
  return { object: group.object, score: base * factor, assertions };
}

function sourceDetail(c: LiveCandidate, credited: Credit | undefined, best: Credit | undefined, bySigner: ReadonlyMap<string, LiveCandidate>): string {
  if (credited !== undefined) return `source ${shortHex(c.sourceHex)} counted once, credited to ${shortHex(credited.signer)}: weight × the confidence its first citers gave it`;
  if (c.signers.every((s) => bySigner.get(s) !== c)) return 'every signer is credited through a better claim of this value';
  return `source ${shortHex(c.sourceHex)} already counted via ${shortHex(best?.claim.idHex ?? '')} (signer ${shortHex(best?.signer ?? '')})`;
}
