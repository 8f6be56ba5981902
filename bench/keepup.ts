/**
 * Keep-up: can one reader tailing the writer over gRPC apply what the writer
 * accepts? A producer drives AppendBatch (BATCH_RECORDS per call,
 * BATCH_CONCURRENCY in flight, requests encoded before the run as the writer
 * bench's are, so the producer takes little of the cores the writer and the
 * reader share) as fast as the writer answers, with every
 * signature verified; a reader (`stemedb reader --writer`) tails it on the
 * same machine, once with `--verify all` (the default) and once in trusted
 * mode (`--verify none`, for a reader that tails its own writer). Status is sampled every
 * SAMPLE_MS: the reader's lag in bytes, and in seconds (how long ago the
 * writer's head passed the offset the reader has applied).
 *
 * Both processes are fresh, so each run starts with a JIT warm-up: the
 * producer sends other subjects' records for JIT_WARMUP_MS and waits until the
 * reader has applied them; only then does the measured part start (RECORDS
 * records, the same workload with or without the warm-up).
 *
 * Reports the writer's and the reader's rates, the lag p50/p99/max while the
 * producer runs, and how long the reader took to catch up once it stopped —
 * beside R (node:crypto Ed25519 verifies/s, one core) measured just before and
 * just after each measured part, while both services are idle (the mean of the
 * two is the R the writer's rate is set against, as in the writer bench: a
 * shared machine's speed drifts over a run of minutes), and the load average.
 */
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { recordToProto } from '../shared/domain/proto-convert';
import { generateKeyPair, signRecord } from '../shared/domain/signing';
import { ReaderServiceClient } from '../shared/gen/stemedb/v1/reader';
import { callUnary, makeClient, waitForReady } from '../shared/grpc/client';
import { defaultVerifyWorkers } from '../shared/verify/signature-verifier';
import { measureR, measureSodiumVerify } from './lib/machine-speed';
import { SCRATCH_DIR, writeResults } from './lib/results';
import { benchServiceNodeFlags, startServiceChild } from './lib/service-child';
import { benchAssertion } from './lib/records';
import { appendBatchBytes, batchRequestBytes, JIT_WARMUP_MS } from './lib/writer-load';
import { monotonicUs } from './lib/cpu-profile';
import { CPU_COLUMNS, cpuPerRecord, cpuRows, cpuSnapshot, type ProcessCpu } from './lib/thread-cpu';
import { processWriteBytes } from './lib/disk';

const RECORDS = 60_000;
const SUBJECTS = 5_000;
const AGENTS = 64;
const BATCH_RECORDS = 100;
const BATCH_CONCURRENCY = 8;
const SAMPLE_MS = 100;
const READY_TIMEOUT_MS = 60_000;
const CATCH_UP_TIMEOUT_MS = 600_000;
const CALL_DEADLINE_MS = 60_000;
/**
 * Pre-signed records for the JIT warm-up, which ends after JIT_WARMUP_MS or
 * once these are sent, whichever comes first (20k records/s for JIT_WARMUP_MS;
 * the writer here takes 10–14k/s beside a reader).
 */
const WARMUP_RECORDS = 200_000;

/** One run's signed records as encoded AppendBatch requests of BATCH_RECORDS records each: the JIT warm-up's (subjects of their own) and the measured ones. */
export interface KeepUpRequests {
  readonly warmup: readonly Buffer[];
  readonly measured: readonly Buffer[];
}

