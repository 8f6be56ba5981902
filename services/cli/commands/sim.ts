/**
 * `stemedb sim`: seeded worlds with known truth, loaded through a real writer
 * and reader (child processes), `trust learn`, then per-lens accuracy beside
 * plain majority and an oracle that knows the true reliabilities. The code is
 * in services/sim; it loads gRPC only when the command runs.
 */
import { parseFlags, parseNumberFlag } from '../args';
import { UsageError, type Command } from '../command';

/** Seeds when --seeds is not given. */
export const SIM_SEEDS_DEFAULT = [1, 2, 3, 4, 5];

const NUMBER_FLAGS = {
  facts: 'facts',
  agents: 'agents',
  'reliability-min': 'reliabilityMin',
  'reliability-max': 'reliabilityMax',
  'copier-share': 'copierShare',
  'copied-agents': 'copiedAgents',
  'copy-rate': 'copyRate',
  coverage: 'coverage',
  'gold-share': 'goldShare',
  'false-values': 'falseValues',
  'sybil-keys': 'sybilKeys',
  'sybil-facts': 'sybilFacts',
  'hijack-facts': 'hijackFacts',
} as const;

const HELP = `usage: stemedb sim [--seeds 1,2,3,4,5] [--facts N] [--agents N] [--copier-share X] ...
                  [--json]

Simulate worlds with known truth and score every lens on them. Each seed makes
a world (docs/LENSES.md "Simulator"): facts with one true value among
false-values + 1; independent agents of reliabilities evenly spread over
[reliability-min, reliability-max]; copiers (copier-share of all agents) that
repeat the claims of the copied-agents weakest agents with the same evidence
hash; sybil-keys fresh keys asserting one false value on sybil-facts facts; a
hijacker co-signing the best agent's true claim and superseding it on
hijack-facts facts; gold standards on gold-share of the facts. It starts a
writer and a reader on a temp dir, appends the world, runs 'trust learn', and
asks every fact of every lens over gRPC. Prints per-seed accuracy (facts
without a gold standard, not hijacked) of majority, consensus, recency,
threshold, authority and the oracle (Authority with the true reliabilities as a
trust pack), hijack accuracy apart, and the cost.

options (defaults in brackets):
  --seeds LIST            comma-separated seeds [1,2,3,4,5]
  --facts N               [2000]
  --agents N              independent agents [20]
  --reliability-min X     [0.3]
  --reliability-max X     [0.9]
  --copier-share X        [0.3]
  --copied-agents N       [3]
  --copy-rate X           [0.8]
  --coverage X            chance an agent asserts a fact [0.3]
  --gold-share X          [0.05]
  --false-values N        [3]
  --sybil-keys N          [200]
  --sybil-facts N         [20]
  --hijack-facts N        [10]
  --json                  one JSON object per seed
  -h, --help              show this help

Exit 1 when any seed misses: Authority >= majority + 15 points, >= oracle - 3
points and >= Consensus.`;

export const sim: Command = {
  path: ['sim'],
  summary: 'simulate worlds with known truth and score every lens (real writer and reader)',
  help: HELP,
  async run(args, io) {
    const spec: Record<string, { type: 'string' | 'boolean' }> = { seeds: { type: 'string' }, json: { type: 'boolean' } };
    for (const flag of Object.keys(NUMBER_FLAGS)) spec[flag] = { type: 'string' };
    const v = parseFlags<Record<string, string | boolean | undefined>>(args, spec);
    const seeds = typeof v.seeds === 'string' ? v.seeds.split(',').map((s) => parseNumberFlag('seeds', s)) : SIM_SEEDS_DEFAULT;
    if (seeds.length === 0 || seeds.some((s) => !(Number.isInteger(s) && s >= 0 && s < 2 ** 32))) throw new UsageError('--seeds: expected comma-separated integers 0..2^32-1');
    const overrides: Record<string, number> = {};
    for (const [flag, field] of Object.entries(NUMBER_FLAGS)) if (typeof v[flag] === 'string') overrides[field] = parseNumberFlag(flag, v[flag] as string);
    const { WORLD_DEFAULTS } = await import('../../sim/world');
    const { runSim } = await import('../../sim/run-sim');
    const { checkRun, runsMarkdown } = await import('../../sim/report');
    const { SimInputError } = await import('../../sim/errors');
    const runs = [];
    for (const seed of seeds) {
      let run;
      try {
        run = await runSim({ ...WORLD_DEFAULTS, ...overrides, seed });
      } catch (err) {
        if (err instanceof SimInputError) throw new UsageError(err.message);
        throw err;
      }
      runs.push(run);
      if (v.json === true) io.out(JSON.stringify({ ...run, check: checkRun(run) }));
      else io.err(`seed ${seed}: authority ${run.score.main.percent.authority.toFixed(1)}%, consensus ${run.score.main.percent.consensus.toFixed(1)}%, majority ${run.score.main.percent.majority.toFixed(1)}%, oracle ${run.score.main.percent.oracle.toFixed(1)}%`);
    }
    if (v.json !== true) io.out(runsMarkdown(runs));
    return runs.every((r) => checkRun(r).holds) ? 0 : 1;
  },
};
