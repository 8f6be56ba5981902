/**
 * Where the writer's time goes under one append path's load:
 * `node dist/bench/profile-writer.js <batch|stream|unary> [seconds]` starts a
 * writer child under `node --cpu-prof`, drives it as the writer bench does
 * (AppendBatch 100 per call, 8 in flight; one AppendStream of 100-record
 * requests with 1024 records unacknowledged; unary Append at 64 in flight), stops it, and prints the top
 * frames of its main thread by self time and by inclusive time (a frame's own
 * time plus its callees', counted once when it recurses), over the samples of
 * the measured load only (after the warm-up, without the child's start-up). The .cpuprofile
 * stays in bench/scratch/profiles for a closer look (Chrome DevTools).
 * The CPU line gives µs per record by thread and, beside it, the bare
 * libsodium verify time measured in the same run before the load.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Record as PbRecord } from '../shared/gen/stemedb/v1/records';
import { WriterServiceClient } from '../shared/gen/stemedb/v1/writer';
import { makeClient, waitForReady } from '../shared/grpc/client';
import { setLogLevel } from '../shared/telemetry/logger';
import { measureSodiumVerify } from './lib/machine-speed';
import { SCRATCH_DIR } from './lib/results';
import { runWithReaderFlags, startServiceChild } from './lib/service-child';
import { busyShare, cpuByThread, cpuSeconds, monotonicUs, topFrames, withinWindow, type CpuProfile, type TimedProfile } from './lib/cpu-profile';
import { appendRequestBytes, batchRequestBytes, JIT_WARMUP_MS, measureAppend, measureBatch, measureStream, signRecords, streamRequestBytes, supply } from './lib/writer-load';

const PROFILE_DIR = join(SCRATCH_DIR, 'profiles');
const READY_TIMEOUT_MS = 20_000;
/** Load before the profiled window: the JIT warm-up the writer bench gives each fresh server. */
const WARMUP_MS = JIT_WARMUP_MS;
/** Records signed per second of load, warm-up included (above any rate this machine reaches: AppendStream ran at 29k/s). */
const RECORDS_PER_SEC_MAX = 40_000;
const TOP_FRAMES = 60;
/** How long the bare libsodium verify rate is measured (on this process, before the load). */
const SODIUM_MS = 1_000;

/** The load of one append path: its requests, encoded up front (so neither the load nor the client's CPU figure includes encoding), and how to send them. */
interface PathLoad {
  /** Records handed out so far (warm-up included). */
  readonly used: () => number;
  readonly send: (address: string, ms: number) => Promise<string>;
}

function pathLoad(path: string, records: readonly PbRecord[]): PathLoad {
  if (path === 'batch') {
    const s = supply(batchRequestBytes(records, 100), path);
    return { used: () => s.used * 100, send: async (address, ms) => `${(await measureBatch(address, s.next, 100, 8, ms, WARMUP_MS)).recordsPerSec} records/s` };
  }
  if (path === 'stream') {
    const s = supply(streamRequestBytes(records, 100), path);
    return { used: () => s.used * 100, send: async (address, ms) => `${(await measureStream(address, s.next, 1024, ms, WARMUP_MS)).recordsPerSec} records/s` };
  }
  const s = supply(appendRequestBytes(records), path);
  return { used: () => s.used, send: async (address, ms) => `${(await measureAppend(address, s.next, 64, ms, WARMUP_MS)).callsPerSec} calls/s` };
}

async function drive(load: PathLoad, address: string, seconds: number): Promise<{ rate: string; records: number; fromUs: number; toUs: number }> {
  const c = makeClient(WriterServiceClient, address);
  try {
    await waitForReady(c, READY_TIMEOUT_MS);
    const fromUs = monotonicUs() + WARMUP_MS * 1000;
    const rate = await load.send(address, seconds * 1000);
    return { rate, records: load.used(), fromUs, toUs: monotonicUs() };
  } finally {
    c.close();
  }
}

