/**
 * Load on a running writer, shared by the writer bench and the profiling tool
 * (bench/profile-writer.ts): pre-signed records that are never sent twice (the
 * writer answers a repeated record as an idempotent replay, which appends
 * nothing and would flatter every figure), and the three append paths driven
 * closed loop — unary Append with raw bytes, AppendBatch, and AppendStream
 * with a fixed window of unacknowledged records.
 */
import * as grpc from '@grpc/grpc-js';
import { recordToProto } from '../../shared/domain/proto-convert';
import { generateKeyPair, signRecord } from '../../shared/domain/signing';
import type { Record as PbRecord } from '../../shared/gen/stemedb/v1/records';
import { AppendRequest, AppendResponse, type AppendStreamResponse, type WriterServiceClient } from '../../shared/gen/stemedb/v1/writer';
import { callUnary, makeClient } from '../../shared/grpc/client';
import { measureClosedLoop, type LoadPoint } from '../echo';
import { benchAssertion } from './records';
import { percentile, round } from './results';

/** Signing agents the records are spread over. */
const AGENTS = 16;
const CALL_DEADLINE_MS = 30_000;
const APPEND_PATH = '/stemedb.v1.WriterService/Append';

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

/** AppendBatch of `batchRecords` records per call, `concurrency` calls in flight; latency per call. */
export async function measureBatch(c: WriterServiceClient, next: () => PbRecord, batchRecords: number, concurrency: number, pointMs: number, warmupMs: number): Promise<BatchPoint> {
  const batchFn = c.appendBatch.bind(c);
  const point = await measureClosedLoop(async () => {
    const res = await callUnary(batchFn, { records: Array.from({ length: batchRecords }, next) }, { deadlineMs: CALL_DEADLINE_MS });
    if (res.receipts.length !== batchRecords) throw new Error('AppendBatch answered with the wrong number of receipts');
  }, concurrency, pointMs, warmupMs);
  return { ...point, batchRecords, recordsPerSec: point.callsPerSec * batchRecords };
}

export interface StreamPoint {
  readonly window: number;
  readonly records: number;
  readonly recordsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** One AppendStream with `window` records unacknowledged at all times; latency per record, write to receipt. */
export function measureStream(c: WriterServiceClient, next: () => PbRecord, window: number, pointMs: number, warmupMs: number): Promise<StreamPoint> {
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
      resolve({ window, records: acked, recordsPerSec: Math.round(acked / seconds), p50Ms: round(percentile(latencies, 50), 2), p99Ms: round(percentile(latencies, 99), 2) });
    });
    for (let i = 0; i < window; i++) send();
    setTimeout(() => {
      measuring = true;
      measureStart = performance.now();
      setTimeout(() => {
        measuring = false;
        stopping = true;
        measureEnd = performance.now();
      }, pointMs);
    }, warmupMs);
  });
}
