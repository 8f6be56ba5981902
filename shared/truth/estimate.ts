/**
 * Truth discovery: each agent's reliability from its agreement with the
 * current estimate of every fact's value, anchored by gold standards — the
 * ACCU model of Dong, Berti-Equille & Srivastava ("Integrating conflicting
 * data: the role of source dependence", VLDB 2009), made copy-aware the way
 * the Authority lens is: a source (evidence hash) counts once per value,
 * credited to its most trusted supporter, so agents repeating one source add
 * nothing to the value they copy.
 *
 * One round, given reliabilities r(a) (weights w(a) = reliabilityWeight(r(a))):
 *
 *   C(f, v) = Σ over distinct sources h of v on fact f: max over supporters a of h: w(a) · conf(h)
 *             (conf(h): what h's first citers said, as in the Authority lens)
 *   P(f, v) = e^C(f,v) / (Σ_observed e^C(f,v') + max(0, n + 1 − k))   (k observed values; the
 *             n + 1 − k unobserved values of the fact's domain have C = 0)
 *   P(f, v) = 1 for a gold standard's value, 0 for every other value of that fact
 *   r(a)    = (TRUST_PRIOR_RIGHT + Σ_{(f,v) a claims} P(f, v)) / (TRUST_PRIOR_RIGHT + TRUST_PRIOR_WRONG + #(f,v) a claims)
 *
 * The first round starts from the prior (every weight 0), so the gold
 * standards alone decide the first reliabilities; rounds repeat until no
 * reliability moves by more than LEARN_TOLERANCE or `iterations` rounds ran.
 * Pure and deterministic: facts, values, sources and agents are processed in
 * sorted order, so the same claims in any order give the same bits.
 */
import { stableSum } from '../lens/math';
import { AUTHORITY_FALSE_VALUES, TRUST_PRIOR_RIGHT, TRUST_PRIOR_WRONG } from '../lens/params';
import { PRIOR_RELIABILITY, reliabilityWeight } from '../lens/trust-weight';
import { TruthInputError } from './errors';
import { LEARN_CLAIMS_MAX, LEARN_ITERATIONS_DEFAULT, LEARN_ITERATIONS_MAX, LEARN_TOLERANCE } from './limits';

/** One assertion as the estimator sees it. */
export interface ClaimInput {
  /** The fact: subject and predicate, as one key (any injective encoding). */
  readonly fact: string;
  /** The value, as one key (objectKey). */
  readonly value: string;
  /** Source hash (hex). */
  readonly source: string;
  /** Signers (hex); superseded or withdrawn support already removed by the caller. */
  readonly signers: readonly string[];
  readonly confidence: number;
  /** Log offset where the assertion was first seen: a source is worth what its first citers said. */
  readonly offset: number;
}

/** A gold standard: the fact's known value. */
export interface GoldInput {
  readonly fact: string;
  readonly value: string;
}

export interface EstimateOptions {
  /** 1..LEARN_ITERATIONS_MAX. @default LEARN_ITERATIONS_DEFAULT */
  readonly iterations?: number;
}

export interface AgentEstimate {
  readonly agent: string;
  readonly reliability: number;
  /** Distinct (fact, value) pairs the agent claims. */
  readonly claims: number;
  /** Σ P(f, v) over them: the expected number of true claims. */
  readonly agreement: number;
  /** Claims on gold facts: matching and contradicting the gold value. */
  readonly goldRight: number;
  readonly goldWrong: number;
}

export interface EstimateResult {
  /** By agent hex, ascending. */
  readonly agents: readonly AgentEstimate[];
  readonly iterations: number;
  readonly converged: boolean;
}

interface SourceSlot {
  /** What the source's first citers said (the lens's rule). */
  readonly confidence: number;
  /** Every agent citing it for this value. */
  readonly supporters: readonly number[];
}

interface ValueSlot {
  readonly value: string;
  readonly sources: readonly SourceSlot[];
}

/** One source of one value as the claims gave it. */
interface SourceClaims {
  firstOffset: number;
  firstSigners: readonly string[];
  readonly claims: { readonly signers: readonly string[]; readonly confidence: number }[];
}

interface Fact {
  readonly values: readonly ValueSlot[];
  /** Index in `values` of the gold value, -1 when the fact has no gold standard; -2 when gold names an unclaimed value. */
  readonly gold: number;
  probabilities: number[];
}

export function estimateReliability(claims: readonly ClaimInput[], golds: readonly GoldInput[], options: EstimateOptions = {}): EstimateResult {
  const rounds = options.iterations ?? LEARN_ITERATIONS_DEFAULT;
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > LEARN_ITERATIONS_MAX) throw new TruthInputError('iterations', `must be 1..${LEARN_ITERATIONS_MAX}, got ${rounds}`);
  if (claims.length > LEARN_CLAIMS_MAX) throw new TruthInputError('claims', `${claims.length} claims, over the ${LEARN_CLAIMS_MAX} the estimator holds`);
  const { agents, facts, byAgent } = index(claims, golds);
  let reliability = agents.map(() => PRIOR_RELIABILITY);
  let iterations = 0;
  let converged = false;
  while (iterations < rounds && !converged) {
    const weights = reliability.map(reliabilityWeight);
    for (const f of facts) f.probabilities = probabilities(f, weights);
    const next = byAgent.map((slots) => (TRUST_PRIOR_RIGHT + stableSum(slots.map(([fi, vi]) => facts[fi]!.probabilities[vi]!))) / (TRUST_PRIOR_RIGHT + TRUST_PRIOR_WRONG + slots.length));
    converged = next.every((r, i) => Math.abs(r - reliability[i]!) <= LEARN_TOLERANCE);
    reliability = next;
    iterations++;
  }
  return { agents: agentEstimates(agents, reliability, byAgent, facts), iterations, converged };
}

