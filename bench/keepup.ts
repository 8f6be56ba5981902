/**
 * Keep-up: can one reader tailing the writer over gRPC apply what the writer
 * accepts? A producer drives AppendBatch (BATCH_RECORDS per call,
 * BATCH_CONCURRENCY in flight) as fast as the writer answers, with every
 * signature verified; a reader (`stemedb reader --writer`, default
 * `--verify all`) tails it on the same machine. Status is sampled every
 * SAMPLE_MS: the reader's lag in bytes, and in seconds (how long ago the
 * writer's head passed the offset the reader has applied).
 *
 * Reports the writer's and the reader's rates, the lag p50/p99/max while the
 * producer runs, and how long the reader took to catch up once it stopped —
 * beside R (node:crypto Ed25519 verifies/s, one core, this run) and the load
 * average.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { recordToProto } from '../shared/domain/proto-convert';
import { generateKeyPair, signRecord } from '../shared/domain/signing';
import type { Record as PbRecord } from '../shared/gen/stemedb/v1/records';
import { ReaderServiceClient } from '../shared/gen/stemedb/v1/reader';
import { WriterServiceClient } from '../shared/gen/stemedb/v1/writer';
import { callUnary, makeClient, waitForReady } from '../shared/grpc/client';
import { measureR } from './lib/machine-speed';
import { SCRATCH_DIR, writeResults } from './lib/results';
import { startServiceChild } from './lib/service-child';
import { benchAssertion } from './lib/records';

const RECORDS = 60_000;
const SUBJECTS = 5_000;
const AGENTS = 64;
const BATCH_RECORDS = 100;
const BATCH_CONCURRENCY = 8;
const SAMPLE_MS = 100;
const READY_TIMEOUT_MS = 60_000;
const CATCH_UP_TIMEOUT_MS = 600_000;
const CALL_DEADLINE_MS = 60_000;

function signRecords(): PbRecord[] {
  const agents = Array.from({ length: AGENTS }, () => generateKeyPair());
  return Array.from({ length: RECORDS }, (_, i) => {
    const a = benchAssertion(i, { subject: `keepup:entity-${i % SUBJECTS}`, predicate: `keepup:p${i % 3}`, object: { kind: 'text', value: `value ${i % 7}` }, confidence: 0.5 + (i % 50) / 100 });
    return recordToProto(signRecord(a, [agents[i % AGENTS]!]));
  });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function run(): Promise<string> {
  const R = measureR();
  const records = signRecords();
  const writer = await startServiceChild('writer', ['--wal', join(SCRATCH_DIR, 'keepup-wal'), '--listen', '127.0.0.1:0', '--max-connection-age-ms', '0'], READY_TIMEOUT_MS);
  const reader = await startServiceChild('reader', ['--data', join(SCRATCH_DIR, 'keepup-data'), '--writer', writer.address, '--listen', '127.0.0.1:0', '--max-connection-age-ms', '0'], READY_TIMEOUT_MS);
  const w = makeClient(WriterServiceClient, writer.address);
  const r = makeClient(ReaderServiceClient, reader.address);
  /** (ms since start, writer head) after each acknowledged batch, in time order. */
  const heads: { t: number; head: number }[] = [];
  const samples: { t: number; applied: number; lagBytes: number; lagMs: number }[] = [];
  try {
    await waitForReady(r, 10_000);
    const t0 = performance.now();
    let next = 0;
    let head = 0;
    const producer = async (): Promise<void> => {
      while (next < records.length) {
        const batch = records.slice(next, next + BATCH_RECORDS);
        next += BATCH_RECORDS;
        const res = await callUnary(w.appendBatch.bind(w), { records: batch }, { deadlineMs: CALL_DEADLINE_MS });
        const last = res.receipts[res.receipts.length - 1]!;
        head = Math.max(head, Number(last.offset) + 1);
        heads.push({ t: performance.now() - t0, head });
      }
    };
    let producing = true;
    const sampler = (async () => {
      for (;;) {
        const s = await callUnary(r.status.bind(r), {}, { deadlineMs: CALL_DEADLINE_MS });
        const t = performance.now() - t0;
        const applied = Number(s.appliedOffset);
        const passed = heads.find((h) => h.head > applied);
        samples.push({ t, applied, lagBytes: Math.max(0, head - applied), lagMs: passed === undefined ? 0 : Math.max(0, t - passed.t) });
        if (!producing && applied >= head) return;
        if (t > CATCH_UP_TIMEOUT_MS) throw new Error(`the reader did not catch up within ${CATCH_UP_TIMEOUT_MS} ms`);
        await new Promise((res) => setTimeout(res, SAMPLE_MS));
      }
    })();
    await Promise.all(Array.from({ length: BATCH_CONCURRENCY }, producer));
    const producedMs = performance.now() - t0;
    producing = false;
    await sampler;
    const caughtUpMs = samples[samples.length - 1]!.t;
    const during = samples.filter((s) => s.t <= producedMs);
    const lagBytes = during.map((s) => s.lagBytes).sort((a, b) => a - b);
    const lagMs = during.map((s) => s.lagMs).sort((a, b) => a - b);
    const writerRate = Math.round((RECORDS * 1000) / producedMs);
    const readerRate = Math.round((RECORDS * 1000) / caughtUpMs);
    const load = loadavg().map((x) => Math.round(x * 100) / 100);
    const row = {
      records: RECORDS,
      writer_records_per_sec: writerRate,
      reader_records_per_sec: readerRate,
      writer_over_r: Math.round((writerRate / R) * 100) / 100,
      reader_over_writer: Math.round((readerRate / writerRate) * 100) / 100,
      lag_bytes: { p50: percentile(lagBytes, 50), p99: percentile(lagBytes, 99), max: lagBytes[lagBytes.length - 1] ?? 0 },
      lag_ms: { p50: Math.round(percentile(lagMs, 50)), p99: Math.round(percentile(lagMs, 99)), max: Math.round(lagMs[lagMs.length - 1] ?? 0) },
      catch_up_after_producer_ms: Math.round(caughtUpMs - producedMs),
    };
    process.stderr.write(`  writer ${writerRate}/s, reader ${readerRate}/s, lag p99 ${row.lag_ms.p99} ms, caught up ${row.catch_up_after_producer_ms} ms after the producer\n`);
    return writeResults('keepup', { r_verifies_per_sec: R, load_average: load, ...row, timeline: samples.filter((_, i) => i % 5 === 0) }, [
      {
        title: `Keep-up: one reader tailing the writer (R = ${R} verifies/s)`,
        columns: ['records', 'writer rec/s', 'writer / R', 'reader rec/s', 'reader / writer', 'lag p50 / p99 / max (s)', 'lag p50 / p99 / max (MiB)', 'caught up after producer (ms)'],
        rows: [
          [
            RECORDS,
            writerRate,
            row.writer_over_r,
            readerRate,
            row.reader_over_writer,
            `${(row.lag_ms.p50 / 1000).toFixed(2)} / ${(row.lag_ms.p99 / 1000).toFixed(2)} / ${(row.lag_ms.max / 1000).toFixed(2)}`,
            `${(row.lag_bytes.p50 / 2 ** 20).toFixed(2)} / ${(row.lag_bytes.p99 / 2 ** 20).toFixed(2)} / ${(row.lag_bytes.max / 2 ** 20).toFixed(2)}`,
            row.catch_up_after_producer_ms,
          ],
        ],
        notes: [
          `A producer in the bench process sends ${RECORDS} pre-signed assertions (${SUBJECTS} subjects × 3 predicates, ${AGENTS} agents) by AppendBatch, ` +
            `${BATCH_RECORDS} records per call, ${BATCH_CONCURRENCY} calls in flight, to a writer (fsync durability); one reader tails it over gRPC with --verify all. ` +
            `All three on this machine. Reader rate = records / time until the reader had applied the last one. Lag sampled every ${SAMPLE_MS} ms while the producer ran. ` +
            `R measured in this run; load average at the end: ${load.join(', ')}.`,
        ],
      },
    ]);
  } finally {
    w.close();
    r.close();
    await reader.stop();
    await writer.stop();
  }
}
