/**
 * Benchmark results: every bench writes bench/results/<name>.json (machine
 * readable, with the environment) and <name>.md (a Markdown table for people).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

export const RESULTS_DIR = resolve(__dirname, "..", "..", "..", "bench", "results");
/** Throwaway data (logs, stores) for benchmarks; removed by `make clean`, ignored by git. */
export const SCRATCH_DIR = resolve(__dirname, '..', '..', '..', 'bench', 'scratch');

export interface Table {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | number>>;
  /** Prose under the table: what was measured and how to read it. */
  readonly notes?: readonly string[];
}

export function environment(): Record<string, unknown> {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    memory_gib: Math.round(totalmem() / 2 ** 30),
  };
}

function renderTable(t: Table): string {
  const head = `| ${t.columns.join(' | ')} |`;
  const sep = `|${t.columns.map(() => '---').join('|')}|`;
  const body = t.rows.map((r) => `| ${r.map(String).join(' | ')} |`);
  return [`### ${t.title}`, '', head, sep, ...body, '', ...(t.notes ?? []).map((n) => `${n}\n`)].join('\n');
}

/** Write <name>.json and <name>.md; returns the Markdown (also printed by the runner). */
export function writeResults(name: string, data: Record<string, unknown>, tables: readonly Table[]): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const env = environment();
  writeFileSync(join(RESULTS_DIR, `${name}.json`), JSON.stringify({ name, environment: env, ...data }, null, 2) + '\n');
  const md = [`## ${name}`, '', `Measured ${String(env.date)} on ${String(env.cpus)} × ${String(env.cpu_model)}, Node ${String(env.node)}.`, '', ...tables.map(renderTable)].join('\n');
  writeFileSync(join(RESULTS_DIR, `${name}.md`), md + '\n');
  return md;
}

/** Percentile of an ascending-sorted array (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
