/**
 * Where the CPU goes while a reader keeps up with the writer:
 * `node dist/bench/profile-keepup.js [all|none] [--cpu-only]` runs one keep-up
 * round (bench/keepup.ts: the producer in this process, a writer and a reader
 * tailing it over gRPC with `--verify` as given, default none) with the writer
 * and the reader under `node --cpu-prof`, then prints the CPU per record of
 * each process and thread and the top frames of both main threads by self and
 * by inclusive time, over the measured part of the round (after its JIT
 * warm-up). `--cpu-only` leaves the profiler out (its sampling costs
 * CPU too) and prints the CPU table alone. The .cpuprofile files stay in
 * bench/scratch/profiles for a closer look (Chrome DevTools).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setLogLevel } from '../shared/telemetry/logger';
import { busyShare, topFrames, withinWindow, type CpuProfile, type TimedProfile } from './lib/cpu-profile';
import { SCRATCH_DIR } from './lib/results';
import { CPU_COLUMNS, cpuRows } from './lib/thread-cpu';
import { runWithReaderFlags } from './lib/service-child';
import { keepUpOnce, signedRequests, type Verify } from './keepup';

const PROFILE_DIR = join(SCRATCH_DIR, 'profiles');
const TOP_FRAMES = 40;

function markdown(columns: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** The main thread's profile of the process `pid` (thread 0 of its CPU.<date>.<time>.<pid>.<thread>.<seq> files) and the others' busy shares. */
function profileOf(pid: number, window: { fromUs: number; toUs: number }): { main: CpuProfile; othersBusy: number[] } {
  const files = readdirSync(PROFILE_DIR).filter((f) => f.includes(`.${pid}.`));
  const load = (f: string): CpuProfile => withinWindow(JSON.parse(readFileSync(join(PROFILE_DIR, f), 'utf8')) as TimedProfile, window.fromUs, window.toUs);
  const mainFile = files.find((f) => f.includes(`.${pid}.0.`));
  if (mainFile === undefined) throw new Error(`no main-thread profile of process ${pid} in ${PROFILE_DIR}`);
  return { main: load(mainFile), othersBusy: files.filter((f) => f !== mainFile).map((f) => busyShare(load(f))) };
}

function framesReport(name: string, pid: number, window: { fromUs: number; toUs: number }): string {
  const { main, othersBusy } = profileOf(pid, window);
  const { self, inclusive, busy } = topFrames(main, TOP_FRAMES);
  const pct = (x: number): string => `${Math.round(100 * x)}%`;
  const rows = (r: [string, number][]): string[][] => r.map(([k, v]) => [`${v}%`, `\`${k}\``]);
  return (
    `### ${name}: main thread busy ${pct(busy)} of ${main.samples.length} samples; worker threads busy ${othersBusy.map(pct).join(', ') || 'none'}\n\n` +
    `${markdown(['self', 'frame'], rows(self))}\n\n${markdown(['inclusive', 'frame'], rows(inclusive))}\n`
  );
}

async function main(): Promise<void> {
  // This process runs as make bench's does (the Node flags of a reader: runWithReaderFlags).
  if (runWithReaderFlags(__filename)) return;
  const [verifyArg = 'none'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (verifyArg !== 'all' && verifyArg !== 'none') throw new Error('usage: profile-keepup [all|none] [--cpu-only]');
  const verify: Verify = verifyArg;
  const profiling = !process.argv.includes('--cpu-only');
  setLogLevel('warn');
  rmSync(SCRATCH_DIR, { recursive: true, force: true });
  mkdirSync(PROFILE_DIR, { recursive: true });
  const requests = signedRequests();
  const prof = profiling ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const { row, writerPid, readerPid, window } = await keepUpOnce(requests, verify, { writer: prof, reader: prof });
  const head =
    `--verify ${verify}, R ${row.r_verifies_per_sec.used} (${row.r_verifies_per_sec.before} before, ${row.r_verifies_per_sec.after} after): writer ${row.writer_records_per_sec}/s (${row.writer_over_r} R), reader ${row.reader_records_per_sec}/s (${row.reader_over_writer}× the writer), ` +
    `lag p99 ${row.lag_ms.p99} ms, caught up ${row.catch_up_after_producer_ms} ms after the producer; written per record: writer ${row.write_bytes_per_record.writer ?? '?'} B, reader ${row.write_bytes_per_record.reader ?? '?'} B; load average ${loadavg()[0]!.toFixed(2)}${profiling ? ' (under the profiler)' : ''}\n\n` +
    `${markdown(CPU_COLUMNS, cpuRows(`--verify ${verify}`, row.cpu))}\n\n`;
  process.stdout.write(head + (profiling ? `${framesReport('writer', writerPid, window)}\n${framesReport('reader', readerPid, window)}` : ''));
}

main().catch((err: unknown) => {
  process.stderr.write(`profile-keepup failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
