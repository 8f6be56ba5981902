/**
 * The writer's append path against the RPC ceiling of this machine, all in one
 * run: durable Append calls/s and p50/p99 at 1, 16, 64 and 256 in flight beside
 * a bare grpc-js echo of the same request size and concurrency (alternated
 * point by point, so drifting machine load hits both alike); records/s for
 * AppendBatch and AppendStream; and the WAL alone (in process, same payload
 * size) so the cost of durability is visible. The writer runs as a child
 * process (`stemedb writer --durability fsync`) on a scratch dir; records are
 * signed before any timing starts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { encodeLogPayload } from '../shared/domain/log-payload';
import { recordFromProto, recordToProto } from '../shared/domain/proto-convert';
import { generateKeyPair, signRecord } from '../shared/domain/signing';
import type { Record as PbRecord } from '../shared/gen/stemedb/v1/records';
import * as grpc from '@grpc/grpc-js';
import { AppendRequest, AppendResponse, WriterServiceClient, type AppendStreamResponse } from '../shared/gen/stemedb/v1/writer';
import { callUnary, makeClient, waitForReady } from '../shared/grpc/client';
import { useClientTlsFromEnv } from './lib/client-tls';
import { setLogLevel } from '../shared/telemetry/logger';
import { Wal } from '../shared/wal';
import { ECHO_CONCURRENCY_LEVELS, measureClosedLoop, measureEcho, startEchoServer, type LoadPoint } from './echo';
import { percentile, round, SCRATCH_DIR, writeResults } from './lib/results';
import { benchAssertion } from './lib/records';

/** Measured time per point, after the warm-up. */
const POINT_MS = 2_000;
const WARMUP_MS = 400;
/**
 * Both servers are fresh processes: before the first point each gets this long
 * at 64 in flight, so JIT tier-up of the much larger writer path is not billed
 * to whichever point happens to run first.
 */
const SERVER_WARMUP_MS = 3_000;
/** Distinct pre-signed records, used round robin (the writer does not deduplicate). */
const SIGNED_RECORDS = 20_000;
/** Signing agents the records are spread over. */
const AGENTS = 16;
const BATCH_RECORDS = 100;
const BATCH_CONCURRENCY = 8;
/** Records an AppendStream producer keeps unacknowledged (the writer reads at most its own bound ahead). */
const STREAM_WINDOW = 1024;
const WAL_POINT_MS = 1_500;
const READY_TIMEOUT_MS = 20_000;
const CALL_DEADLINE_MS = 30_000;

const CLI = join(__dirname, '..', 'services', 'cli', 'main.js');

interface WriterChild {
  readonly address: string;
  stop(): Promise<void>;
}

function startWriter(walDir: string): Promise<WriterChild> {
  const child: ChildProcess = spawn(process.execPath, [CLI, 'writer', '--wal', walDir, '--listen', '127.0.0.1:0', '--durability', 'fsync', '--max-connection-age-ms', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, STEMEDB_LOG_LEVEL: 'warn' },
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`writer not ready after ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`writer exited with ${String(code)} before it was ready`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      const msg = JSON.parse(line) as { ready?: boolean; address?: string };
      if (msg.ready !== true || msg.address === undefined) return reject(new Error(`writer: unexpected first line ${line}`));
      resolve({
        address: msg.address,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}

function signRecords(): PbRecord[] {
  const agents = Array.from({ length: AGENTS }, () => generateKeyPair());
  return Array.from({ length: SIGNED_RECORDS }, (_, i) => {
    const unsigned = benchAssertion(i, { subject: `bench:entity-${i}`, predicate: 'bench:measured-value', object: { kind: 'text', value: `value ${i} of a typical assertion's object, about this long` }, confidence: 0.75 });
    return recordToProto(signRecord(unsigned, [agents[i % AGENTS]!]));
  });
}

/** Round-robin over the pre-signed records. */
function cycle<T>(items: readonly T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length]!;
}

const APPEND_PATH = '/stemedb.v1.WriterService/Append';
const rawBytes = (b: Buffer): Buffer => b;

/**
 * Append with pre-encoded request bytes and raw response bytes, exactly as the
 * echo client sends and receives its payload: the comparison is then the
 * server's work (decode, validate, verify, append, fsync, receipt) against an
 * echo, not ts-proto encoding on the client. One response per point is decoded
 * in full to check it is a receipt.
 */
async function measureAppend(address: string, nextBytes: () => Buffer, concurrency: number): Promise<LoadPoint> {
  // A plain grpc.Client (raw bytes in and out), with the process's TLS when set.
  const raw = makeClient(grpc.Client, address);
  const call = (request: Buffer): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      raw.makeUnaryRequest(APPEND_PATH, rawBytes, rawBytes, request, new grpc.Metadata(), { deadline: Date.now() + CALL_DEADLINE_MS }, (err, res) => (err ? reject(err) : resolve(res!)));
    });
  try {
    const first = AppendResponse.decode(await call(nextBytes()));
    if (first.receipt === undefined || first.receipt.id.length !== 32) throw new Error('Append answered without a receipt');
    return await measureClosedLoop(async () => {
      const res = await call(nextBytes());
      if (res.length === 0) throw new Error('Append answered with an empty response');
    }, concurrency, POINT_MS, WARMUP_MS);
  } finally {
    raw.close();
  }
}