export function signedRequests(): KeepUpRequests {
  const agents = Array.from({ length: AGENTS }, () => generateKeyPair());
  const sign = (count: number, first: number, subjects: string): Buffer[] => {
    if (count % BATCH_RECORDS !== 0) throw new Error(`keep-up: ${count} records do not make whole batches of ${BATCH_RECORDS}`);
    const records = Array.from({ length: count }, (_, k) => {
      const i = first + k;
      const a = benchAssertion(i, { subject: `${subjects}-${i % SUBJECTS}`, predicate: `keepup:p${i % 3}`, object: { kind: 'text', value: `value ${i % 7}` }, confidence: 0.5 + (i % 50) / 100 });
      return recordToProto(signRecord(a, [agents[i % AGENTS]!]));
    });
    return batchRequestBytes(records, BATCH_RECORDS);
  };
  return { measured: sign(RECORDS, 0, 'keepup:entity'), warmup: sign(WARMUP_RECORDS, RECORDS, 'keepup:warm-up-entity') };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export type Verify = 'all' | 'none';

export interface KeepUpRow {
  readonly verify: Verify;
  readonly records: number;
  readonly writer_records_per_sec: number;
  readonly reader_records_per_sec: number;
  /** R measured just before and just after the measured part, and their mean (the one `writer_over_r` uses). */
  readonly r_verifies_per_sec: { readonly before: number; readonly after: number; readonly used: number };
  readonly writer_over_r: number;
  readonly reader_over_writer: number;
  readonly lag_bytes: { p50: number; p99: number; max: number };
  readonly lag_ms: { p50: number; p99: number; max: number };
  readonly catch_up_after_producer_ms: number;
  readonly timeline: readonly { t: number; applied: number; lagBytes: number; lagMs: number }[];
  /** CPU per record of the writer, the reader and this process (producer + sampler), from the first append until the reader caught up. */
  readonly cpu: readonly ProcessCpu[];
  /** Bytes each service passed to write calls per record over the same interval (/proc/<pid>/io wchar), or null where that cannot be read. */
  readonly write_bytes_per_record: { readonly writer: number | null; readonly reader: number | null };
}

/**
 * The writer's verify workers here: one fewer than the cores, as
 * docs/OPERATIONS.md ("Verification threads") advises for a writer that shares
 * its machine with a reader (one per core, the writer's default, takes the
 * core the reader's applying thread needs).
 */
function writerVerifyWorkers(): number {
  return defaultVerifyWorkers('admission-beside-reader');
}

/** Extra node flags for the children (e.g. `--cpu-prof`). */
export interface KeepUpNodeArgs {
  readonly writer?: readonly string[];
  readonly reader?: readonly string[];
}

/**
 * One fresh writer and reader (`--verify verify`): the JIT warm-up, then the
 * producer at full rate, the reader sampled until it caught up. `window` is
 * when the measured part ran, in µs of the monotonic clock (what a .cpuprofile
 * of the children is cut to).
 */
export async function keepUpOnce(
  { warmup, measured }: KeepUpRequests,
  verify: Verify,
  nodeArgs: KeepUpNodeArgs = {},
): Promise<{ row: KeepUpRow; writerPid: number; readerPid: number; window: { fromUs: number; toUs: number } }> {
  const writerArgs = ['--wal', join(SCRATCH_DIR, `keepup-wal-${verify}`), '--listen', '127.0.0.1:0', '--max-connection-age-ms', '0', '--verify-workers', String(writerVerifyWorkers())];
  const writer = await startServiceChild('writer', writerArgs, READY_TIMEOUT_MS, nodeArgs.writer);
  const readerArgs = ['--data', join(SCRATCH_DIR, `keepup-data-${verify}`), '--writer', writer.address, '--listen', '127.0.0.1:0', '--max-connection-age-ms', '0', '--verify', verify];
  const reader = await startServiceChild('reader', readerArgs, READY_TIMEOUT_MS, nodeArgs.reader).catch(async (err: unknown) => {
    await writer.stop();
    throw err;
  });
  const w = makeClient(grpc.Client, writer.address);
  const r = makeClient(ReaderServiceClient, reader.address);
  /** (ms since start, writer head) after each acknowledged batch, in time order. */
  const heads: { t: number; head: number }[] = [];
  const samples: { t: number; applied: number; lagBytes: number; lagMs: number }[] = [];
  try {
    await waitForReady(r, 10_000);
    // The producer: BATCH_CONCURRENCY callers sending the requests of `list` by AppendBatch while `more()` holds; `onHead` is told the writer head after each acknowledged call.
    let head = 0;
    const produce = async (list: readonly Buffer[], more: () => boolean, onHead: () => void = () => undefined): Promise<void> => {
      let next = 0;
      const caller = async (): Promise<void> => {
        while (next < list.length && more()) {
          const res = await appendBatchBytes(w, list[next++]!, BATCH_RECORDS, CALL_DEADLINE_MS);
          head = Math.max(head, Number(res.receipts[res.receipts.length - 1]!.offset) + 1);
          onHead();
        }
      };
      await Promise.all(Array.from({ length: BATCH_CONCURRENCY }, caller));
    };
    // JIT warm-up: the producer at full rate on other subjects for JIT_WARMUP_MS (or its records), then until the reader has applied it all.
    const warmUntil = performance.now() + JIT_WARMUP_MS;
    await produce(warmup, () => performance.now() < warmUntil);
    for (const until = performance.now() + CATCH_UP_TIMEOUT_MS; ; ) {
      const s = await callUnary(r.status.bind(r), {}, { deadlineMs: CALL_DEADLINE_MS });
      if (Number(s.appliedOffset) >= head) break;
      if (performance.now() > until) throw new Error(`the reader did not catch up with the warm-up within ${CATCH_UP_TIMEOUT_MS} ms`);
      await new Promise((res) => setTimeout(res, SAMPLE_MS));
    }
    // R on one core now and once the reader has caught up, while both services are idle.
    const rBefore = measureR();
    const fromUs = monotonicUs();
    const pids = new Map([
      ['writer', writer.pid],
      ['reader', reader.pid],
      ['bench (producer)', process.pid],
    ]);
    const cpu0 = cpuSnapshot(pids);
    const written0 = { writer: processWriteBytes(writer.pid), reader: processWriteBytes(reader.pid) };
    const t0 = performance.now();
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
    await produce(measured, () => true, () => heads.push({ t: performance.now() - t0, head }));
    const producedMs = performance.now() - t0;
    producing = false;
    await sampler;
    const cpu = cpuPerRecord(cpu0, cpuSnapshot(pids), RECORDS, performance.now() - t0);
    const perRecord = (before: number | undefined, after: number | undefined): number | null => (before === undefined || after === undefined ? null : Math.round((after - before) / RECORDS));
    const writeBytes = { writer: perRecord(written0.writer, processWriteBytes(writer.pid)), reader: perRecord(written0.reader, processWriteBytes(reader.pid)) };
    const toUs = monotonicUs();
    const rAfter = measureR();
    const R = Math.round((rBefore + rAfter) / 2);
    const caughtUpMs = samples[samples.length - 1]!.t;
    const during = samples.filter((s) => s.t <= producedMs);
    const lagBytes = during.map((s) => s.lagBytes).sort((a, b) => a - b);
    const lagMs = during.map((s) => s.lagMs).sort((a, b) => a - b);
    const writerRate = Math.round((RECORDS * 1000) / producedMs);
    const readerRate = Math.round((RECORDS * 1000) / caughtUpMs);
    const row: KeepUpRow = {
      verify,
      records: RECORDS,
      writer_records_per_sec: writerRate,
      reader_records_per_sec: readerRate,
      r_verifies_per_sec: { before: rBefore, after: rAfter, used: R },
      writer_over_r: Math.round((writerRate / R) * 100) / 100,
      reader_over_writer: Math.round((readerRate / writerRate) * 100) / 100,
      lag_bytes: { p50: percentile(lagBytes, 50), p99: percentile(lagBytes, 99), max: lagBytes[lagBytes.length - 1] ?? 0 },
      lag_ms: { p50: Math.round(percentile(lagMs, 50)), p99: Math.round(percentile(lagMs, 99)), max: Math.round(lagMs[lagMs.length - 1] ?? 0) },
      catch_up_after_producer_ms: Math.round(caughtUpMs - producedMs),
      timeline: samples.filter((_, i) => i % 5 === 0),
      cpu,
      write_bytes_per_record: writeBytes,
    };
    return { row, writerPid: writer.pid, readerPid: reader.pid, window: { fromUs, toUs } };
  } finally {
    w.close();
    r.close();
    await reader.stop();
    await writer.stop();
  }
}

/** Point 1's writer rate, in R. */
const WRITER_TARGET_R = 1.2;

/**
 * What the writer target asks of this machine's cores, from figures of the same
 * run: every process's CPU per record as measured, at WRITER_TARGET_R × R, and
 * the share of that which is verification at libsodium's one-core rate.
 */
function cpuBudgetNote(row: KeepUpRow, sodiumPerSec: number): string {
  const rate = WRITER_TARGET_R * row.r_verifies_per_sec.used;
  const usPerRecord = row.cpu.reduce((n, p) => n + p.total_us, 0);
  const verifications = row.verify === 'all' ? 2 : 1;
  return (
    `--verify ${row.verify}: at ${WRITER_TARGET_R} R (${Math.round(rate)} records/s) the three processes would use ${((rate * usPerRecord) / 1e6).toFixed(2)} cores at this run's ${Math.round(usPerRecord)} µs per record; ` +
    `verifying each signature ${verifications === 2 ? 'twice (writer and reader)' : 'once (the writer)'} alone takes ${((verifications * rate) / sodiumPerSec).toFixed(2)} cores at libsodium's one-core rate (${sodiumPerSec}/s, measured before the runs). The machine has ${availableParallelism()}.`
  );
}

export async function run(): Promise<string> {
  const sodium = Math.round(measureSodiumVerify());
  const requests = signedRequests();
  const runs: KeepUpRow[] = [];
  for (const verify of ['all', 'none'] as const) {
    const { row } = await keepUpOnce(requests, verify);
    process.stderr.write(`  --verify ${verify}: writer ${row.writer_records_per_sec}/s (${row.writer_over_r} R), reader ${row.reader_records_per_sec}/s, lag p99 ${row.lag_ms.p99} ms, caught up ${row.catch_up_after_producer_ms} ms after the producer\n`);
    runs.push(row);
  }
  const load = loadavg().map((x) => Math.round(x * 100) / 100);
  const secs = (l: { p50: number; p99: number; max: number }): string => `${(l.p50 / 1000).toFixed(2)} / ${(l.p99 / 1000).toFixed(2)} / ${(l.max / 1000).toFixed(2)}`;
  const mibs = (l: { p50: number; p99: number; max: number }): string => `${(l.p50 / 2 ** 20).toFixed(2)} / ${(l.p99 / 2 ** 20).toFixed(2)} / ${(l.max / 2 ** 20).toFixed(2)}`;
  return writeResults('keepup', { libsodium_verifies_per_sec_one_core: sodium, load_average: load, runs }, [
    {
      title: 'Keep-up: one reader tailing the writer',
      columns: ['reader --verify', 'records', 'R (before, after)', 'writer rec/s', 'writer / R', 'reader rec/s', 'reader / writer', 'lag p50 / p99 / max (s)', 'lag p50 / p99 / max (MiB)', 'caught up after producer (ms)'],
      rows: runs.map((row) => [row.verify, row.records, `${row.r_verifies_per_sec.used} (${row.r_verifies_per_sec.before}, ${row.r_verifies_per_sec.after})`, row.writer_records_per_sec, row.writer_over_r, row.reader_records_per_sec, row.reader_over_writer, secs(row.lag_ms), mibs(row.lag_bytes), row.catch_up_after_producer_ms]),
      notes: [
        `Each run is a fresh writer and reader, warmed up first: the producer sends assertions on subjects of their own for ${JIT_WARMUP_MS} ms (at most ${WARMUP_RECORDS}) and waits until the reader has applied them (V8 is still compiling a new process's hot functions for its first seconds of load; bench/lib/writer-load.ts, JIT_WARMUP_MS); nothing of the warm-up is counted. ` +
          `Then a producer in the bench process sends ${RECORDS} pre-signed assertions (${SUBJECTS} subjects × 3 predicates, ${AGENTS} agents) by AppendBatch, ` +
          `${BATCH_RECORDS} records per call (requests encoded before the run, as the writer bench's: the producer shares the cores), ${BATCH_CONCURRENCY} calls in flight, to a writer (fsync durability, every signature verified, on --verify-workers ${writerVerifyWorkers()}: one fewer than the cores, since the reader shares them; docs/OPERATIONS.md, "Verification threads"); one reader tails it over gRPC, ` +
          'first with --verify all (it verifies every signature again), then, against a fresh writer, in trusted mode (--verify none: the writer verified them; the reader checks each record\'s BLAKE3 on receipt). ' +
          `All three on this machine; the writer runs with the Node flags ${benchServiceNodeFlags('writer').join(' ') || 'none'} and the reader with ${benchServiceNodeFlags('reader').join(' ') || 'none'} (docs/OPERATIONS.md, "Garbage collection"). Reader rate = records / time until the reader had applied the last one. Lag sampled every ${SAMPLE_MS} ms while the producer ran. ` +
          `R: node:crypto Ed25519 verifies/s on one core (bench/lib/machine-speed.ts), measured just before each measured part and again once the reader had caught up, both services idle; writer / R uses their mean (a shared machine's speed drifts over minutes). Load average at the end: ${load.join(', ')}.`,
      ],
    },
    {
      title: 'Keep-up: where the CPU goes',
      columns: CPU_COLUMNS,
      rows: runs.flatMap((row) => cpuRows(`--verify ${row.verify}`, row.cpu)),
      notes: [
        'CPU time (user + system, /proc/<pid>/task/*/stat) each process used from the first append until the reader had applied the last record, per record; ' +
          '"cores used" is that CPU over the same wall time (the machine has 2). Node names every thread "node", so the threads other than the main one are ranked by CPU: ' +
          "with --verify all the busiest of the reader's are its verify workers; the writer's are its verify workers; the rest are V8 platform threads (GC, compiler) and the libuv pool. " +
          'The bench process runs the producer (an AppendBatch client sending requests encoded before the run) and the Status sampler.',
        ...runs.map((row) => cpuBudgetNote(row, sodium)),
        'Bytes passed to write calls per record over the same interval (/proc/<pid>/io wchar: files and sockets): ' +
          runs.map((row) => `--verify ${row.verify}: writer ${row.write_bytes_per_record.writer ?? 'not measured'} B, reader ${row.write_bytes_per_record.reader ?? 'not measured'} B`).join('; ') +
          ' (the reader\'s store writes every LMDB page a batch touched: docs/STORAGE.md, "What ingest writes").',
      ],
    },
  ]);
}
