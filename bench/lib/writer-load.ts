/**
 * Load on a running writer, shared by the writer bench, the keep-up bench's
 * producer and the profiling tool (bench/profile-writer.ts): pre-signed
 * records that are never sent twice (the writer answers a repeated record as
 * an idempotent replay, which appends nothing and would flatter every
 * figure), and the three append paths driven closed loop with pre-encoded
 * requests and raw response bytes (so the bench client, which shares the
 * cores, spends little) — unary Append, AppendBatch, and AppendStream of
 * multi-record requests with a fixed window of unacknowledged records.
 */
import * as grpc from '@grpc/grpc-js';
import { recordToProto } from '../../shared/domain/proto-convert';
import { generateKeyPair, signRecord } from '../../shared/domain/signing';
import type { Record as PbRecord } from '../../shared/gen/stemedb/v1/records';
import { AppendBatchRequest, AppendBatchResponse, AppendRequest, AppendResponse, AppendStreamRequest, AppendStreamResponse } from '../../shared/gen/stemedb/v1/writer';
import { makeClient } from '../../shared/grpc/client';
import { measureClosedLoop, type LoadPoint } from '../echo';
import { benchAssertion } from './records';
import { percentile, round } from './results';

/**
 * How long each append path runs on a fresh writer before any of its points
 * counts (and the echo server alike). A writer process is not at its steady
 * rate for its first seconds of load: V8 is still compiling its hot functions
 * (on its background threads, in the CPU the writer's own threads need) and
 * deoptimizing some when a new object shape arrives. Measured on the
 * development machine, a fresh writer under unary Append at 64 in flight, in
 * 3 s windows: 335, 108, 39, 17, 10, 8 optimizing compiles, the main thread at
 * 97, 94, 110, 93, 70, 69 µs per call and 4,176 → 6,380 calls/s; under
 * AppendBatch 205, 58, 65, 59, 24, 19, 10 compiles, 37 → 17 µs per record and
 * 14,200 → 24,800 records/s. A server that has run for minutes is what a user
 * meets, so that is what the benches measure.
 */
export const JIT_WARMUP_MS = 10_000;

/** Signing agents the records are spread over. */
const AGENTS = 16;
const CALL_DEADLINE_MS = 30_000;
const APPEND_PATH = '/stemedb.v1.WriterService/Append';
const APPEND_BATCH_PATH = '/stemedb.v1.WriterService/AppendBatch';
const APPEND_STREAM_PATH = '/stemedb.v1.WriterService/AppendStream';

/** `count` distinct signed assertions, starting at number `first`. */
export function signRecords(count: number, first = 0): PbRecord[] {
  const agents = Array.from({ length: AGENTS }, () => generateKeyPair());
  return Array.from({ length: count }, (_, k) => {
    const i = first + k;
    const unsigned = benchAssertion(i, { subject: `bench:entity-${i}`, predicate: 'bench:measured-value', object: { kind: 'text', value: `value ${i} of a typical assertion's object, about this long` }, confidence: 0.75 });
    return recordToProto(signRecord(unsigned, [agents[i % AGENTS]!]));
  });
}

/** Hands out each item once; running out fails the bench instead of replaying records. */
export function supply<T>(items: readonly T[], what: string): { next: () => T; readonly used: number } {
  let i = 0;
  return {
    next: () => {
      if (i >= items.length) throw new Error(`bench: the ${items.length} pre-signed records for ${what} are used up; sign more`);
      return items[i++]!;
    },
    get used() {
      return i;
    },
  };
}

const rawBytes = (b: Buffer): Buffer => b;

/**
 * Append with pre-encoded request bytes and raw response bytes, exactly as the
 * echo client sends and receives its payload: the comparison is then the
 * server's work (decode, validate, verify, append, fsync, receipt) against an
 * echo, not ts-proto encoding on the client. The first response is decoded in
 * full to check it is a receipt.
 */
export async function measureAppend(address: string, nextBytes: () => Buffer, concurrency: number, pointMs: number, warmupMs: number): Promise<LoadPoint> {
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
    }, concurrency, pointMs, warmupMs);
  } finally {
    raw.close();
  }
}

/** Pre-encoded unary requests for `records`. */
export function appendRequestBytes(records: readonly PbRecord[]): Buffer[] {
  return records.map((record) => Buffer.from(AppendRequest.encode({ record }).finish()));
}

export interface BatchPoint extends LoadPoint {
  readonly batchRecords: number;
  readonly recordsPerSec: number;
}

/** Pre-encoded AppendBatch requests of `batchRecords` records each (a last, partial batch is left out). */
export function batchRequestBytes(records: readonly PbRecord[], batchRecords: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i + batchRecords <= records.length; i += batchRecords) out.push(Buffer.from(AppendBatchRequest.encode({ records: records.slice(i, i + batchRecords) }).finish()));
  return out;
}

