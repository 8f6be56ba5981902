/**
 * Ingest benchmark: a prepared log of 200k signed assertions and votes (300
 * agents, 25k subjects × 4 predicates), applied offline into a fresh store —
 * records/s applied with the store's durability on (every batch's RocksDB half
 * synced, LMDB flushed before the next batch) and off, and in trusted mode
 * (`verify: 'none'`), in the same run, beside R (bench/lib/machine-speed.ts),
 * the rate of decoding and verifying the same records alone, and the raw
 * level-rocksdb rate of batches of the same sizes — and the store's size on
 * disk per backend.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { Ingestor } from '../services/ingest/ingestor';
import { WalDirSource } from '../services/ingest/sources/wal-dir-source';
import { defaultVerifyWorkers } from '../shared/verify';
import { checkRecord } from '../services/ingest/check-record';
import { recordId } from '../shared/domain/hash';
import { encodeLogPayload } from '../shared/domain/log-payload';
import { signRecord, verifySignature } from '../shared/domain/signing';
import { decodeLogPayload } from '../shared/domain/log-payload';
import type { Assertion, StemeRecord, Vote } from '../shared/domain/types';
import { openHybridStore, type StoreDurability } from '../shared/storage/hybrid-store';
import { setLogLevel } from '../shared/telemetry/logger';
import { Wal } from '../shared/wal';
import { benchAgents } from './lib/records';
import { round, SCRATCH_DIR, writeResults } from './lib/results';
import { diskBytes, measureStoreDir, storeBytesTable } from './lib/store-bytes';
import { processWriteBytes } from './lib/disk';
import { measureR } from './lib/machine-speed';
import { rawRocksBatchRate } from './lib/raw-rocks';
import type { VerifyMode } from '../services/ingest/check-record';
import { INGEST_BATCH_RECORDS_MAX } from '../services/ingest/limits';
import { keys } from '../shared/storage/keys';
import type { BatchOp, BatchOpSource } from '../shared/storage/kv-store';

const AGENTS = 300;
const ASSERTIONS = 130_000;
const VOTES = 70_000;
export const SUBJECTS = 25_000;
export const PREDICATES = ['born', 'died', 'citizen', 'field'] as const;
export const OBJECTS_PER_PREDICATE = 3;
const APPEND_CHUNK_RECORDS = 2000;
const VERIFY_SAMPLE_RECORDS = 20_000;
const T0 = 1_700_000_000_000;

/** A small seeded PRNG, so every run ingests the same log. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 130k assertions and 70k votes (times `scale`), interleaved: each vote targets an assertion already in the log. */
export function prepareRecords(scale = 1): StemeRecord[] {
  const random = prng(42);
  const who = benchAgents(AGENTS, 1);
  const records: StemeRecord[] = [];
  const ids: Buffer[] = [];
  const assertions = Math.round(ASSERTIONS * scale);
  const total = assertions + Math.round(VOTES * scale);
  for (let i = 0; i < total; i++) {
    const assertionsLeft = assertions - ids.length;
    const isAssertion = ids.length === 0 || random() * (total - i) < assertionsLeft;
    const by = who[Math.floor(random() * AGENTS)]!;
    if (isAssertion) {
      const predicate = PREDICATES[Math.floor(random() * PREDICATES.length)]!;
      const a: Assertion = {
        kind: 'assertion',
        subject: `entity:${Math.floor(random() * SUBJECTS)}`,
        predicate,
        object: { kind: 'text', value: `${predicate}-${Math.floor(random() * OBJECTS_PER_PREDICATE)}` },
        confidence: round(0.5 + random() / 2, 2),
        sourceHash: Buffer.alloc(32, Math.floor(random() * 256)),
        visualHash: null,
        parentHash: null,
        epoch: null,
        assertedAtMs: T0 + i,
        signatures: [],
      };
      const s = signRecord(a, [by]);
      records.push(s);
      ids.push(recordId(s));
    } else {
      const v: Vote = { kind: 'vote', assertionId: ids[Math.floor(random() * ids.length)]!, voter: by.publicKey, value: random() < 0.7 ? 1 : -1, castAtMs: T0 + i, signatures: [] };
      records.push(signRecord(v, [by]));
    }
  }
  return records;
}

export async function writeLog(dir: string, records: readonly StemeRecord[]): Promise<{ head: number; payloads: Buffer[] }> {
  const payloads = records.map((record, i) => encodeLogPayload({ record, appendedAtMs: T0 + i, traceparent: '' }));
  const wal = await Wal.open({ dir, durability: 'none' });
  try {
    for (let i = 0; i < payloads.length; i += APPEND_CHUNK_RECORDS) await wal.appendBatch(payloads.slice(i, i + APPEND_CHUNK_RECORDS));
    return { head: wal.headOffset, payloads };
  } finally {
    await wal.close();
  }
}

