/**
 * Authority: support weighted by how much the agents are trusted.
 *
 *   T(v) = Σ over distinct signers s of v: rank(s) · max confidence of s's claims of v
 *   N(v) = Σ over distinct voters u on v's claims: rank(u) · u's latest vote
 *   support(v) = T(v) · (1 + VOTE_WEIGHT · tanh(N(v) / VOTE_SCALE))
 *
 * rank(a) comes from the context's trust (learned ranks or a trust pack);
 * agents it does not rank get its defaultRank. Each signer counts once per
 * value, so repetition does not help here either; sources are not counted —
 * the ranks already say whom to believe.
 */
import { type ValueGroup, latestVotesByVoter } from './candidates';
import type { ScoredAssertion, ScoredValue } from './assemble';
import { runLens } from './run-lens';
import { bestBySigner, byScoreThenId, creditedSigners } from './credit';
import { fmt, fmtSigned, plural, shortHex } from './format';
import { stableSum, voteFactor } from './math';
import { formatObject } from './object-value';
import { VOTE_SCALE, VOTE_WEIGHT } from './params';
import type { Candidate, LensContext, Resolution, ScoreTerm, TrustContext } from './types';

export function resolveAuthority(
  subject: string,
  predicate: string,
  candidates: readonly Candidate[],
  context: LensContext,
): Resolution {
  return runLens('authority', subject, predicate, candidates, context, (prepared, ctx) => ({
    values: prepared.groups.map((g) => scoreAuthorityValue(g, ctx.trust)),
    method:
      `Support per value is the sum over distinct signers of trust rank × best confidence ` +
      `(${ctx.trust.source === 'trust_pack' ? 'ranks from a trust pack' : 'learned ranks'}, ` +
      `unranked agents ${fmt(ctx.trust.defaultRank)}), scaled by 1 + ${VOTE_WEIGHT}·tanh(trust-weighted net vote / ${VOTE_SCALE}).`,
  }));
}

/** The rank of an agent (public key in hex) under `trust`. */
export function rankOf(trust: TrustContext, agentHex: string): number {
  return trust.ranks.get(agentHex) ?? trust.defaultRank;
}

function rankLabel(trust: TrustContext, agentHex: string): string {
  const ranked = trust.ranks.has(agentHex);
  const from = ranked ? (trust.source === 'trust_pack' ? 'trust pack' : 'learned') : 'default';
  return `${shortHex(agentHex)} rank ${fmt(rankOf(trust, agentHex))} (${from})`;
}

export function scoreAuthorityValue(group: ValueGroup, trust: TrustContext): ScoredValue {
  const bySigner = bestBySigner(group);
  const weighted = [...bySigner.entries()].map(([s, c]) => rankOf(trust, s) * c.confidence);
  const base = stableSum(weighted);
  const votes = latestVotesByVoter(group.candidates);
  const net = stableSum(votes.map((v) => rankOf(trust, v.voterHex) * v.value));
  const factor = voteFactor(net);

  const supportTerm = (): ScoreTerm => ({
    name: 'value_support',
    value: base,
    detail: `trust-weighted support of ${formatObject(group.object)} from ${plural(bySigner.size, 'signer')}`,
  });
  const voteTerm = (): ScoreTerm => ({
    name: 'vote_factor',
    value: factor,
    detail: `trust-weighted net vote ${fmtSigned(net)} from ${plural(votes.length, 'voter')}: 1 + ${VOTE_WEIGHT}·tanh(${fmtSigned(net)} / ${VOTE_SCALE})`,
  });

  const assertions: ScoredAssertion[] = group.candidates.map((c) => {
    const credited = creditedSigners(c, bySigner);
    const ranks = credited.map((s) => rankOf(trust, s));
    const trustSum = stableSum(ranks);
    const credit = stableSum(ranks.map((r) => r * c.confidence));
    return {
      live: c,
      score: credit * factor,
      terms: () => [
        { name: 'confidence', value: c.confidence, detail: 'as asserted' },
        {
          name: 'trust',
          value: trustSum,
          detail:
            credited.length === 0
              ? 'every signer is credited through a better claim of this value'
              : credited.map((s) => rankLabel(trust, s)).join(', '),
        },
        { name: 'signer_credit', value: credit, detail: `Σ rank × confidence over ${plural(credited.length, 'credited signer')}` },
        supportTerm(),
        voteTerm(),
      ],
    };
  });
  assertions.sort(byScoreThenId);
  return { object: group.object, score: base * factor, assertions };
}
