/**
 * Bootstrap benchmark: how long a new reader takes to serve (its ready line:
 * SERVING, caught up with the writer's head) when it replays a 200k-record log
 * from offset 0, against when it restores a peer's snapshot (--bootstrap-from,
 * the Snapshot stream) or a snapshot directory (--bootstrap-snapshot) and
 * tails only what follows. Same log, same writer, same machine, one run.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { encodeLogPayload } from '../shared/domain/log-payload';
import { signRecord } from '../shared/domain/signing';
import type { StemeRecord } from '../shared/domain/types';
import { Wal } from '../shared/wal';
import { BENCH_T0_MS, benchAgents, benchAssertion } from './lib/records';
import { round, SCRATCH_DIR, writeResults } from './lib/results';
import { startServiceChild, type ServiceChild } from './lib/service-child';

const RECORDS = 200_000;
const AGENTS = 200;
const SUBJECTS = 25_000;
const PREDICATES = ['born', 'died', 'citizen', 'field'] as const;
const APPEND_CHUNK_RECORDS = 2000;
const READY_TIMEOUT_MS = 1_800_000;
const CLI = join(__dirname, '..', 'services', 'cli', 'main.js');

function records(): StemeRecord[] {
  const who = benchAgents(AGENTS, 7);
  return Array.from({ length: RECORDS }, (_, i) => {
    const predicate = PREDICATES[i % PREDICATES.length]!;
    const subject = `entity:${(i * 7919) % SUBJECTS}`;
    return signRecord(benchAssertion(i, { subject, predicate, object: { kind: 'text', value: `${predicate}-${i % 3}` }, confidence: 0.5 + (i % 50) / 100 }), [who[i % AGENTS]!]);
  });
}

async function writeLog(dir: string): Promise<number> {
  const payloads = records().map((record, i) => encodeLogPayload({ record, appendedAtMs: BENCH_T0_MS + i, traceparent: '' }));
  const wal = await Wal.open({ dir, durability: 'none' });
  try {
    for (let i = 0; i < payloads.length; i += APPEND_CHUNK_RECORDS) await wal.appendBatch(payloads.slice(i, i + APPEND_CHUNK_RECORDS));
    return wal.headOffset;
  } finally {
    await wal.close();
  }
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const st = statSync(join(dir, name));
    total += st.isDirectory() ? dirBytes(join(dir, name)) : st.size;
  }
  return total;
}

/** Starts a reader and returns it with the ms from spawn to its ready line. */
async function timedReader(args: readonly string[]): Promise<{ reader: ServiceChild; ms: number }> {
  const t0 = performance.now();
  const reader = await startServiceChild('reader', ['--listen', '127.0.0.1:0', ...args], READY_TIMEOUT_MS);
  return { reader, ms: Math.round(performance.now() - t0) };
}

export async function run(): Promise<string> {
  const wal = join(SCRATCH_DIR, 'bootstrap-wal');
  mkdirSync(SCRATCH_DIR, { recursive: true });
  process.stderr.write(`  signing and writing ${RECORDS} records ...\n`);
  const head = await writeLog(wal);
  const writer = await startServiceChild('writer', ['--wal', wal, '--listen', '127.0.0.1:0', '--durability', 'none'], 60_000);
  const stopped: ServiceChild[] = [];
  try {
    process.stderr.write('  reader A: replaying the log ...\n');
    const replay = await timedReader(['--data', join(SCRATCH_DIR, 'a'), '--writer', writer.address, '--verify', 'none']);
    stopped.push(replay.reader);
    process.stderr.write(`  replay ${replay.ms} ms; reader B: bootstrapping from A ...\n`);
    const peer = await timedReader(['--data', join(SCRATCH_DIR, 'b'), '--writer', writer.address, '--bootstrap-from', replay.reader.address]);
    stopped.push(peer.reader);
    const snapDir = join(SCRATCH_DIR, 'snap');
    const t0 = performance.now();
    const created = spawnSync(process.execPath, [CLI, 'snapshot', 'create', '--reader', replay.reader.address, '--out', snapDir, '--json'], { encoding: 'utf8' });
    if (created.status !== 0) throw new Error(`snapshot create failed: ${created.stderr}`);
    const createMs = Math.round(performance.now() - t0);
    const summary = JSON.parse(created.stdout) as { offset: number; keys: number; bytes: number; files: number };
    process.stderr.write(`  peer ${peer.ms} ms; reader C: bootstrapping from ${snapDir} ...\n`);
    const fromDir = await timedReader(['--data', join(SCRATCH_DIR, 'c'), '--writer', writer.address, '--bootstrap-snapshot', snapDir]);
    stopped.push(fromDir.reader);
    const storeBytes = dirBytes(join(SCRATCH_DIR, 'a'));
    const load = loadavg().map((l) => round(l, 2));
    const data = {
      records: RECORDS,
      log_bytes: head,
      store_bytes: storeBytes,
      snapshot: summary,
      snapshot_create_over_grpc_ms: createMs,
      replay_ready_ms: replay.ms,
      bootstrap_from_peer_ready_ms: peer.ms,
      bootstrap_from_dir_ready_ms: fromDir.ms,
      speedup_peer: round(replay.ms / peer.ms, 1),
      speedup_dir: round(replay.ms / fromDir.ms, 1),
      load_average: load,
    };
    const mib = (b: number): string => (b / 2 ** 20).toFixed(1);
    return writeResults('bootstrap', data, [
      {
        title: `Time to serve: replay vs bootstrap (${RECORDS} records, log ${mib(head)} MiB, snapshot ${mib(summary.bytes)} MiB in ${summary.files} files)`,
        columns: ['new reader', 'time to ready (ms)', 'vs replay'],
        rows: [
          ['replays the log from 0 (--verify none)', replay.ms, '1×'],
          ['--bootstrap-from a peer (Snapshot stream)', peer.ms, `${data.speedup_peer}× faster`],
          ['--bootstrap-snapshot DIR', fromDir.ms, `${data.speedup_dir}× faster`],
        ],
        notes: [
          'Time from spawning `stemedb reader` to its ready line (health SERVING: caught up with the writer head). The replaying reader skips signature checks (--verify none), its fastest setting; the bootstrapping readers apply nothing from the log (nothing follows the snapshot). A snapshot costs the store size, replay the log length: the gap widens with history.',
          `\`stemedb snapshot create --reader\` over gRPC took ${createMs} ms for ${summary.keys} keys. Load average during the run: ${load.join(' / ')}.`,
        ],
      },
    ]);
  } finally {
    for (const r of stopped.reverse()) await r.stop();
    await writer.stop();
  }
}
