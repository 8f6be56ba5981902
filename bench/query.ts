/**
 * Pattern queries over gRPC against a real reader holding a graph of 100k
 * subjects (docs/QUERIES.md): two-hop patterns through an entity reference.
 *
 * The log: PEOPLE subjects `person:i lives_in city:(i mod CITIES)` (an entity
 * reference) and, for each city, two competing `population` claims, all
 * signed; written to a WAL in the scratch dir and ingested by
 * `stemedb reader --wal` (its ready line means caught up). Then, closed-loop:
 *
 * - forward: `person:N lives_in ?c . ?c population ?p` for a random N — two
 *   resolutions, one row;
 * - reverse: `?x lives_in city:K . city:K population ?p` for a random K — the
 *   city's population, then its PEOPLE/CITIES claimants from the PO index,
 *   each resolved: PEOPLE/CITIES rows.
 *
 * Every answer's row count is checked before timing. Reports calls/s, p50,
 * p99 and rows/s per point, beside R (node:crypto Ed25519 verifies/s, one core,
 * this run) and the load average.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { encodeLogPayload } from '../shared/domain/log-payload';
import { keyPairFromSeed, signRecord, type KeyPair } from '../shared/domain/signing';
import type { Assertion, ObjectValue } from '../shared/domain/types';
import { Lens, ReaderServiceClient, type QueryResponse } from '../shared/gen/stemedb/v1/reader';
import { makeClient, waitForReady } from '../shared/grpc/client';
import { Wal } from '../shared/wal';
import { measureClosedLoop, type LoadPoint } from './echo';
import { measureR } from './lib/machine-speed';
import { benchAssertion } from './lib/records';
import { startServiceChild } from './lib/service-child';
import { SCRATCH_DIR, writeResults } from './lib/results';

const PEOPLE = 100_000;
const CITIES = 1_000;
const AGENTS = 50;
const CONCURRENCY_LEVELS = [1, 16] as const;
const POINT_MS = 3_000;
const WARMUP_MS = 500;
const READY_TIMEOUT_MS = 900_000;
const CALL_DEADLINE_MS = 30_000;
const T0 = 1_700_000_000_000;

const keys: KeyPair[] = Array.from({ length: AGENTS }, (_, i) => {
  const seed = Buffer.alloc(32);
  seed.writeUInt32BE(i + 1, 0);
  seed.write('stemedb-bench-query', 4);
  return keyPairFromSeed(seed);
});

function assertion(subject: string, predicate: string, object: ObjectValue, i: number): Assertion {
  const source = Buffer.alloc(32);
  source.writeUInt32BE(i, 0);
  return signRecord(benchAssertion(i, { subject, predicate, object, confidence: 0.6 + (i % 40) / 100, sourceHash: source }), [keys[i % AGENTS]!]);
}

async function writeLog(dir: string): Promise<number> {
  const wal = await Wal.open({ dir, durability: 'none' });
  try {
    let batch: Buffer[] = [];
    let n = 0;
    const add = async (a: Assertion): Promise<void> => {
      batch.push(encodeLogPayload({ record: a, appendedAtMs: T0 + n++, traceparent: '' }));
      if (batch.length === 512) {
        await wal.appendBatch(batch);
        batch = [];
      }
    };
    for (let c = 0; c < CITIES; c++) {
      await add(assertion(`city:${c}`, 'population', { kind: 'integer', value: BigInt(100_000 + c * 1000) }, n));
      await add(assertion(`city:${c}`, 'population', { kind: 'integer', value: BigInt(100_000 + c * 1000 + 7) }, n));
    }
    for (let p = 0; p < PEOPLE; p++) await add(assertion(`person:${p}`, 'lives_in', { kind: 'entity', value: `city:${p % CITIES}` }, n));
    if (batch.length > 0) await wal.appendBatch(batch);
    return wal.headOffset;
  } finally {
    await wal.close();
  }
}

interface Row extends LoadPoint {
  readonly pattern: 'forward' | 'reverse';
  readonly rowsPerCall: number;
  readonly rowsPerSec: number;
}

export async function run(): Promise<string> {
  const R = measureR();
  const walDir = join(SCRATCH_DIR, 'query-wal');
  const head = await writeLog(walDir);
  const ingestStarted = performance.now();
  const reader = await startServiceChild('reader', ['--data', join(SCRATCH_DIR, 'query-data'), '--wal', walDir, '--listen', '127.0.0.1:0', '--max-connection-age-ms', '0', '--verify', 'none'], READY_TIMEOUT_MS);
  const ingestMs = performance.now() - ingestStarted;
  const client = makeClient(ReaderServiceClient, reader.address);
  const rows: Row[] = [];
  const query = (pattern: string): Promise<number> =>
    new Promise((resolve, reject) => {
      let count = 0;
      const call = client.query(
        { pattern, options: { lens: Lens.LENS_CONSENSUS, epoch: '', trustPackId: Buffer.alloc(0), includeSuperseded: false }, limit: 0, pageToken: '', explain: false },
        { deadline: Date.now() + CALL_DEADLINE_MS },
      );
      call.on('data', (m: QueryResponse) => (count += m.rows.length));
      call.on('error', reject);
      call.on('end', () => resolve(count));
    });
  const random = (n: number): number => Math.floor(Math.random() * n);
  const patterns = {
    forward: () => `person:${random(PEOPLE)} lives_in ?c . ?c population ?p`,
    reverse: () => {
      const k = random(CITIES);
      return `?x lives_in city:${k} . city:${k} population ?p`;
    },
  } as const;
  try {
    await waitForReady(client, 10_000);
    const expected = { forward: 1, reverse: PEOPLE / CITIES };
    for (const name of ['forward', 'reverse'] as const) {
      const got = await query(patterns[name]());
      if (got !== expected[name]) throw new Error(`${name}: ${got} rows, expected ${expected[name]}`);
      for (const c of CONCURRENCY_LEVELS) {
        const point = await measureClosedLoop(() => query(patterns[name]()), c, POINT_MS, WARMUP_MS);
        rows.push({ pattern: name, rowsPerCall: expected[name], rowsPerSec: Math.round(point.callsPerSec * expected[name]), ...point });
        process.stderr.write(`  ${name}, ${c} in flight: ${point.callsPerSec}/s p50 ${point.p50Ms} ms p99 ${point.p99Ms} ms\n`);
      }
    }
  } finally {
    client.close();
    await reader.stop();
  }
  const load = loadavg().map((x) => Math.round(x * 100) / 100);
  return writeResults('query', { subjects: PEOPLE + CITIES, log_bytes: head, ingest_ms: Math.round(ingestMs), r_verifies_per_sec: R, load_average: load, points: rows }, [
    {
      title: `Two-hop pattern queries over ${PEOPLE + CITIES} subjects (R = ${R} verifies/s)`,
      columns: ['pattern', 'rows per call', 'in flight', 'calls/s', 'rows/s', 'p50 ms', 'p99 ms'],
      rows: rows.map((r) => [r.pattern, r.rowsPerCall, r.concurrency, r.callsPerSec, r.rowsPerSec, r.p50Ms, r.p99Ms]),
      notes: [
        `forward = \`person:N lives_in ?c . ?c population ?p\` (random N): two pair resolutions from the materialized view. ` +
          `reverse = \`?x lives_in city:K . city:K population ?p\` (random K): the city's population, then its ${PEOPLE / CITIES} claimants from the PO index, each resolved.`,
        `Log: ${PEOPLE} person subjects (one entity reference each) and ${CITIES} cities with two competing populations, ${head} bytes; ` +
          `the reader (--verify none) ingested it in ${Math.round(ingestMs)} ms. One reader process, client in the bench process, both on this machine; ` +
          `${POINT_MS} ms per point after ${WARMUP_MS} ms warm-up. R measured in this run; load average at the end: ${load.join(', ')}.`,
      ],
    },
  ]);
}
