/**
 * The trust the Authority lens uses when a query names no pack, and what
 * GetTrust shows (docs/LENSES.md "Where trust comes from"), as of one offset:
 *
 * * an agent in the newest learned pack (first seen below the offset) has the
 *   pack's reliability, updated by the gold judgements made at or after the
 *   pack's offset (`packReliability`);
 * * any other agent with gold judgements has their Beta posterior
 *   (`goldReliability`);
 * * everyone else has the prior, weight 0.
 */
import type { GraphReader } from '../../shared/graph/graph-reader';
import { NO_EVIDENCE, type TrustEvidence } from '../../shared/graph/trust-evidence';
import { fmt, shortHex } from '../../shared/lens/format';
import { goldReliability, packReliability, PRIOR_RELIABILITY, reliabilityWeight } from '../../shared/lens/trust-weight';
import type { TrustContext } from '../../shared/lens/types';

export type TrustOrigin = 'none' | 'gold' | 'learned_pack';

/** One agent's trust. */
export interface AgentTrustRow {
  readonly agent: string;
  readonly reliability: number;
  readonly weight: number;
  readonly evidence: TrustEvidence;
  /** The pack's own reliability for the agent, when the pack lists it. */
  readonly learnedReliability: number | undefined;
  readonly origin: TrustOrigin;
}

export interface LearnedTrust {
  /** By agent hex, ascending. */
  readonly rows: readonly AgentTrustRow[];
  readonly pack: { readonly id: Buffer; readonly offset: number } | undefined;
}

/** Every agent with gold evidence or a learned-pack entry, as of `at`. */
export async function learnedTrust(graph: GraphReader, at: number): Promise<LearnedTrust> {
  const [evidence, pack] = await Promise.all([graph.trustEvidence({ asOfOffset: at }), graph.newestLearnedPack({ asOfOffset: at })]);
  const atPack = pack === undefined ? new Map<string, TrustEvidence>() : await graph.trustEvidence({ asOfOffset: pack.offset });
  const packed = new Map((pack?.record.entries ?? []).map((e) => [e.agent.toString('hex'), e.weight]));
  const agents = [...new Set([...evidence.keys(), ...packed.keys()])].sort();
  const rows = agents.map((agent) => rowOf(agent, evidence.get(agent) ?? NO_EVIDENCE, atPack.get(agent) ?? NO_EVIDENCE, packed.get(agent)));
  return { rows, pack: pack === undefined ? undefined : { id: pack.id, offset: pack.offset } };
}

/** The row of an agent with neither evidence nor a pack entry. */
export function unknownAgentRow(agent: string): AgentTrustRow {
  return { agent, reliability: PRIOR_RELIABILITY, weight: 0, evidence: NO_EVIDENCE, learnedReliability: undefined, origin: 'none' };
}

function rowOf(agent: string, now: TrustEvidence, atPack: TrustEvidence, learned: number | undefined): AgentTrustRow {
  if (learned !== undefined) {
    const reliability = packReliability(learned, now.right - atPack.right, now.wrong - atPack.wrong);
    return { agent, reliability, weight: reliabilityWeight(reliability), evidence: now, learnedReliability: learned, origin: 'learned_pack' };
  }
  const reliability = goldReliability(now.right, now.wrong);
  return { agent, reliability, weight: reliabilityWeight(reliability), evidence: now, learnedReliability: undefined, origin: 'gold' };
}

/** The lens's TrustContext of learned trust, with Explain labels naming each agent's evidence. */
export function trustContextOf(t: LearnedTrust): TrustContext {
  const packName = t.pack === undefined ? '' : `learned pack ${shortHex(t.pack.id.toString('hex'))}`;
  const labels = new Map(
    t.rows.map((r) => [
      r.agent,
      r.origin === 'learned_pack'
        ? `${packName} ${fmt(r.learnedReliability ?? 0)}; gold ${r.evidence.right} right / ${r.evidence.wrong} wrong`
        : `gold ${r.evidence.right} right / ${r.evidence.wrong} wrong`,
    ]),
  );
  return { ranks: new Map(t.rows.map((r) => [r.agent, r.reliability])), source: 'learned', defaultRank: PRIOR_RELIABILITY, labels };
}