async function measureBatch(c: WriterServiceClient, next: () => PbRecord): Promise<LoadPoint & { recordsPerSec: number }> {
  const batchFn = c.appendBatch.bind(c);
  const point = await measureClosedLoop(async () => {
    const res = await callUnary(batchFn, { records: Array.from({ length: BATCH_RECORDS }, next) }, { deadlineMs: CALL_DEADLINE_MS });
    if (res.receipts.length !== BATCH_RECORDS) throw new Error('AppendBatch answered with the wrong number of receipts');
  }, BATCH_CONCURRENCY, POINT_MS, WARMUP_MS);
  return { ...point, recordsPerSec: point.callsPerSec * BATCH_RECORDS };
}

interface StreamPoint {
  readonly window: number;
  readonly records: number;
  readonly recordsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** One AppendStream with STREAM_WINDOW records unacknowledged at all times. */
function measureStream(c: WriterServiceClient, next: () => PbRecord): Promise<StreamPoint> {
  return new Promise((resolve, reject) => {
    const call = c.appendStream();
    const sentAt = new Map<bigint, number>();
    const latencies: number[] = [];
    let sequence = 0n;
    let measuring = false;
    let stopping = false;
    let acked = 0;
    let measureStart = 0;
    let measureEnd = 0;
    const send = (): void => {
      sequence += 1n;
      sentAt.set(sequence, performance.now());
      call.write({ sequence, record: next() });
    };
    call.on('data', (m: AppendStreamResponse) => {
      if (m.result?.$case !== 'receipt') return reject(new Error(`AppendStream rejected a record: ${JSON.stringify(m.result)}`));
      const t0 = sentAt.get(m.sequence)!;
      sentAt.delete(m.sequence);
      if (measuring) {
        latencies.push(performance.now() - t0);
        acked += 1;
      }
      if (!stopping) send();
      else if (sentAt.size === 0) call.end();
    });
    call.on('error', reject);
    call.on('status', () => {
      latencies.sort((a, b) => a - b);
      const seconds = (measureEnd - measureStart) / 1000;
      resolve({ window: STREAM_WINDOW, records: acked, recordsPerSec: Math.round(acked / seconds), p50Ms: round(percentile(latencies, 50), 2), p99Ms: round(percentile(latencies, 99), 2) });
    });
    for (let i = 0; i < STREAM_WINDOW; i++) send();
    setTimeout(() => {
      measuring = true;
      measureStart = performance.now();
      setTimeout(() => {
        measuring = false;
        stopping = true;
        measureEnd = performance.now();
      }, POINT_MS);
    }, WARMUP_MS);
  });
}

interface WalPoint {
  readonly concurrency: number;
  readonly appendsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly avgBatch: number;
}

/** The WAL alone, in this process: group-commit appends of the writer's payload size. */
async function measureWal(payloadBytes: number, concurrency: number): Promise<WalPoint> {
  const wal = await Wal.open({ dir: join(SCRATCH_DIR, `writer-wal-only-${concurrency}`), durability: 'fsync' });
  const payload = Buffer.alloc(payloadBytes, 0x61);
  const point = await measureClosedLoop(() => wal.append(payload), concurrency, WAL_POINT_MS, WARMUP_MS);
  const stats = wal.stats();
  await wal.close();
  return { concurrency, appendsPerSec: point.callsPerSec, p50Ms: point.p50Ms, p99Ms: point.p99Ms, avgBatch: round(stats.appends / stats.batches, 1) };
}

export async function run(): Promise<string> {
  useClientTlsFromEnv();
  setLogLevel('warn');
  const records = signRecords();
  const requestBytes = AppendRequest.encode({ record: records[0]! }).finish().length;
  const payloadBytes = encodeLogPayload({ record: recordFromProto(records[0]!), appendedAtMs: Date.now(), traceparent: '' }).length;
  const next = cycle(records);
  const nextBytes = cycle(records.map((record) => Buffer.from(AppendRequest.encode({ record }).finish())));
  const loadBefore = loadavg()[0]!;

  const echo = await startEchoServer('bare');
  const writer = await startWriter(join(SCRATCH_DIR, 'writer-wal'));
  const c = makeClient(WriterServiceClient, writer.address);
  const appendPoints: LoadPoint[] = [];
  const echoPoints: LoadPoint[] = [];
  let batch: LoadPoint & { recordsPerSec: number };
  let stream: StreamPoint;
  try {
    await waitForReady(c, READY_TIMEOUT_MS);
    await measureClosedLoop(() => callUnary(c.append.bind(c), { record: next() }, { deadlineMs: CALL_DEADLINE_MS }), 64, SERVER_WARMUP_MS, 0);
    await measureEcho(echo.address, 64, SERVER_WARMUP_MS, requestBytes);
    for (const concurrency of ECHO_CONCURRENCY_LEVELS) {
      appendPoints.push(await measureAppend(writer.address, nextBytes, concurrency));
      echoPoints.push(await measureEcho(echo.address, concurrency, POINT_MS, requestBytes));
    }
    batch = await measureBatch(c, next);
    stream = await measureStream(c, next);
  } finally {
    c.close();
    await Promise.all([writer.stop(), echo.stop()]);
  }
  const walPoints: WalPoint[] = [];
  for (const concurrency of ECHO_CONCURRENCY_LEVELS) walPoints.push(await measureWal(payloadBytes, concurrency));
  const loadAfter = loadavg()[0]!;

  const at64 = ECHO_CONCURRENCY_LEVELS.indexOf(64);
  const appendVsEcho64 = appendPoints[at64]!.callsPerSec / echoPoints[at64]!.callsPerSec;
  const bestAppend = Math.max(...appendPoints.map((p) => p.callsPerSec));
  const streamVsAppend = stream.recordsPerSec / bestAppend;
  const pct = (x: number): string => `${Math.round(100 * x)}%`;

  return writeResults(
    'writer',
    {
      request_bytes: requestBytes,
      log_payload_bytes: payloadBytes,
      point_ms: POINT_MS,
      warmup_ms: WARMUP_MS,
      load_average_1m: { before: round(loadBefore, 2), after: round(loadAfter, 2) },
      append: appendPoints,
      echo: echoPoints,
      append_batch: { batch_records: BATCH_RECORDS, ...batch },
      append_stream: stream,
      wal_only: walPoints,
      ratios: { append64_over_echo64: round(appendVsEcho64, 3), stream_over_best_append: round(streamVsAppend, 2) },
    },
    [
      {
        title: `Append (durable, fsync) vs bare grpc-js echo, ${requestBytes} B requests, one channel, servers in child processes`,
        columns: ['in flight', 'Append calls/s', 'Append p50 ms', 'Append p99 ms', 'echo calls/s', 'echo p50 ms', 'echo p99 ms', 'Append / echo'],
        rows: ECHO_CONCURRENCY_LEVELS.map((c2, i) => {
          const a = appendPoints[i]!;
          const e = echoPoints[i]!;
          return [c2, a.callsPerSec, a.p50Ms, a.p99Ms, e.callsPerSec, e.p50Ms, e.p99Ms, pct(a.callsPerSec / e.callsPerSec)];
        }),
        notes: [
          `Append@64 / echo@64 = ${pct(appendVsEcho64)} (target ≥ 85%). Each Append is validated, hashed, signature-verified (batched on a worker thread), encoded and acknowledged only after its group commit's fdatasync. Both the Append and the echo client send pre-encoded bytes and take raw bytes back, so the ratio compares the servers' work.`,
          `Closed loop: N workers call back to back for ${POINT_MS} ms after ${WARMUP_MS} ms of warm-up (and ${SERVER_WARMUP_MS} ms at 64 in flight for each fresh server before the first point); Append and echo alternate point by point. Load average (1 min) ${round(loadBefore, 2)} before, ${round(loadAfter, 2)} after: the machine is shared, read ratios rather than absolutes.`,
        ],
      },
      {
        title: 'High-rate paths: records/s',
        columns: ['path', 'shape', 'records/s', 'p50 ms', 'p99 ms', '× best Append'],
        rows: [
          ['Append (best of the above)', 'one record per call', bestAppend, '', '', 1],
          ['AppendBatch', `${BATCH_RECORDS} records per call, ${BATCH_CONCURRENCY} calls in flight`, batch.recordsPerSec, batch.p50Ms, batch.p99Ms, round(batch.recordsPerSec / bestAppend, 2)],
          ['AppendStream', `one stream, ${STREAM_WINDOW} records unacknowledged`, stream.recordsPerSec, stream.p50Ms, stream.p99Ms, round(streamVsAppend, 2)],
        ],
        notes: ['Latency of AppendBatch is per call (100 records); of AppendStream per record, from write to receipt.'],
      },
      {
        title: `The WAL alone (in process, ${payloadBytes} B payloads, fsync)`,
        columns: ['appenders', 'appends/s', 'p50 ms', 'p99 ms', 'avg group commit'],
        rows: walPoints.map((w) => [w.concurrency, w.appendsPerSec, w.p50Ms, w.p99Ms, w.avgBatch]),
        notes: ['What durability costs without RPC, validation or signatures: the upper bound of the append path on this disk.'],
      },
    ],
  );
}
