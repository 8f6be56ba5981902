/**
 * Where the store's commit path spends the applying thread's time:
 * `node dist/bench/profile-commit.js [scale] [--cpu-only]` captures the batches
 * a trusted offline ingest of the ingest bench's log commits (scale 0.25 = 50k
 * records by default), replays them into a fresh store through
 * HybridStore.applyBatch one after the other (durability sync), and prints the
 * rate, the main thread's CPU per record and by thread, and the replay's top
 * frames by self and inclusive time (`--cpu-only`: no profiler). The
 * .cpuprofile stays in bench/scratch/profiles.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { openHybridStore } from '../shared/storage/hybrid-store';
import { setLogLevel } from '../shared/telemetry/logger';
import { ingestOnce, opCount, prepareRecords, writeLog, type CapturedCommit } from './ingest';
import { cpuByThread, cpuSeconds, cpuUsByName, framesMarkdown, topFrames, type CpuProfile } from './lib/cpu-profile';
import { SCRATCH_DIR } from './lib/results';
import { runWithReaderFlags } from './lib/service-child';

const PROFILE_DIR = join(SCRATCH_DIR, 'profiles');
const TOP_FRAMES = 40;
const DEFAULT_SCALE = 0.25;

async function main(): Promise<void> {
  // This process runs as make bench's does (the Node flags of a reader: runWithReaderFlags).
  if (runWithReaderFlags(__filename)) return;
  const [scaleArg = String(DEFAULT_SCALE)] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  setLogLevel('warn');
  const dir = join(SCRATCH_DIR, 'profile-commit');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(PROFILE_DIR, { recursive: true });
  const records = prepareRecords(Number(scaleArg));
  const { head } = await writeLog(join(dir, 'wal'), records);
  const commits: CapturedCommit[] = [];
  await ingestOnce(join(dir, 'wal'), join(dir, 'capture'), head, 'sync', 'none', (c) => commits.push(c));
  const ops = commits.reduce((n, c) => n + opCount(c.ops), 0);
  const profiling = !process.argv.includes('--cpu-only');
  const store = await openHybridStore(join(dir, 'replay'), { durability: 'sync' });
  const session = new Session();
  session.connect();
  if (profiling) {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const mainCpu0 = cpuSeconds(process.pid, process.pid);
  const threads0 = cpuByThread(process.pid);
  const t0 = performance.now();
  for (const c of commits) await store.applyBatch(c.ops, c.appliedThrough);
  await store.flush();
  const seconds = (performance.now() - t0) / 1000;
  const us = (sec: number): number => Math.round((sec * 1e6) / records.length);
  const mainUs = us(cpuSeconds(process.pid, process.pid) - mainCpu0);
  // Threads share names (libuv pool, V8 helpers, lmdb's writer): summed per name.
  const threads = cpuUsByName(process.pid, threads0, records.length);
  await store.close();
  const line =
    `commit only: ${commits.length} batches, ${records.length} records (${(ops / records.length).toFixed(2)} ops/record), ${Math.round(records.length / seconds)} records/s; ` +
    `main thread CPU ${mainUs} µs/record; by thread ${threads.map(([n, v]) => `${n} ${v}`).join(', ')} µs/record; load average ${loadavg()[0]!.toFixed(2)}`;
  if (!profiling) {
    rmSync(dir, { recursive: true, force: true });
    return void process.stdout.write(`${line}\n`);
  }
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
  session.disconnect();
  const file = join(PROFILE_DIR, `commit-${Date.now()}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  const { self, inclusive, busy } = topFrames(profile, TOP_FRAMES);
  process.stdout.write(`${line}; main thread busy ${Math.round(100 * busy)}%; profile ${file}\n\n${framesMarkdown(self, inclusive)}`);
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`profile-commit failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
