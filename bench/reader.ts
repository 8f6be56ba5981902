/**
 * Resolve latency and throughput over gRPC against a real reader process.
 *
 * A signed log with one (subject, predicate) pair per size (10, 100 and 1000
 * candidates: distinct agents, a few competing values, some votes) is written
 * to a WAL in the scratch dir; `stemedb reader --wal` ingests it (its ready
 * line means caught up) and serves it. Then Resolve is driven closed-loop at
 * several concurrency levels, for the two paths a query can take:
 *
 * - mv: the default query (Consensus, now) — one read of the materialized view;
 * - fresh: the same query with as_of_offset = the head, which forces a full
 *   resolution (read every candidate with its votes, run the lens).
 *
 * Every answer is checked (same winner on both paths) before timing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { recordId } from '../shared/domain/hash';
import { encodeLogPayload } from '../shared/domain/log-payload';
import { keyPairFromSeed, signRecord, type KeyPair } from '../shared/domain/signing';
import type { Assertion, StemeRecord, Vote } from '../shared/domain/types';
import { Lens, ReaderServiceClient, type QueryOptions, type ResolveResponse } from '../shared/gen/stemedb/v1/reader';
import { callUnary, makeClient, waitForReady } from '../shared/grpc/client';
import { useClientTlsFromEnv } from './lib/client-tls';
import { Wal } from '../shared/wal';
import { measureClosedLoop, type LoadPoint } from './echo';
import { SCRATCH_DIR, writeResults } from './lib/results';

/** Candidates of the measured pairs. */
const CANDIDATE_COUNTS = [10, 100, 1000] as const;
/** Calls in flight at each point. */
const CONCURRENCY_LEVELS = [1, 16, 64] as const;
/** Measured time per point, after the warm-up. */
const POINT_MS = 1_500;
const WARMUP_MS = 300;
/** Competing values per pair. */
const VALUES = 4;
/** One vote per this many assertions. */
const VOTE_EVERY = 5;
const READY_TIMEOUT_MS = 120_000;
const CALL_DEADLINE_MS = 30_000;
const T0 = 1_700_000_000_000;

const CLI = join(__dirname, '..', 'services', 'cli', 'main.js');

type Path = 'mv' | 'fresh';

interface ReaderChild {
  readonly address: string;
  stop(): Promise<void>;
}

const agents = new Map<number, KeyPair>();
function agentKey(i: number): KeyPair {
  let k = agents.get(i);
  if (k === undefined) {
    const seed = Buffer.alloc(32);
    seed.writeUInt32BE(i + 1, 0);
    seed.write('stemedb-bench-reader', 4);
    k = keyPairFromSeed(seed);
    agents.set(i, k);
  }
  return k;
}

/** The records of one pair with `n` candidates: each by its own agent and source, values round robin, some votes. */
function pairRecords(n: number): StemeRecord[] {
  const out: StemeRecord[] = [];
  for (let i = 0; i < n; i++) {
    const source = Buffer.alloc(32);
    source.writeUInt32BE(n, 0);
    source.writeUInt32BE(i, 4);
    const a: Assertion = signRecord(
      {
        kind: 'assertion',
        subject: `bench-${n}`,
        predicate: 'value',
        object: { kind: 'text', value: `v${i % VALUES}` },
        confidence: 0.5 + ((i * 7) % 50) / 100,
        sourceHash: source,
        visualHash: null,
        parentHash: null,
        epoch: null,
        assertedAtMs: T0 + i,
        signatures: [],
      },
      [agentKey(i)],
    );
    out.push(a);
    if (i % VOTE_EVERY === 0) {
      const voter = agentKey(i + 1);
      out.push(signRecord<Vote>({ kind: 'vote', assertionId: recordId(a), voter: voter.publicKey, value: 1, castAtMs: T0 + i, signatures: [] }, [voter]));
    }
  }
  return out;
}

async function writeLog(dir: string): Promise<number> {
  const wal = await Wal.open({ dir, durability: 'none' });
  try {
    const payloads = CANDIDATE_COUNTS.flatMap((n) => pairRecords(n)).map((record, i) => encodeLogPayload({ record, appendedAtMs: T0 + i, traceparent: '' }));
    for (let i = 0; i < payloads.length; i += 256) await wal.appendBatch(payloads.slice(i, i + 256));
    return wal.headOffset;
  } finally {
    await wal.close();
  }
}