/**
 * One AppendBatch call of a pre-encoded request on a raw client
 * (`makeClient(grpc.Client, address)`), its response decoded; it must hold a
 * receipt for each of the request's `records` records.
 */
export async function appendBatchBytes(raw: grpc.Client, request: Buffer, records: number, deadlineMs = CALL_DEADLINE_MS): Promise<AppendBatchResponse> {
  const bytes = await new Promise<Buffer>((resolve, reject) => {
    raw.makeUnaryRequest(APPEND_BATCH_PATH, rawBytes, rawBytes, request, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (err, r) => (err ? reject(err) : resolve(r!)));
  });
  const res = AppendBatchResponse.decode(bytes);
  if (res.receipts.length !== records) throw new Error(`AppendBatch answered ${res.receipts.length} receipts for ${records} records`);
  return res;
}

/**
 * AppendBatch of `batchRecords` records per call, `concurrency` calls in
 * flight, pre-encoded requests (as the unary points); latency per call. Every
 * response is decoded and must hold a receipt per record.
 */
export async function measureBatch(address: string, nextBytes: () => Buffer, batchRecords: number, concurrency: number, pointMs: number, warmupMs: number): Promise<BatchPoint> {
  const raw = makeClient(grpc.Client, address);
  try {
    const point = await measureClosedLoop(async () => void (await appendBatchBytes(raw, nextBytes(), batchRecords)), concurrency, pointMs, warmupMs);
    return { ...point, batchRecords, recordsPerSec: point.callsPerSec * batchRecords };
  } finally {
    raw.close();
  }
}

export interface StreamPoint {
  readonly window: number;
  readonly messageRecords: number;
  readonly records: number;
  readonly recordsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** A pre-encoded multi-record AppendStream request. */
export interface StreamRequest {
  readonly sequence: bigint;
  readonly records: number;
  readonly bytes: Buffer;
}

/** Pre-encoded AppendStream requests carrying `messageRecords` records each (the `batch` shape), sequences 1, 2, ... */
export function streamRequestBytes(records: readonly PbRecord[], messageRecords: number): StreamRequest[] {
  const out: StreamRequest[] = [];
  for (let i = 0; i + messageRecords <= records.length; i += messageRecords) {
    const sequence = BigInt(out.length + 1);
    out.push({ sequence, records: messageRecords, bytes: Buffer.from(AppendStreamRequest.encode({ sequence, record: undefined, batch: { records: records.slice(i, i + messageRecords) } }).finish()) });
  }
  return out;
}

/**
 * One AppendStream of pre-encoded multi-record requests with `window` records
 * unacknowledged at all times; latency per record, from writing its request
 * to its receipt. Every response is decoded and must hold a receipt for every
 * record of its request.
 */
export function measureStream(address: string, next: () => StreamRequest, window: number, pointMs: number, warmupMs: number): Promise<StreamPoint> {
  const raw = makeClient(grpc.Client, address);
  return new Promise<StreamPoint>((resolve, reject) => {
    const call = raw.makeBidiStreamRequest(APPEND_STREAM_PATH, rawBytes, rawBytes, new grpc.Metadata());
    const sent = new Map<bigint, { at: number; records: number }>();
    const latencies: number[] = [];
    let messageRecords = 0;
    let unacked = 0;
    let measuring = false;
    let stopping = false;
    let acked = 0;
    let measureStart = 0;
    let measureEnd = 0;
    const send = (): void => {
      const request = next();
      messageRecords = request.records;
      sent.set(request.sequence, { at: performance.now(), records: request.records });
      unacked += request.records;
      call.write(request.bytes);
    };
    call.on('data', (b: Buffer) => {
      const m = AppendStreamResponse.decode(b);
      const results = m.results?.results ?? [];
      const request = sent.get(m.sequence);
      if (request === undefined || results.length !== request.records || results.some((r) => r.result?.$case !== 'receipt')) return reject(new Error(`AppendStream did not acknowledge every record: ${JSON.stringify(m.result ?? results.find((r) => r.result?.$case !== 'receipt'))}`));
      sent.delete(m.sequence);
      unacked -= request.records;
      if (measuring) {
        const ms = performance.now() - request.at;
        for (let i = 0; i < request.records; i++) latencies.push(ms);
        acked += request.records;
      }
      if (!stopping) while (unacked < window) send();
      else if (sent.size === 0) call.end();
    });
    call.on('error', reject);
    call.on('status', () => {
      latencies.sort((a, b) => a - b);
      const seconds = (measureEnd - measureStart) / 1000;
      resolve({ window, messageRecords, records: acked, recordsPerSec: Math.round(acked / seconds), p50Ms: round(percentile(latencies, 50), 2), p99Ms: round(percentile(latencies, 99), 2) });
    });
    while (unacked < window) send();
    setTimeout(() => {
      measuring = true;
      measureStart = performance.now();
      setTimeout(() => {
        measuring = false;
        stopping = true;
        measureEnd = performance.now();
      }, pointMs);
    }, warmupMs);
  }).finally(() => raw.close());
}
