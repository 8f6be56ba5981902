/**
 * A simulated world with known truth (docs/LENSES.md "Simulator"): facts with
 * one true value among `falseValues + 1`, independent agents of chosen
 * reliabilities, copiers that repeat the weakest agents' claims with the same
 * evidence hash (louder), Sybil keys that all assert one false value on a few
 * facts, a supersession hijack (co-sign a good claim, then supersede it with
 * a false one), and gold standards on a share of the facts. Pure: the seed
 * decides everything; `load.ts` turns it into signed records.
 */
import { createHash } from 'node:crypto';
import { SimInputError } from './errors';
import { SIM_AGENTS_MAX, SIM_FACTS_MAX, SIM_SYBIL_KEYS_MAX } from './limits';
import { randomBetween, randomInt, sample, seededRandom, shuffle } from './random';

export interface WorldOptions {
  readonly seed: number;
  /** Facts (subject `sim:f<i>`, predicate `value`). */
  readonly facts: number;
  /** Independent agents, reliabilities evenly spread over [reliabilityMin, reliabilityMax]. */
  readonly agents: number;
  readonly reliabilityMin: number;
  readonly reliabilityMax: number;
  /** Share of all non-Sybil agents that are copiers (0.3 = 30 %). */
  readonly copierShare: number;
  /** Copiers copy the claims of this many of the weakest agents (round robin). */
  readonly copiedAgents: number;
  /** Chance that a copier repeats one claim of the agent it copies. */
  readonly copyRate: number;
  /** Chance that an independent agent asserts a given fact. */
  readonly coverage: number;
  /** Share of facts with a gold standard. */
  readonly goldShare: number;
  /** False values per fact; a false claim picks one uniformly. */
  readonly falseValues: number;
  /** Fresh keys that all assert one false value on `sybilFacts` facts, each with its own source. */
  readonly sybilKeys: number;
  readonly sybilFacts: number;
  /** Facts where a hijacker co-signs the best agent's true claim and supersedes it with a false value. */
  readonly hijackFacts: number;
}

export const WORLD_DEFAULTS: Omit<WorldOptions, 'seed'> = {
  facts: 2000,
  agents: 20,
  reliabilityMin: 0.3,
  reliabilityMax: 0.9,
  copierShare: 0.3,
  copiedAgents: 3,
  copyRate: 0.8,
  coverage: 0.3,
  goldShare: 0.05,
  falseValues: 3,
  sybilKeys: 200,
  sybilFacts: 20,
  hijackFacts: 10,
};

export type AgentRole = 'independent' | 'copier' | 'sybil' | 'hijacker';

export interface SimAgent {
  readonly role: AgentRole;
  /** True chance that its claim is true (a copier: that of the agent it copies; Sybils and the hijacker 0). */
  readonly reliability: number;
  /** The agent it copies (copiers). */
  readonly copies?: number;
}

/** One claim; `coSignOf` re-signs an earlier claim (same assertion), `parent` supersedes one. */
export interface SimClaim {
  readonly fact: number;
  readonly value: number;
  readonly agent: number;
  readonly source: Buffer;
  readonly confidence: number;
  readonly assertedAtMs: number;
  readonly parent?: number;
  readonly coSignOf?: number;
}

export interface World {
  readonly options: WorldOptions;
  readonly agents: readonly SimAgent[];
  /** The true value index per fact. */
  readonly truth: readonly number[];
  readonly goldFacts: ReadonlySet<number>;
  readonly sybilFacts: ReadonlySet<number>;
  readonly hijackFacts: ReadonlySet<number>;
  /** In log order. */
  readonly claims: readonly SimClaim[];
}

const T0_MS = Date.UTC(2024, 0, 1);