function index(claims: readonly ClaimInput[], golds: readonly GoldInput[]): { agents: string[]; facts: Fact[]; byAgent: [number, number][][] } {
  const tree = new Map<string, Map<string, Map<string, SourceClaims>>>(); // fact → value → source → its claims
  const agentSet = new Set<string>();
  claims.forEach((c, i) => {
    if (!(Number.isFinite(c.confidence) && c.confidence >= 0 && c.confidence <= 1)) throw new TruthInputError(`claims[${i}].confidence`, `must be in [0, 1], got ${c.confidence}`);
    if (!(Number.isSafeInteger(c.offset) && c.offset >= 0)) throw new TruthInputError(`claims[${i}].offset`, `must be a log offset, got ${c.offset}`);
    const values = getOrSet(tree, c.fact, () => new Map<string, Map<string, SourceClaims>>());
    const sources = getOrSet(values, c.value, () => new Map<string, SourceClaims>());
    const slot = getOrSet(sources, c.source, (): SourceClaims => ({ firstOffset: c.offset, firstSigners: c.signers, claims: [] }));
    // Earliest claim first; on an offset tie (a caller's duplicate) the smaller signer list, so order cannot matter.
    if (c.offset < slot.firstOffset || (c.offset === slot.firstOffset && cmp(c.signers.join(), slot.firstSigners.join()) < 0)) {
      slot.firstOffset = c.offset;
      slot.firstSigners = c.signers;
    }
    slot.claims.push({ signers: c.signers, confidence: c.confidence });
    for (const s of c.signers) agentSet.add(s);
  });
  const agents = [...agentSet].sort();
  const agentIndex = new Map(agents.map((a, i) => [a, i]));
  const goldOf = new Map<string, string>();
  for (const g of [...golds].sort((a, b) => cmp(a.fact, b.fact) || cmp(a.value, b.value))) if (!goldOf.has(g.fact)) goldOf.set(g.fact, g.value);
  const facts: Fact[] = [];
  const byAgent: [number, number][][] = agents.map(() => []);
  for (const factKey of [...tree.keys()].sort()) {
    const valueMap = tree.get(factKey)!;
    const valueKeys = [...valueMap.keys()].sort();
    const fi = facts.length;
    const values: ValueSlot[] = valueKeys.map((v, vi) => {
      const sourceMap = valueMap.get(v)!;
      const claimedBy = new Set<number>();
      const sources = [...sourceMap.keys()].sort().map((h): SourceSlot => {
        const src = sourceMap.get(h)!;
        const first = new Set(src.firstSigners);
        const confidence = Math.max(...src.claims.filter((x) => x.signers.some((s) => first.has(s))).map((x) => x.confidence));
        const supporters = [...new Set(src.claims.flatMap((x) => x.signers))].sort().map((s) => agentIndex.get(s)!);
        for (const ai of supporters) claimedBy.add(ai);
        return { confidence, supporters };
      });
      for (const ai of claimedBy) byAgent[ai]!.push([fi, vi]);
      return { value: v, sources };
    });
    const gold = goldOf.get(factKey);
    const gi = gold === undefined ? -1 : valueKeys.indexOf(gold);
    facts.push({ values, gold: gold === undefined ? -1 : gi === -1 ? -2 : gi, probabilities: [] });
  }
  return { agents, facts, byAgent };
}

/** P(f, v) for each observed value of one fact under the given weights. */
function probabilities(f: Fact, weights: readonly number[]): number[] {
  if (f.gold !== -1) return f.values.map((_, vi) => (vi === f.gold ? 1 : 0));
  const scores = f.values.map((slot) => stableSum(slot.sources.map((h) => h.confidence * Math.max(...h.supporters.map((ai) => weights[ai]!)))));
  const top = Math.max(...scores);
  // Scaled by e^-top so large weights cannot overflow; the unobserved values have C = 0.
  const exp = scores.map((s) => Math.exp(s - top));
  const unobserved = Math.max(0, AUTHORITY_FALSE_VALUES + 1 - f.values.length) * Math.exp(-top);
  const total = stableSum(exp) + unobserved;
  return exp.map((e) => e / total);
}

function agentEstimates(agents: readonly string[], reliability: readonly number[], byAgent: readonly [number, number][][], facts: readonly Fact[]): AgentEstimate[] {
  return agents.map((agent, ai) => {
    const slots = byAgent[ai]!;
    let goldRight = 0;
    let goldWrong = 0;
    for (const [fi, vi] of slots) {
      const f = facts[fi]!;
      if (f.gold === -1) continue;
      if (f.gold === vi) goldRight++;
      else goldWrong++;
    }
    const agreement = stableSum(slots.map(([fi, vi]) => facts[fi]!.probabilities[vi]!));
    return { agent, reliability: reliability[ai]!, claims: slots.length, agreement, goldRight, goldWrong };
  });
}

function getOrSet<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) m.set(k, (v = make()));
  return v;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
