/**
 * What telemetry costs when it is not configured: the hot paths (WAL appends,
 * ingest) with OTEL_* unset — spans and metrics go through the OpenTelemetry
 * no-op API — against the same build with STEMEDB_TELEMETRY=off, where the span
 * helpers skip the API entirely. Each measurement is a fresh child process;
 * the two settings alternate, and the median of the runs is compared.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { INGEST_RECORDS, WAL_APPENDERS, WAL_DURATION_MS, WAL_PAYLOAD_BYTES } from './lib/telemetry-workload';
import { round, SCRATCH_DIR, writeResults } from './lib/results';

const RUNS_PER_SETTING = 5;
const WORKLOAD = join(__dirname, 'lib', 'telemetry-workload.js');
const SETTINGS = [
  { name: 'OTEL_* unset (no-op API)', env: {} },
  { name: 'STEMEDB_TELEMETRY=off', env: { STEMEDB_TELEMETRY: 'off' } },
] as const;

function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OTEL_') && k !== 'STEMEDB_TELEMETRY') env[k] = v;
  return env;
}

function measure(mode: 'wal' | 'ingest', extra: Record<string, string>, run: number): number {
  const dir = join(SCRATCH_DIR, `telemetry-${mode}-${run}-${Object.keys(extra).length}`);
  rmSync(dir, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [WORKLOAD, mode, dir], { env: { ...baseEnv(), ...extra }, encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`telemetry workload ${mode} failed (${r.status}): ${r.stderr}`);
  return (JSON.parse(r.stdout.trim()) as { rate: number }).rate;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<string> {
  const results: Record<string, Record<string, number[]>> = { wal: {}, ingest: {} };
  for (const mode of ['wal', 'ingest'] as const) {
    for (const s of SETTINGS) results[mode]![s.name] = [];
    for (let i = 0; i < RUNS_PER_SETTING; i++) {
      // Alternate which setting goes first, so drift on a shared machine hits both.
      const order = i % 2 === 0 ? SETTINGS : [...SETTINGS].reverse();
      for (const s of order) results[mode]![s.name]!.push(measure(mode, s.env, i));
    }
  }
  const rows = (['wal', 'ingest'] as const).map((mode) => {
    const on = median(results[mode]![SETTINGS[0].name]!);
    const off = median(results[mode]![SETTINGS[1].name]!);
    return [mode === 'wal' ? `WAL appends/s (${WAL_APPENDERS} appenders, ${WAL_PAYLOAD_BYTES} B, durability none, ${WAL_DURATION_MS / 1000} s)` : `ingest records/s (${INGEST_RECORDS / 1000}k signed assertions)`, Math.round(on), Math.round(off), `${round((on / off) * 100, 1)}%`];
  });
  return writeResults(
    'telemetry',
    { runs_per_setting: RUNS_PER_SETTING, raw: results },
    [
      {
        title: 'Telemetry cost when OTEL_* is unset',
        columns: ['path', SETTINGS[0].name, SETTINGS[1].name, 'unset / off'],
        rows,
        notes: [
          `Median of ${RUNS_PER_SETTING} runs per setting, each a fresh process; settings alternate. With OTEL_* unset no SDK and no exporter start; spans and metrics are calls into the no-op API.`,
        ],
      },
    ],
  );
}
