/**
 * Where offline ingest's time goes: `node dist/bench/profile-ingest.js
 * [all|none] [scale] [--cpu-only]` prepares the ingest bench's log (scale 0.25 = 50k
 * records by default), ingests it into a fresh store with store durability
 * sync and the given verify mode, profiling the main thread (node:inspector)
 * for the ingest alone, and prints the rate and the top frames by self and
 * inclusive time (`--cpu-only`: no profiler, the rate and the main thread's CPU
 * per record alone; `--heap`: a sampling heap profile instead, bytes allocated
 * per record by frame; `--survivors`: the same for the bytes that survived a
 * scavenge, what the young-generation collector copies). The rate line gives the collector's pauses during the
 * ingest (PerformanceObserver "gc"; with --single-threaded-gc all its work is on
 * the main thread) and the minor page faults per record (cpu-profile.ts
 * `minorFaults`). The .cpuprofile (or .heapprofile) stays in bench/scratch/profiles.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { join } from 'node:path';
import type { VerifyMode } from '../services/ingest/check-record';
import { setLogLevel } from '../shared/telemetry/logger';
import { ingestOnce, prepareRecords, writeLog } from './ingest';
import { cpuByThread, cpuSeconds, cpuUsByName, framesMarkdown, minorFaults, topFrames, type CpuProfile } from './lib/cpu-profile';
import { HEAP_SAMPLING, HEAP_SAMPLING_SURVIVORS, topAllocations, type HeapProfileNode } from './lib/heap-profile';
import { measureR } from './lib/machine-speed';
import { SCRATCH_DIR } from './lib/results';
import { runWithReaderFlags } from './lib/service-child';

const PROFILE_DIR = join(SCRATCH_DIR, 'profiles');
const TOP_FRAMES = 50;
const DEFAULT_SCALE = 0.25;

async function main(): Promise<void> {
  // This process runs as make bench's does (the Node flags of a reader: runWithReaderFlags).
  if (runWithReaderFlags(__filename)) return;
  const [mode = 'none', scaleArg = String(DEFAULT_SCALE)] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (mode !== 'all' && mode !== 'none') throw new Error('usage: profile-ingest [all|none] [scale] [--cpu-only|--heap|--survivors]');
  setLogLevel('warn');
  const dir = join(SCRATCH_DIR, 'profile-ingest');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(PROFILE_DIR, { recursive: true });
  const records = prepareRecords(Number(scaleArg));
  const { head } = await writeLog(join(dir, 'wal'), records);
  const r = measureR();
  const survivors = process.argv.includes('--survivors');
  const heap = survivors || process.argv.includes('--heap');
  const profiling = !heap && !process.argv.includes('--cpu-only');
  const session = new Session();
  session.connect();
  if (heap) {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', survivors ? HEAP_SAMPLING_SURVIVORS : HEAP_SAMPLING);
  }
  if (profiling) {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const gc = { minorMs: 0, minor: 0, majorMs: 0, major: 0 };
  // The collector's pauses on this thread during the ingest (with --single-threaded-gc, all of its work).
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) (gc.minor++, (gc.minorMs += e.duration));
      else if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) (gc.major++, (gc.majorMs += e.duration));
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const mainCpu0 = cpuSeconds(process.pid, process.pid);
  const faults0 = { main: minorFaults(process.pid, process.pid), all: minorFaults(process.pid) };
  const threads0 = cpuByThread(process.pid);
  const run = await ingestOnce(join(dir, 'wal'), join(dir, 'data'), head, 'sync', mode as VerifyMode);
  gcObserver.disconnect();
  const us = (sec: number): number => Math.round((sec * 1e6) / records.length);
  const mainUs = us(cpuSeconds(process.pid, process.pid) - mainCpu0);
  const perRecord = (n: number): string => (n / records.length).toFixed(2);
  const faults = { main: perRecord(minorFaults(process.pid, process.pid) - faults0.main), all: perRecord(minorFaults(process.pid) - faults0.all) };
  // Threads share names (libuv pool, V8 helpers, lmdb's writer): summed per name.
  const threads = cpuUsByName(process.pid, threads0, records.length);
  const total = threads.reduce((n, [, v]) => n + v, 0);
  const line =
    `ingest (verify ${mode}, durability sync): ${records.length} records, ${Math.round(run.perSec)} records/s = ${(run.perSec / r).toFixed(2)} R (R ${r}); ` +
    `main thread CPU ${mainUs} µs/record, of it GC pauses ${((1000 * (gc.minorMs + gc.majorMs)) / records.length).toFixed(1)} µs/record (${gc.minor} scavenges ${Math.round(gc.minorMs)} ms, ${gc.major} mark-compacts ${Math.round(gc.majorMs)} ms); all threads ${total} µs/record (${threads.map(([n, v]) => `${n} ${v}`).join(', ')}); minor page faults per record ${faults.main} main thread, ${faults.all} all threads; load average ${loadavg()[0]!.toFixed(2)}`;
  if (heap) {
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: HeapProfileNode } };
    session.disconnect();
    // Kept like the .cpuprofile, for reading by caller (e.g. who allocates under \`sort\`).
    const file = join(PROFILE_DIR, `ingest-${mode}-${Date.now()}.heapprofile`);
    writeFileSync(file, JSON.stringify(profile));
    const { perUnit, self, inclusive } = topAllocations(profile.head, records.length, TOP_FRAMES);
    const table = (rows: [string, number][]): string => rows.map(([k, v]) => `| ${v} | \`${k}\` |`).join('\n');
    rmSync(dir, { recursive: true, force: true });
    return void process.stdout.write(
      `${line}; ${survivors ? "survived a scavenge" : "allocated"} ${perUnit} B/record (sampled); profile ${file}\n\n| self B/record | frame |\n|---|---|\n${table(self)}\n\n| inclusive B/record | frame |\n|---|---|\n${table(inclusive)}\n`,
    );
  }
  if (!profiling) {
    rmSync(dir, { recursive: true, force: true });
    return void process.stdout.write(`${line}\n`);
  }
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
  session.disconnect();
  const file = join(PROFILE_DIR, `ingest-${mode}-${Date.now()}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  const { self, inclusive, busy } = topFrames(profile, TOP_FRAMES);
  process.stdout.write(`${line}; main thread busy ${Math.round(100 * busy)}%; profile ${file}\n\n${framesMarkdown(self, inclusive)}`);
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`profile-ingest failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