/** Ed25519 verifications per second of the log's own signatures on one core through shared/domain (libsodium), ids computed beforehand. */
function ed25519Rate(payloads: readonly Buffer[]): number {
  const sample = payloads.slice(0, VERIFY_SAMPLE_RECORDS).map((p) => {
    const { record } = decodeLogPayload(p);
    return { kind: record.kind, id: recordId(record), sig: record.signatures[0]! };
  });
  const t0 = performance.now();
  for (const s of sample) if (!verifySignature(s.kind, s.id, s.sig)) throw new Error('bench log holds a bad signature');
  return sample.length / ((performance.now() - t0) / 1000);
}

/** One offline ingest of the whole log into a fresh store at `dataDir`: records/s (the time includes the final flush). */
export async function ingestOnce(
  walDir: string,
  dataDir: string,
  head: number,
  durability: StoreDurability,
  verify: VerifyMode = 'all',
  /** Called with every batch the ingest commits (for commitOnlyRate). */
  onCommit?: (commit: CapturedCommit) => void,
): Promise<{ perSec: number; seconds: number; cpuUsPerRecord: number; writeBytesPerRecord: number | undefined; counters: { applied: number; rejected: number } }> {
  const store = await openHybridStore(dataDir, { durability });
  if (onCommit !== undefined) {
    const applyBatch = store.applyBatch.bind(store);
    store.applyBatch = (ops, appliedThrough) => (onCommit({ ops, appliedThrough }), applyBatch(ops, appliedThrough));
  }
  const source = await WalDirSource.open(walDir);
  let started = performance.now();
  let cpu0 = process.cpuUsage();
  try {
    let reported = 0;
    const ingestor = await Ingestor.open(store, source, {
      verifyWorkers: defaultVerifyWorkers(),
      verify,
      onBatch: (b) => {
        if (b.appliedThrough - reported < head / 10) return;
        reported = b.appliedThrough;
        process.stderr.write(`ingest bench (durability ${durability}, verify ${verify}): ${Math.round((100 * b.appliedThrough) / head)}% in ${round((performance.now() - started) / 1000, 1)} s\n`);
      },
    });
    started = performance.now();
    cpu0 = process.cpuUsage();
    const written0 = processWriteBytes();
    try {
      await ingestor.catchUp(head);
    } finally {
      await ingestor.close();
    }
    await store.flush();
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const counters = ingestor.counters;
    const written = processWriteBytes();
    const writeBytesPerRecord = written === undefined || written0 === undefined ? undefined : (written - written0) / Math.max(1, counters.applied);
    return { perSec: counters.applied / seconds, seconds, cpuUsPerRecord: (cpu.user + cpu.system) / Math.max(1, counters.applied), writeBytesPerRecord, counters };
  } finally {
    await store.close();
    await source.close();
  }
}

/** One batch as ingest committed it: its ops and the offset it brought the store through. */
/** How many ops a captured commit holds. */
export function opCount(ops: CapturedCommit['ops']): number {
  return Array.isArray(ops) ? ops.length : (ops as BatchOpSource).size;
}

export interface CapturedCommit {
  readonly ops: readonly BatchOp[] | BatchOpSource;
  readonly appliedThrough: number;
}

/**
 * The commit path alone: ingest's own batches (captured by `ingestOnce`)
 * replayed into a fresh store one after the other, with no decode, apply or
 * overlap — the ceiling the store's commit puts on ingest with this key layout.
 */
async function commitOnlyRate(dataDir: string, commits: readonly CapturedCommit[], records: number): Promise<number> {
  const store = await openHybridStore(dataDir, { durability: 'sync' });
  try {
    const t0 = performance.now();
    for (const c of commits) await store.applyBatch(c.ops, c.appliedThrough);
    await store.flush();
    return records / ((performance.now() - t0) / 1000);
  } finally {
    await store.close();
  }
}

/** Decode + verify only, on a sample: the ceiling signature checks put on ingest. */
function verifyRate(payloads: readonly Buffer[]): number {
  const sample = payloads.slice(0, VERIFY_SAMPLE_RECORDS);
  const t0 = performance.now();
  let offset = 0;
  for (const payload of sample) {
    const r = checkRecord({ offset, payload, hash: Buffer.alloc(32), nextOffset: offset + 40 + payload.length });
    if (!r.ok) throw new Error(`bench log holds an invalid record at ${offset}: ${r.error}`);
    offset = r.nextOffset;
  }
  return sample.length / ((performance.now() - t0) / 1000);
}

