/**
 * The RPC ceiling of this machine: a 300 B unary echo over loopback, client in
 * this process and server in a child process, at 1, 16, 64 and 256 calls in
 * flight on one channel. Measured twice: a bare grpc-js server, and the same
 * echo through `shared/grpc` (startServer + unary wrapper), so the cost of our
 * plumbing is visible. Other benches reuse `startEchoServer`, `measureEcho` and
 * `measureClosedLoop` to put their figures beside this ceiling in the same run.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import { callUnary, makeClient, waitForReady } from '../shared/grpc/client';
import { EchoClient, type EchoMode } from './lib/echo-server';
import { percentile, round, writeResults } from './lib/results';

/** Payload of every echo call, the size of a typical signed assertion. */
export const ECHO_PAYLOAD_BYTES = 300;
/** Calls in flight at each measured point. */
export const ECHO_CONCURRENCY_LEVELS = [1, 16, 64, 256] as const;
/** Measured time per point, after the warm-up. */
export const ECHO_DURATION_MS = 3_000;
/** Unmeasured calls first, so the JIT and the connection are warm. */
export const ECHO_WARMUP_MS = 500;
/** Per-call deadline: a stuck call fails the bench rather than hanging it. */
const CALL_DEADLINE_MS = 10_000;
const READY_TIMEOUT_MS = 20_000;

export interface LoadPoint {
  readonly concurrency: number;
  readonly calls: number;
  readonly callsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/**
 * Closed-loop load: `concurrency` workers each call `callOnce` back to back
 * for `durationMs` (after `warmupMs` unmeasured); latency per call.
 */
export async function measureClosedLoop(callOnce: () => Promise<unknown>, concurrency: number, durationMs: number, warmupMs = ECHO_WARMUP_MS): Promise<LoadPoint> {
  const run = async (ms: number, latencies: number[] | undefined): Promise<number> => {
    const endAt = performance.now() + ms;
    let calls = 0;
    const worker = async (): Promise<void> => {
      while (performance.now() < endAt) {
        const t0 = performance.now();
        await callOnce();
        latencies?.push(performance.now() - t0);
        calls += 1;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return calls;
  };
  await run(warmupMs, undefined);
  const latencies: number[] = [];
  const started = performance.now();
  const calls = await run(durationMs, latencies);
  const elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { concurrency, calls, callsPerSec: Math.round((calls * 1000) / elapsedMs), p50Ms: round(percentile(latencies, 50), 2), p99Ms: round(percentile(latencies, 99), 2) };
}

export interface EchoServer {
  readonly address: string;
  readonly mode: EchoMode;
  stop(): Promise<void>;
}

/** Start the echo server as a child process (built JavaScript) and wait for its ready line. */
export function startEchoServer(mode: EchoMode = 'bare'): Promise<EchoServer> {
  const child = spawn(process.execPath, [join(__dirname, 'lib', 'echo-server.js'), mode], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { STEMEDB_LOG_LEVEL: 'warn', ...process.env },
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`echo server (${mode}) not ready after ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`echo server (${mode}) exited with ${String(code)} before it was ready`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      const msg = JSON.parse(line) as { ready?: boolean; address?: string };
      if (msg.ready !== true || msg.address === undefined) return reject(new Error(`echo server: unexpected first line ${line}`));
      resolve({
        address: msg.address,
        mode,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}

/** Echo calls/s and latency at one concurrency against a running echo server. */
export async function measureEcho(address: string, concurrency: number, durationMs: number = ECHO_DURATION_MS, payloadBytes: number = ECHO_PAYLOAD_BYTES): Promise<LoadPoint> {
  const client = makeClient(EchoClient, address);
  try {
    await waitForReady(client, READY_TIMEOUT_MS);
    const payload = Buffer.alloc(payloadBytes, 0x5a);
    const echo = client.echo.bind(client);
    return await measureClosedLoop(async () => {
      const res = await callUnary(echo, payload, { deadlineMs: CALL_DEADLINE_MS, metadata: new grpc.Metadata() });
      if (res.length !== payloadBytes) throw new Error(`echo returned ${res.length} bytes, sent ${payloadBytes}`);
    }, concurrency, durationMs);
  } finally {
    client.close();
  }
}

export async function run(): Promise<string> {
  const results: Record<EchoMode, LoadPoint[]> = { bare: [], stemedb: [] };
  const loadBefore = round(loadavg()[0]!, 2);
  const servers = { bare: await startEchoServer('bare'), stemedb: await startEchoServer('stemedb') };
  try {
    // Alternate the two servers point by point, so drifting machine load hits both alike.
    for (const c of ECHO_CONCURRENCY_LEVELS) {
      for (const mode of ['bare', 'stemedb'] as const) results[mode].push(await measureEcho(servers[mode].address, c));
    }
  } finally {
    await Promise.all([servers.bare.stop(), servers.stemedb.stop()]);
  }
  const loadAfter = round(loadavg()[0]!, 2);
  const rows = ECHO_CONCURRENCY_LEVELS.map((c, i) => {
    const b = results.bare[i]!;
    const s = results.stemedb[i]!;
    return [c, b.callsPerSec, b.p50Ms, b.p99Ms, s.callsPerSec, s.p50Ms, s.p99Ms, `${Math.round((100 * s.callsPerSec) / b.callsPerSec)}%`];
  });
  return writeResults(
    'echo',
    {
      payload_bytes: ECHO_PAYLOAD_BYTES,
      duration_ms: ECHO_DURATION_MS,
      warmup_ms: ECHO_WARMUP_MS,
      load_average_1m: { before: loadBefore, after: loadAfter },
      bare: results.bare,
      stemedb: results.stemedb,
    },
    [
      {
        title: `Unary echo, ${ECHO_PAYLOAD_BYTES} B, loopback, one channel, server in a child process`,
        columns: ['in flight', 'bare calls/s', 'bare p50 ms', 'bare p99 ms', 'shared/grpc calls/s', 'shared/grpc p50 ms', 'shared/grpc p99 ms', 'shared/grpc / bare'],
        rows,
        notes: [
          '"bare" is a plain grpc-js server with our limits: the RPC ceiling of this machine that the writer\'s Append is compared against.',
          '"shared/grpc" is the same handler served through startServer and the unary wrapper (decode guard interceptor, call tracking, deadline watch, status mapping).',
          `Closed loop: each of N workers calls back to back for ${ECHO_DURATION_MS} ms after ${ECHO_WARMUP_MS} ms of warm-up; client and server share the machine's cores.`,
          `1-minute load average ${loadBefore} before and ${loadAfter} after the run: well above the core count means other work shared the CPUs and the figures are noisy.`,
        ],
      },
    ],
  );
}
