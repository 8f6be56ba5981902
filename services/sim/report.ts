/**
 * What a simulation run prints: per-seed accuracy tables (Markdown) and the
 * acceptance checks of docs/LENSES.md "Simulator" (Authority ≥ majority + 15
 * points, ≥ oracle − 3 points, never below Consensus).
 */
import type { SimRun } from './run-sim';
import { SCORED } from './score';

/** Authority must beat plain majority by this many points. */
export const AUTHORITY_OVER_MAJORITY_POINTS_MIN = 15;
/** Authority may trail the oracle by at most this many points. */
export const AUTHORITY_UNDER_ORACLE_POINTS_MAX = 3;

export interface SeedCheck {
  readonly seed: number;
  readonly overMajority: number;
  readonly underOracle: number;
  readonly overConsensus: number;
  readonly holds: boolean;
}

export function checkRun(run: SimRun): SeedCheck {
  const p = run.score.main.percent;
  const overMajority = p.authority - p.majority;
  const underOracle = p.oracle - p.authority;
  const overConsensus = p.authority - p.consensus;
  return {
    seed: run.options.seed,
    overMajority,
    underOracle,
    overConsensus,
    holds: overMajority >= AUTHORITY_OVER_MAJORITY_POINTS_MIN && underOracle <= AUTHORITY_UNDER_ORACLE_POINTS_MAX && overConsensus >= 0,
  };
}

const pct = (x: number): string => x.toFixed(1);

export function runsMarkdown(runs: readonly SimRun[]): string {
  const head = `| seed | facts scored | ${SCORED.join(' | ')} | Authority − majority | oracle − Authority | Authority − Consensus | holds |`;
  const rule = `|${' --- |'.repeat(SCORED.length + 6)}`;
  const rows = runs.map((r) => {
    const c = checkRun(r);
    return `| ${r.options.seed} | ${r.score.main.facts} | ${SCORED.map((s) => pct(r.score.main.percent[s])).join(' | ')} | ${pct(c.overMajority)} | ${pct(c.underOracle)} | ${pct(c.overConsensus)} | ${c.holds ? 'yes' : 'NO'} |`;
  });
  const side = (title: string, pick: (r: SimRun) => SimRun['score']['sybil']): string[] => [
    '',
    `${title}:`,
    '',
    `| seed | facts | ${SCORED.join(' | ')} |`,
    `|${' --- |'.repeat(SCORED.length + 2)}`,
    ...runs.map((r) => `| ${r.options.seed} | ${pick(r).facts} | ${SCORED.map((s) => pct(pick(r).percent[s])).join(' | ')} |`),
  ];
  const cost = [
    '',
    'Cost per seed (load = sign + AppendBatch + reader catch-up; learn = ListClaims + estimate + append):',
    '',
    '| seed | records | load ms | learn read ms | estimate ms | iterations | heap MiB | score ms |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...runs.map((r) => `| ${r.options.seed} | ${r.records} | ${Math.round(r.loadMs)} | ${Math.round(r.learn.readMs)} | ${Math.round(r.learn.estimateMs)} | ${r.learn.iterations}${r.learn.converged ? '' : ' (cap)'} | ${r.learn.heapUsedMiB.toFixed(1)} | ${Math.round(r.scoreMs)} |`),
  ];
  return [head, rule, ...rows, ...side('Sybil target facts (included above)', (r) => r.score.sybil), ...side('Supersession-hijack facts (not included above)', (r) => r.score.hijack), ...cost].join('\n');
}