/**
 * What ingest writes per record, beside the log's own bytes per record: LMDB's
 * commits write every page a batch touched; RocksDB its write-ahead log,
 * flushes and compactions.
 */
function writesNote(sync: number | undefined, trusted: number | undefined, logBytesPerRecord: number): string {
  if (sync === undefined || trusted === undefined) return 'Writes per record: not measured (/proc/self/io cannot be read here).';
  const kib = (b: number): string => `${round(b / 1024, 1)} KiB`;
  return (
    `Writes per ingested record, from the start of each ingest to its final flush (bytes to write calls, /proc/self/io wchar; this process wrote nothing else meanwhile): ${kib(sync)} with verification, ${kib(trusted)} trusted, ` +
    `${Math.round(sync / logBytesPerRecord)}× the log's ${Math.round(logBytesPerRecord)} B per record. Most of it is LMDB's: each commit writes every page its batch touched, and a batch of 1000 records touches about 2,300 leaf pages spread over the whole tree (docs/STORAGE.md, "What the store costs").`
  );
}

/** Offline ingest's targets (issue 12, point 2), in R. */
const VERIFIED_TARGET_R = 2.2;
const TRUSTED_TARGET_R = 4.5;

/**
 * What the targets ask of this machine's cores, from figures of the same run:
 * verification at libsodium's one-core rate, and everything else at the
 * trusted ingest's CPU per record (all of the process's threads).
 */
function cpuBudgetNote(r: number, sodiumPerSec: number, trustedCpuUs: number): string {
  const cores = availableParallelism();
  const verifyCores = (VERIFIED_TARGET_R * r) / sodiumPerSec;
  const restAt = (ratio: number): number => (ratio * r * trustedCpuUs) / 1e6;
  return (
    `CPU the targets need, from this run's figures: the trusted ingest used ${round(trustedCpuUs, 0)} µs of CPU per record (all threads of this process). ` +
    `At ${VERIFIED_TARGET_R} R with verification, verifying alone takes ${round(verifyCores, 2)} cores (libsodium's one-core rate above) and the rest ${round(restAt(VERIFIED_TARGET_R), 2)} cores, ${round(verifyCores + restAt(VERIFIED_TARGET_R), 2)} in all; ` +
    `at ${TRUSTED_TARGET_R} R in trusted mode the rest alone takes ${round(restAt(TRUSTED_TARGET_R), 2)} cores. This machine has ${cores}.`
  );
}