async function main(): Promise<void> {
  // This process runs as make bench's does (the Node flags of a reader: runWithReaderFlags).
  if (runWithReaderFlags(__filename)) return;
  const [path = '', secondsArg = '5'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (!['batch', 'stream', 'unary'].includes(path)) throw new Error('usage: profile-writer <batch|stream|unary> [seconds]');
  setLogLevel('warn');
  rmSync(SCRATCH_DIR, { recursive: true, force: true });
  mkdirSync(PROFILE_DIR, { recursive: true });
  const seconds = Number(secondsArg);
  // Signed and encoded before the writer starts, so its profile covers the load and little else.
  const appendLoad = pathLoad(path, signRecords(Math.ceil((seconds + WARMUP_MS / 1000 + 1) * RECORDS_PER_SEC_MAX)));
  const args = ['--wal', join(SCRATCH_DIR, 'profile-wal'), '--listen', '127.0.0.1:0', '--durability', 'fsync', '--max-connection-age-ms', '0', '--log-level', process.env.STEMEDB_LOG_LEVEL ?? 'warn'];
  // `--cpu-only`: no profiler (its own threads and sampling cost distort the CPU figures), only CPU per record.
  const profiling = !process.argv.includes('--cpu-only');
  // µs per verification by libsodium on one core, just before the load: what the verify worker's CPU per signature compares against.
  const sodiumUs = 1e6 / measureSodiumVerify(SODIUM_MS);
  const writer = await startServiceChild('writer', args, READY_TIMEOUT_MS, profiling ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []);
  let rate: string;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const writerCpu0 = cpuSeconds(writer.pid);
  const mainCpu0 = cpuSeconds(writer.pid, writer.pid);
  const threads0 = cpuByThread(writer.pid);
  let clientCpu = 0;
  let cpuPerRecord = '';
  let loadWindow = { fromUs: 0, toUs: Infinity };
  try {
    const driven = await drive(appendLoad, writer.address, seconds);
    rate = driven.rate;
    loadWindow = { fromUs: driven.fromUs, toUs: driven.toUs };
    const used = process.cpuUsage(cpu0);
    clientCpu = (used.user + used.system) / 1000 / (performance.now() - t0);
    const us = (sec: number): number => Math.round((sec * 1e6) / driven.records);
    const threads = [...cpuByThread(writer.pid)].map(([name, sec]): [string, number] => [name, us(sec - (threads0.get(name) ?? 0))]).filter(([, v]) => v > 0);
    const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${writer.pid}/status`, 'utf8'))?.[1];
    cpuPerRecord = `writer RSS ${Math.round(Number(rss) / 1024)} MiB; writer CPU ${us(cpuSeconds(writer.pid) - writerCpu0)} µs/record (main thread ${us(cpuSeconds(writer.pid, writer.pid) - mainCpu0)}; by thread ${threads.map(([n, v]) => `${n} ${v}`).join(', ')}); bare libsodium verify ${sodiumUs.toFixed(1)} µs on one core (one signature per record: compare the verify worker's thread)`;
  } finally {
    await writer.stop();
  }
  if (!profiling) return void process.stdout.write(`${path}: ${rate}; ${cpuPerRecord}; bench client CPU ${Math.round(100 * clientCpu)}% of one core; load average ${loadavg()[0]!.toFixed(2)}\n`);
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread, the others are verify workers.
  const files = readdirSync(PROFILE_DIR).filter((f) => f.includes(`.${writer.pid}.`));
  const load = (f: string): CpuProfile => withinWindow(JSON.parse(readFileSync(join(PROFILE_DIR, f), 'utf8')) as TimedProfile, loadWindow.fromUs, loadWindow.toUs);
  const main = load(files.find((f) => f.includes(`.${writer.pid}.0.`))!);
  const workersBusy = files.filter((f) => !f.includes(`.${writer.pid}.0.`)).map((f) => busyShare(load(f)));
  const { self, inclusive, busy } = topFrames(main, TOP_FRAMES);
  const table = (rows: [string, number][]): string => rows.map(([k, v]) => `| ${v}% | \`${k}\` |`).join('\n');
  const pct = (x: number): string => `${Math.round(100 * x)}%`;
  process.stdout.write(
    `${path}: ${rate}; ${cpuPerRecord}; writer main thread busy ${pct(busy)} of ${main.samples.length} samples, verify workers busy ${workersBusy.map(pct).join(', ')}; bench client CPU ${pct(clientCpu)} of one core; load average ${loadavg()[0]!.toFixed(2)}\n\n` +
      `Shares of the main thread's busy samples:\n\n| self | frame |\n|---|---|\n${table(self)}\n\n| inclusive | frame |\n|---|---|\n${table(inclusive)}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`profile-writer failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
