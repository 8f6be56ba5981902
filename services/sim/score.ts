/**
 * Accuracy of each lens on a loaded world, asked over gRPC: Resolve per fact
 * and lens (the oracle is Authority with the trust pack of true
 * reliabilities), beside plain majority (each agent once per value, ties to
 * the smaller value). Facts with a gold standard are anchors, not scored; the
 * hijacked facts are scored separately.
 */
import { objectFromProto } from '../../shared/domain/proto-convert';
import { Lens, ReaderServiceClient, type QueryOptions } from '../../shared/gen/stemedb/v1/reader';
import { callUnary, makeClient } from '../../shared/grpc/client';
import { rpcErrorOf } from '../writer/client';
import { SIM_CALL_DEADLINE_MS, SIM_QUERIES_IN_FLIGHT } from './limits';
import { factSubject, SIM_PREDICATE, valueText } from './load';
import type { World } from './world';

export const SCORED = ['majority', 'consensus', 'recency', 'threshold', 'authority', 'oracle'] as const;
export type Scored = (typeof SCORED)[number];

export interface Accuracy {
  /** Facts scored. */
  readonly facts: number;
  /** Percent of them answered with the true value, per lens. */
  readonly percent: Readonly<Record<Scored, number>>;
}

export interface WorldScore {
  /** Facts without a gold standard and not hijacked (Sybil targets included). */
  readonly main: Accuracy;
  readonly sybil: Accuracy;
  readonly hijack: Accuracy;
}

const LENS_QUERIES: readonly [Exclude<Scored, 'majority'>, (pack: Buffer) => QueryOptions][] = [
  ['consensus', () => options(Lens.LENS_CONSENSUS)],
  ['recency', () => options(Lens.LENS_RECENCY)],
  ['threshold', () => options(Lens.LENS_THRESHOLD)],
  ['authority', () => options(Lens.LENS_AUTHORITY)],
  ['oracle', (pack) => options(Lens.LENS_AUTHORITY, Buffer.from(pack))],
];

function options(lens: Lens, trustPackId = Buffer.alloc(0)): QueryOptions {
  return { lens, epoch: '', trustPackId, includeSuperseded: false };
}

/** Plain majority per fact: distinct agents per value, ties to the smaller value index. */
export function majorityAnswers(world: World): Map<number, number> {
  const votes = new Map<number, Map<number, Set<number>>>();
  for (const c of world.claims) {
    let byValue = votes.get(c.fact);
    if (byValue === undefined) votes.set(c.fact, (byValue = new Map()));
    let agents = byValue.get(c.value);
    if (agents === undefined) byValue.set(c.value, (agents = new Set()));
    agents.add(c.agent);
  }
  const out = new Map<number, number>();
  for (const [f, byValue] of votes) {
    const [best] = [...byValue].sort((a, b) => b[1].size - a[1].size || a[0] - b[0]);
    out.set(f, best![0]);
  }
  return out;
}

export async function scoreWorld(world: World, readerAddress: string, oraclePackId: Buffer, asOfOffset: number): Promise<WorldScore> {
  const majority = majorityAnswers(world);
  const facts = [...majority.keys()].sort((a, b) => a - b);
  const correct = new Map<number, Set<Scored>>(facts.map((f) => [f, new Set<Scored>(majority.get(f) === world.truth[f] ? ['majority'] : [])]));
  const client = makeClient(ReaderServiceClient, readerAddress);
  const jobs = facts.flatMap((f) => LENS_QUERIES.map(([name, opts]) => ({ f, name, opts })));
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const { f, name, opts } = jobs[next++]!;
        const res = await callUnary(client.resolve.bind(client), { subject: factSubject(f), predicate: SIM_PREDICATE, options: { ...opts(oraclePackId), asOfOffset: BigInt(asOfOffset) } }, { deadlineMs: SIM_CALL_DEADLINE_MS });
        const object = res.resolution?.object === undefined ? undefined : objectFromProto(res.resolution.object, 'resolution.object');
        if (object?.kind === 'text' && object.value === valueText(world.truth[f]!)) correct.get(f)!.add(name);
      }
    };
    await Promise.all(Array.from({ length: SIM_QUERIES_IN_FLIGHT }, worker));
  } catch (err) {
    throw rpcErrorOf(err);
  } finally {
    client.close();
  }
  const accuracy = (keep: (f: number) => boolean): Accuracy => {
    const chosen = facts.filter(keep);
    const percent = Object.fromEntries(SCORED.map((s) => [s, chosen.length === 0 ? 0 : (100 * chosen.filter((f) => correct.get(f)!.has(s)).length) / chosen.length])) as Record<Scored, number>;
    return { facts: chosen.length, percent };
  };
  return {
    main: accuracy((f) => !world.goldFacts.has(f) && !world.hijackFacts.has(f)),
    sybil: accuracy((f) => world.sybilFacts.has(f)),
    hijack: accuracy((f) => world.hijackFacts.has(f)),
  };
}