export async function run(): Promise<string> {
  setLogLevel('warn');
  mkdirSync(SCRATCH_DIR, { recursive: true });
  const walDir = join(SCRATCH_DIR, 'ingest-wal');
  const dataDir = join(SCRATCH_DIR, 'ingest-data');
  const t0 = performance.now();
  const records = prepareRecords();
  const prepareSeconds = (performance.now() - t0) / 1000;
  const { head, payloads } = await writeLog(walDir, records);
  const verifyPerSec = verifyRate(payloads);
  process.stderr.write(`ingest bench: ${records.length} records signed in ${round(prepareSeconds, 1)} s; decode+verify ${round(verifyPerSec, 0)}/s\n`);

  // R before the measured ingests and again after them; the ratios use the mean (a shared machine's speed drifts over the minute they take).
  const rBefore = measureR();
  const logVerifyRate = ed25519Rate(payloads);
  const verifyWorkers = defaultVerifyWorkers();
  // Without durability first, then with it: the page cache holds the log for both.
  const fast = await ingestOnce(walDir, `${dataDir}-none`, head, 'none');
  const durable = await ingestOnce(walDir, dataDir, head, 'sync');
  const trusted = await ingestOnce(walDir, `${dataDir}-trusted`, head, 'sync', 'none');
  const rAfter = measureR();
  const r = (rBefore + rAfter) / 2;
  // A fourth, unreported ingest keeps its batches (every op stays in memory, which would slow the measured runs' GC).
  const commits: CapturedCommit[] = [];
  await ingestOnce(walDir, `${dataDir}-capture`, head, 'sync', 'none', (c) => commits.push(c));
  const opsPerRecord = commits.reduce((n, c) => n + opCount(c.ops), 0) / records.length;
  const commitOnly = await commitOnlyRate(`${dataDir}-commit-only`, commits, records.length);
  commits.length = 0;
  // The raw store: batches of as many puts as an ingest batch has records, key of an H key's size, value = each record's log bytes.
  const keyBytes = keys.assertion(Buffer.alloc(32)).length;
  const rawRocks = await rawRocksBatchRate(join(SCRATCH_DIR, 'ingest-raw-rocks'), payloads, keyBytes, INGEST_BATCH_RECORDS_MAX, false);
  const rawRocksSync = await rawRocksBatchRate(join(SCRATCH_DIR, 'ingest-raw-rocks-sync'), payloads, keyBytes, INGEST_BATCH_RECORDS_MAX, true);
  for (const run of [fast, durable, trusted]) {
    if (run.counters.applied !== records.length || run.counters.rejected !== 0) throw new Error(`applied ${run.counters.applied}, rejected ${run.counters.rejected} of ${records.length}`);
  }
  const perSec = durable.perSec;
  const seconds = durable.seconds;
  const size = { wal: diskBytes(walDir), rocksdb: diskBytes(join(dataDir, 'rocksdb')), lmdb: diskBytes(join(dataDir, 'lmdb')) };
  const mib = (b: number): number => round(b / 2 ** 20, 1);
  const byKind = await measureStoreDir(dataDir);
  return writeResults(
    'ingest',
    {
      records: records.length,
      assertions: ASSERTIONS,
      votes: VOTES,
      agents: AGENTS,
      subjects: SUBJECTS,
      predicates: PREDICATES.length,
      log_bytes: head,
      prepare_seconds: round(prepareSeconds, 1),
      ingest_seconds: round(seconds, 2),
      records_per_sec: round(perSec, 0),
      records_per_sec_durability_none: round(fast.perSec, 0),
      records_per_sec_trusted: round(trusted.perSec, 0),
      trusted_cpu_us_per_record: round(trusted.cpuUsPerRecord, 1),
      commit_only_records_per_sec: round(commitOnly, 0),
      ops_per_record: round(opsPerRecord, 2),
      raw_rocksdb_batch_records_per_sec: round(rawRocks, 0),
      raw_rocksdb_batch_sync_records_per_sec: round(rawRocksSync, 0),
      ratio_to_r: { sync: round(perSec / r, 3), durability_none: round(fast.perSec / r, 3), trusted: round(trusted.perSec / r, 3) },
      load_average: loadavg().map((l) => round(l, 2)),
      durability_cost_ratio: round(perSec / fast.perSec, 3),
      ed25519_verifies_per_sec_one_core: round(r, 0),
      ed25519_verifies_per_sec_one_core_before_after: [rBefore, rAfter],
      log_signature_verifies_per_sec_one_core: round(logVerifyRate, 0),
      verify_only_records_per_sec: round(verifyPerSec, 0),
      verify_workers: verifyWorkers,
      disk_bytes: { ...size, rocksdb_at_rest: byKind.disk.rocksdb, lmdb_at_rest: byKind.disk.lmdb },
      write_bytes_per_record: { sync: durable.writeBytesPerRecord === undefined ? null : round(durable.writeBytesPerRecord, 0), trusted: trusted.writeBytesPerRecord === undefined ? null : round(trusted.writeBytesPerRecord, 0) },
      store_bytes_by_kind: byKind.kinds,
    },
    [
      {
        title: `Offline ingest of ${records.length.toLocaleString('en')} records (${ASSERTIONS / 1000}k assertions, ${VOTES / 1000}k votes) into a fresh store`,
        columns: ['what', 'records/s', 'seconds', 'ratio to R'],
        rows: [
          [`R: node:crypto Ed25519 verify, one core (bench/lib/machine-speed.ts), the mean of ${rBefore} before the three ingests and ${rAfter} after them`, round(r, 0), '', 1],
          ["libsodium Ed25519 verify of the log's signatures (shared/domain, sample, one core)", round(logVerifyRate, 0), round(VERIFY_SAMPLE_RECORDS / logVerifyRate, 2), round(logVerifyRate / r, 2)],
          ['decode + id + verify (sample, one core)', round(verifyPerSec, 0), round(VERIFY_SAMPLE_RECORDS / verifyPerSec, 2), round(verifyPerSec / r, 2)],
          [`ingest, store durability none (verify on ${verifyWorkers} worker thread${verifyWorkers === 1 ? '' : 's'}, apply, MV per pair, commit)`, round(fast.perSec, 0), round(fast.seconds, 1), round(fast.perSec / r, 2)],
          ['ingest, store durability sync (the default: power-loss safe)', round(perSec, 0), round(seconds, 1), round(perSec / r, 2)],
          ["ingest, trusted mode (`--verify none`), store durability sync", round(trusted.perSec, 0), round(trusted.seconds, 1), round(trusted.perSec / r, 2)],
          [`commit only: ingest's own batches (${round(opsPerRecord, 2)} ops per record, both backends, durability sync) replayed into a fresh store`, round(commitOnly, 0), round(records.length / commitOnly, 1), round(commitOnly / r, 2)],
          [`raw level-rocksdb: batches of ${INGEST_BATCH_RECORDS_MAX} puts (${keyBytes} B keys, each record's log bytes as value), sync false`, round(rawRocks, 0), round(records.length / rawRocks, 1), round(rawRocks / r, 2)],
          ['raw level-rocksdb: the same, every batch synced', round(rawRocksSync, 0), round(records.length / rawRocksSync, 1), round(rawRocksSync / r, 2)],
        ],
        notes: [
          `${AGENTS} agents, ${SUBJECTS.toLocaleString('en')} subjects × ${PREDICATES.length} predicates; every vote targets an assertion already in the log. Log written with durability 'none' (page cache), then ingested with the default batch limits; the time includes a final flush of both backends.`,
          'Ingest re-verifies every signature (Ed25519) unless in trusted mode; R, the first row, is the unit every target is stated in, measured in the same run. Ingest decodes and verifies batch n+1 on worker threads while batch n is applied on the main thread and batch n−1 commits.',
          'The raw level-rocksdb rows are the embedded store alone writing one put per record of the same sizes in batches of the same count: the ceiling the store puts on ingest, which writes several keys per record into two backends.',
          "The commit-only row replays the trusted run's batches (captured in a fourth, unreported ingest) through HybridStore.applyBatch one after the other, with no decode, apply or overlap: the ceiling the store's commit path (the split, checks, both backends' writes, cursors and redo intent) puts on ingest with this key layout, whatever apply costs.",
          `Store durability sync ran at ${round(perSec / fast.perSec, 2)}× the rate of durability none in this run (a cost of ${round(100 * (1 - perSec / fast.perSec), 1)}%; a negative cost is run-to-run noise, large when the load average is above the core count). Its work per batch of up to 1000 records: one synced RocksDB write (carrying the cursor and the redo intent) and one LMDB flush, which overlaps the next batch's reads and apply (docs/STORAGE.md).`,
          cpuBudgetNote(r, logVerifyRate, trusted.cpuUsPerRecord),
          writesNote(durable.writeBytesPerRecord, trusted.writeBytesPerRecord, head / records.length),
          `Node flags of the bench process, which runs these ingests in process: ${process.execArgv.join(' ') || 'none'}.`,
          `Load average at the end: ${loadavg().map((l) => round(l, 2)).join(', ')} (2 cores shared with other work: the rate swings with it, so compare runs made at similar load).`,
        ],
      },
      {
        title: 'Size on disk (allocated bytes)',
        columns: ['what', 'MiB', 'bytes per record'],
        rows: [
          ['WAL (the log)', mib(size.wal), round(size.wal / records.length, 0)],
          ['store: rocksdb/ as the ingest left it (with its own write-ahead log)', mib(size.rocksdb), round(size.rocksdb / records.length, 0)],
          ['store: rocksdb/ at rest (after a reopen)', mib(byKind.disk.rocksdb), round(byKind.disk.rocksdb / records.length, 0)],
          ['store: lmdb/', mib(size.lmdb), round(size.lmdb / records.length, 0)],
        ],
        notes: [
          'RocksDB holds H, VC, VW, META and the scan-only indexes PV, PO, REF, ESC, SRC and SIGNER (compressed SSTs, plus its own write-ahead log of the memtable: the latest writes, uncompressed, at most a write buffer of ROCKS_WRITE_BUFFER_BYTES_DEFAULT before they move into a table file); LMDB holds SP, MV, SUBJ, PS and TRUST (a B-tree with free pages). Per key kind: the last table; routing in docs/STORAGE.md.',
          `As the ingest left it, rocksdb/ still holds the memtable's write-ahead log; reopened (as the next table is measured), RocksDB replays that log into a compressed table file and deletes it: ${round((size.rocksdb - byKind.disk.rocksdb) / records.length, 0)} bytes per record less. The store against the log: ${round((size.rocksdb + size.lmdb) / size.wal, 2)} as the ingest left it, ${round((byKind.disk.rocksdb + byKind.disk.lmdb) / size.wal, 2)} at rest.`,
        ],
      },
      storeBytesTable(byKind, records.length, head),
    ],
  );
}