function startReader(dataDir: string, walDir: string): Promise<ReaderChild> {
  const child: ChildProcess = spawn(process.execPath, [CLI, 'reader', '--data', dataDir, '--wal', walDir, '--listen', '127.0.0.1:0', '--max-connection-age-ms', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, STEMEDB_LOG_LEVEL: 'warn' },
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`reader not ready after ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`reader exited with ${String(code)} before it was ready`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      const msg = JSON.parse(line) as { ready?: boolean; address?: string };
      if (msg.ready !== true || msg.address === undefined) return reject(new Error(`reader: unexpected first line ${line}`));
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

function queryOptions(path: Path, head: number): QueryOptions {
  return { lens: Lens.LENS_CONSENSUS, minOffset: 0n, epoch: '', trustPackId: Buffer.alloc(0), includeSuperseded: false, ...(path === 'fresh' ? { asOfOffset: BigInt(head) } : {}) };
}

interface Row extends LoadPoint {
  readonly candidates: number;
  readonly path: Path;
}

export async function run(): Promise<string> {
  useClientTlsFromEnv();
  const walDir = join(SCRATCH_DIR, 'reader-wal');
  const head = await writeLog(walDir);
  const ingestStarted = performance.now();
  const reader = await startReader(join(SCRATCH_DIR, 'reader-data'), walDir);
  const ingestMs = performance.now() - ingestStarted;
  const client = makeClient(ReaderServiceClient, reader.address);
  const rows: Row[] = [];
  try {
    await waitForReady(client, 10_000);
    const call = (n: number, path: Path): Promise<ResolveResponse> =>
      callUnary(client.resolve.bind(client), { subject: `bench-${n}`, predicate: 'value', options: queryOptions(path, head) }, { deadlineMs: CALL_DEADLINE_MS });
    for (const n of CANDIDATE_COUNTS) {
      const [mv, fresh] = await Promise.all([call(n, 'mv'), call(n, 'fresh')]);
      const ids = mv.resolution!.alternatives.reduce((k, a) => k + a.assertionIds.length, 0);
      if (!mv.fromMaterializedView || fresh.fromMaterializedView || ids !== n || !mv.resolution!.winnerId.equals(fresh.resolution!.winnerId)) {
        throw new Error(`bench-${n}: unexpected answers (mv ${mv.fromMaterializedView}, fresh ${fresh.fromMaterializedView}, ${ids} candidates)`);
      }
      for (const path of ['mv', 'fresh'] as const) {
        for (const c of CONCURRENCY_LEVELS) {
          const point = await measureClosedLoop(() => call(n, path), c, POINT_MS, WARMUP_MS);
          rows.push({ candidates: n, path, ...point });
          process.stderr.write(`  ${n} candidates, ${path}, ${c} in flight: ${point.callsPerSec}/s p50 ${point.p50Ms} ms p99 ${point.p99Ms} ms\n`);
        }
      }
    }
  } finally {
    client.close();
    await reader.stop();
  }
  const load = loadavg().map((x) => Math.round(x * 100) / 100);
  return writeResults('reader', { log_bytes: head, ingest_ms: Math.round(ingestMs), load_average: load, points: rows }, [
    {
      title: 'Resolve over gRPC: materialized view (mv) vs full resolution (fresh)',
      columns: ['candidates', 'path', 'in flight', 'calls/s', 'p50 ms', 'p99 ms'],
      rows: rows.map((r) => [r.candidates, r.path, r.concurrency, r.callsPerSec, r.p50Ms, r.p99Ms]),
      notes: [
        `One reader process (\`stemedb reader --wal\`), client in the bench process, both on this machine; ${POINT_MS} ms per point after ${WARMUP_MS} ms warm-up. ` +
          `mv = the default query (Consensus, now): one LMDB read of the materialized view. fresh = the same query with as_of_offset = head: ` +
          `every candidate and its votes read from the store (SP scan, RocksDB getMany of H, one PV scan for the pair's votes) and the lens run. ` +
          `Every call repeats the same pair, so caches are warm: RocksDB's and the OS's, and the reader's decoded-assertion cache (H bytes are still read and compared on every call; only the protobuf decode and checks are skipped).`,
        `Log: ${CANDIDATE_COUNTS.join(' + ')} assertions (one agent and one source each, ${VALUES} competing values, a vote on every ${VOTE_EVERY}th), ` +
          `${head} bytes; the reader's startup ingest and catch-up took ${Math.round(ingestMs)} ms. Load average at the end: ${load.join(', ')}.`,
      ],
    },
  ]);
}
