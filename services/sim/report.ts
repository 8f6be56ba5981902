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

/** A titled table with notes (the shape bench/lib/results.ts writes). */
export interface SimTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | number>>;
  readonly notes?: readonly string[];
}

/** Accuracy per seed (the acceptance figures), Sybil and hijack facts apart, and the cost. */
export function simTables(runs: readonly SimRun[]): SimTable[] {
  const side = (title: string, pick: (r: SimRun) => SimRun['score']['sybil'], notes: string[]): SimTable => ({
    title,
    columns: ['seed', 'facts', ...SCORED],
    rows: runs.map((r) => [r.options.seed, pick(r).facts, ...SCORED.map((s) => pct(pick(r).percent[s]))]),
    notes,
  });
  return [
    {
      title: 'Accuracy (% of facts without a gold standard, hijacked facts excluded)',
      columns: ['seed', 'facts', ...SCORED, 'Authority − majority', 'oracle − Authority', 'Authority − Consensus', 'holds'],
      rows: runs.map((r) => {
        const c = checkRun(r);
        return [r.options.seed, r.score.main.facts, ...SCORED.map((s) => pct(r.score.main.percent[s])), pct(c.overMajority), pct(c.underOracle), pct(c.overConsensus), c.holds ? 'yes' : 'NO'];
      }),
      notes: [
        `Holds: Authority (default options: newest learned pack + gold evidence) >= majority + ${AUTHORITY_OVER_MAJORITY_POINTS_MIN} points, >= oracle - ${AUTHORITY_UNDER_ORACLE_POINTS_MAX} points, and >= Consensus. The oracle is Authority with a trust pack of the true reliabilities.`,
      ],
    },
    side('Sybil target facts (included above)', (r) => r.score.sybil, ['Every Sybil key asserts the same false value, each with its own evidence hash: Consensus and majority count keys by design.']),
    side('Supersession-hijack facts (not included above)', (r) => r.score.hijack, ['A hijacker co-signs the best agent\'s true claim, then supersedes it with a false value.']),
    {
      title: 'Cost per seed',
      columns: ['seed', 'records', 'load ms', 'learn read ms', 'estimate ms', 'iterations', 'heap MiB', 'score ms'],
      rows: runs.map((r) => [r.options.seed, r.records, Math.round(r.loadMs), Math.round(r.learn.readMs), Math.round(r.learn.estimateMs), `${r.learn.iterations}${r.learn.converged ? '' : ' (cap)'}`, r.learn.heapUsedMiB.toFixed(1), Math.round(r.scoreMs)]),
      notes: ['load = sign + AppendBatch + reader catch-up; learn read = ListClaims pages; estimate = truth discovery; score = every fact of every lens over gRPC.'],
    },
  ];
}

/** The tables as Markdown. */
export function runsMarkdown(runs: readonly SimRun[]): string {
  return simTables(runs)
    .map((t) => [`### ${t.title}`, '', `| ${t.columns.join(' | ')} |`, `|${t.columns.map(() => '---').join('|')}|`, ...t.rows.map((r) => `| ${r.map(String).join(' | ')} |`), '', ...(t.notes ?? [])].join('\n'))
    .join('\n\n');
}
