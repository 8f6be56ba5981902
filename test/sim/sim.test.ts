/**
 * A small world of the simulator end to end (real writer and reader processes
 * from dist/, `trust learn`, every lens over gRPC): Authority ≥ Consensus ≥
 * plain majority. bench/sim.ts holds the big figures (bench/results/sim.md).
 */
import { runSim } from '../../services/sim/run-sim';
import { makeWorld, WORLD_DEFAULTS } from '../../services/sim/world';
import { SimInputError } from '../../services/sim/errors';
import { CLI, requireBuilt } from '../helpers/process';

describe('stemedb sim, small world', () => {
  it('seed 7, 300 facts: Authority ≥ Consensus ≥ majority, and the Sybil facts go to Authority', async () => {
    const r = await runSim({ ...WORLD_DEFAULTS, seed: 7, facts: 300, sybilKeys: 40, sybilFacts: 10, hijackFacts: 5 }, { cliScript: requireBuilt(CLI) });
    const p = r.score.main.percent;
    expect(r.score.main.facts).toBeGreaterThan(250);
    expect(p.authority).toBeGreaterThanOrEqual(p.consensus);
    expect(p.consensus).toBeGreaterThanOrEqual(p.majority);
    expect(p.authority).toBeGreaterThan(p.majority + 15);
    expect(r.score.sybil.percent.consensus).toBe(0);
    expect(r.score.sybil.percent.authority).toBeGreaterThan(50);
    expect(r.learn.iterations).toBeGreaterThan(1);
  }, 180_000);

  it('the same seed makes the same world; bad options name the field', () => {
    const a = makeWorld({ ...WORLD_DEFAULTS, seed: 3, facts: 50 });
    const b = makeWorld({ ...WORLD_DEFAULTS, seed: 3, facts: 50 });
    expect(b.claims).toEqual(a.claims);
    expect(b.truth).toEqual(a.truth);
    expect(a.agents.filter((x) => x.role === 'copier')).toHaveLength(9); // 30 % of 29
    expect(makeWorld({ ...WORLD_DEFAULTS, seed: 4, facts: 50 }).truth).not.toEqual(a.truth);
    expect(() => makeWorld({ ...WORLD_DEFAULTS, seed: 1, facts: 0 })).toThrow(SimInputError);
    expect(() => makeWorld({ ...WORLD_DEFAULTS, seed: 1, copierShare: 1 })).toThrow(expect.objectContaining({ field: 'copierShare' }));
    expect(() => makeWorld({ ...WORLD_DEFAULTS, seed: 1, facts: 10 })).toThrow(expect.objectContaining({ field: 'sybilFacts' }));
  });
});