export function makeWorld(options: WorldOptions): World {
  checkOptions(options);
  const random = seededRandom(options.seed);
  const { facts, falseValues } = options;
  const truth = Array.from({ length: facts }, () => randomInt(random, falseValues + 1));
  const falseValue = (f: number): number => (truth[f]! + 1 + randomInt(random, falseValues)) % (falseValues + 1);
  const agents: SimAgent[] = [];
  const span = options.reliabilityMax - options.reliabilityMin;
  for (let i = 0; i < options.agents; i++) agents.push({ role: 'independent', reliability: options.reliabilityMin + (options.agents === 1 ? 0 : (span * i) / (options.agents - 1)) });
  const weakest = [...agents.keys()].sort((a, b) => agents[a]!.reliability - agents[b]!.reliability || a - b).slice(0, options.copiedAgents);
  const copiers = Math.round((options.copierShare * options.agents) / (1 - options.copierShare));
  for (let i = 0; i < copiers && weakest.length > 0; i++) agents.push({ role: 'copier', reliability: agents[weakest[i % weakest.length]!]!.reliability, copies: weakest[i % weakest.length]! });

  const order = sample(random, facts, facts);
  const goldFacts = new Set(order.slice(0, Math.round(options.goldShare * facts)));
  const rest = order.slice(goldFacts.size);
  const sybilFacts = new Set(rest.slice(0, options.sybilFacts));
  const hijackFacts = new Set(rest.slice(options.sybilFacts, options.sybilFacts + options.hijackFacts));

  let clock = 0;
  const at = (): number => T0_MS + clock++;
  const source = (...parts: (string | number)[]): Buffer => createHash('sha256').update(`sim/${options.seed}/${parts.join('/')}`).digest();
  const original: SimClaim[] = [];
  for (let f = 0; f < facts; f++) {
    for (let a = 0; a < options.agents; a++) {
      if (random() >= options.coverage) continue;
      const value = random() < agents[a]!.reliability ? truth[f]! : falseValue(f);
      original.push({ fact: f, value, agent: a, source: source('claim', a, f), confidence: randomBetween(random, 0.7, 0.95), assertedAtMs: 0 });
    }
  }
  const claims: SimClaim[] = shuffle(random, original).map((c) => ({ ...c, assertedAtMs: at() }));
  const copies: SimClaim[] = [];
  agents.forEach((agent, a) => {
    if (agent.role !== 'copier') return;
    for (const c of original) if (c.agent === agent.copies && random() < options.copyRate) copies.push({ ...c, agent: a, confidence: Math.min(1, c.confidence + 0.05), assertedAtMs: 0 });
  });
  claims.push(...shuffle(random, copies).map((c) => ({ ...c, assertedAtMs: at() })));
  addSybils(options, agents, claims, [...sybilFacts].sort((x, y) => x - y), falseValue, source, at);
  addHijacks(agents, claims, [...hijackFacts].sort((x, y) => x - y), truth, falseValue, source, at);
  return { options, agents, truth, goldFacts, sybilFacts, hijackFacts, claims };
}

function addSybils(options: WorldOptions, agents: SimAgent[], claims: SimClaim[], targets: number[], falseValue: (f: number) => number, source: (...p: (string | number)[]) => Buffer, at: () => number): void {
  const first = agents.length;
  for (let i = 0; i < options.sybilKeys; i++) agents.push({ role: 'sybil', reliability: 0 });
  for (const f of targets) {
    const value = falseValue(f);
    for (let i = 0; i < options.sybilKeys; i++) claims.push({ fact: f, value, agent: first + i, source: source('sybil', i, f), confidence: 0.95, assertedAtMs: at() });
  }
}

function addHijacks(agents: SimAgent[], claims: SimClaim[], targets: number[], truth: readonly number[], falseValue: (f: number) => number, source: (...p: (string | number)[]) => Buffer, at: () => number): void {
  const hijacker = agents.length;
  agents.push({ role: 'hijacker', reliability: 0 });
  for (const f of targets) {
    // The most reliable agent's true claim of the fact, if any.
    let victim = -1;
    claims.forEach((c, i) => {
      if (c.fact !== f || c.value !== truth[f] || c.coSignOf !== undefined || agents[c.agent]!.role !== 'independent') return;
      if (victim === -1 || agents[c.agent]!.reliability > agents[claims[victim]!.agent]!.reliability) victim = i;
    });
    if (victim === -1) continue;
    claims.push({ ...claims[victim]!, agent: hijacker, coSignOf: victim });
    claims.push({ fact: f, value: falseValue(f), agent: hijacker, source: source('hijack', f), confidence: 0.95, assertedAtMs: at(), parent: victim });
  }
}

function checkOptions(o: WorldOptions): void {
  const int = (name: keyof WorldOptions, min: number, max: number): void => {
    const v = o[name];
    if (!Number.isInteger(v) || v < min || v > max) throw new SimInputError(name, `must be an integer ${min}..${max}, got ${v}`);
  };
  const unit = (name: keyof WorldOptions): void => {
    const v = o[name];
    if (!(Number.isFinite(v) && v >= 0 && v <= 1)) throw new SimInputError(name, `must be in [0, 1], got ${v}`);
  };
  int('seed', 0, 2 ** 32 - 1);
  int('facts', 1, SIM_FACTS_MAX);
  int('agents', 1, SIM_AGENTS_MAX);
  int('copiedAgents', 0, o.agents);
  int('falseValues', 1, 100);
  int('sybilKeys', 0, SIM_SYBIL_KEYS_MAX);
  int('sybilFacts', 0, o.facts);
  int('hijackFacts', 0, o.facts);
  for (const u of ['reliabilityMin', 'reliabilityMax', 'copyRate', 'coverage', 'goldShare'] as const) unit(u);
  if (!(o.copierShare >= 0 && o.copierShare < 1)) throw new SimInputError('copierShare', `must be in [0, 1), got ${o.copierShare}`);
  if (o.reliabilityMin > o.reliabilityMax) throw new SimInputError('reliabilityMin', 'must not exceed reliabilityMax');
  if (o.sybilFacts + o.hijackFacts + Math.round(o.goldShare * o.facts) > o.facts) throw new SimInputError('sybilFacts', 'gold, Sybil and hijack facts must fit in the facts');
}
