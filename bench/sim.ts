/**
 * The simulator as a benchmark (`make bench`, or `node dist/bench/run.js sim`):
 * five seeded worlds with the default options (30 % copiers, 5 % gold
 * standards, Sybil keys, supersession hijacks), each through a real writer and
 * reader, `trust learn`, then every lens over gRPC (services/sim). Writes
 * bench/results/sim.{json,md} and fails when Authority misses its acceptance
 * figures on any seed.
 */
import { writeResults } from './lib/results';
import { checkRun, simTables } from '../services/sim/report';
import { runSim, type SimRun } from '../services/sim/run-sim';
import { WORLD_DEFAULTS } from '../services/sim/world';

/** The seeds the results are published for. */
const SEEDS = [1, 2, 3, 4, 5] as const;

export async function run(): Promise<string> {
  const runs: SimRun[] = [];
  for (const seed of SEEDS) {
    process.stderr.write(`bench sim: seed ${seed} ...\n`);
    runs.push(await runSim({ ...WORLD_DEFAULTS, seed }));
  }
  const checks = runs.map(checkRun);
  const md = writeResults(
    'sim',
    { world: WORLD_DEFAULTS, seeds: SEEDS, all_hold: checks.every((c) => c.holds), runs: runs.map((r, i) => ({ ...r, check: checks[i] })) },
    simTables(runs),
  );
  const missed = checks.filter((c) => !c.holds);
  if (missed.length > 0) throw new Error(`Authority missed its acceptance figures on seeds ${missed.map((c) => c.seed).join(', ')} (bench/results/sim.md)`);
  return md;
}
