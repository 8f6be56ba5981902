/**
 * One measurement for bench/telemetry.ts, run in a child process so that
 * STEMEDB_TELEMETRY (read once at load) differs between runs. Usage:
 *   node telemetry-workload.js wal|ingest SCRATCH_DIR
 * Prints {"mode","rate"} (operations per second) on stdout.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ingestor } from '../../services/ingest/ingestor';
import { WalDirSource } from '../../services/ingest/sources/wal-dir-source';
import { encodeLogPayload } from '../../shared/domain/log-payload';
import { keyPairFromSeed, signRecord } from '../../shared/domain/signing';
import { openHybridStore } from '../../shared/storage/hybrid-store';
import { setLogLevel } from '../../shared/telemetry/logger';
import { Wal } from '../../shared/wal';
import { benchAssertion } from './records';

export const WAL_APPENDERS = 64;
export const WAL_PAYLOAD_BYTES = 300;
export const WAL_DURATION_MS = 2000;
export const INGEST_RECORDS = 20_000;
const AGENTS = 50;

/** Appends/s with 64 concurrent appenders, durability 'none': the CPU path with its spans. */
async function walRate(dir: string): Promise<number> {
  const wal = await Wal.open({ dir, durability: 'none', segmentBytesMax: 256 * 1024 * 1024 });
  const payload = Buffer.alloc(WAL_PAYLOAD_BYTES, 7);
  let count = 0;
  const deadline = performance.now() + WAL_DURATION_MS;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: WAL_APPENDERS }, async () => {
      while (performance.now() < deadline) {
        await wal.append(payload);
        count++;
      }
    }),
  );
  const rate = count / ((performance.now() - t0) / 1000);
  await wal.close();
  return rate;
}

/** Records/s applied by the ingest worker from a prepared log (decode, verify, store batches, MV). */
async function ingestRate(dir: string): Promise<number> {
  const walDir = join(dir, 'wal');
  const wal = await Wal.open({ dir: walDir, durability: 'none' });
  const signers = Array.from({ length: AGENTS }, (_, i) => {
    const seed = Buffer.alloc(32);
    seed.writeUInt32BE(i + 1);
    return keyPairFromSeed(seed);
  });
  const payloads: Buffer[] = [];
  for (let i = 0; i < INGEST_RECORDS; i++) {
    const by = signers[i % AGENTS]!;
    const unsigned = benchAssertion(i, { subject: `entity:${i % 2000}`, predicate: ['born', 'field'][i % 2]!, object: { kind: 'text', value: `value-${i % 3}` }, confidence: 0.5 + (i % 5) / 10 });
    payloads.push(encodeLogPayload({ record: signRecord(unsigned, [by]), appendedAtMs: 1_700_000_000_000 + i, traceparent: '' }));
    if (payloads.length === 1000) await wal.appendBatch(payloads.splice(0));
  }
  if (payloads.length > 0) await wal.appendBatch(payloads.splice(0));
  const head = wal.headOffset;
  await wal.close();

  mkdirSync(join(dir, 'store'), { recursive: true });
  const store = await openHybridStore(join(dir, 'store'));
  const source = await WalDirSource.open(walDir);
  const ingestor = await Ingestor.open(store, source);
  const t0 = performance.now();
  await ingestor.catchUp(head);
  const rate = INGEST_RECORDS / ((performance.now() - t0) / 1000);
  await source.close();
  await store.close();
  return rate;
}

async function main(): Promise<void> {
  const [mode, dir] = process.argv.slice(2);
  if ((mode !== 'wal' && mode !== 'ingest') || dir === undefined) throw new Error('usage: telemetry-workload wal|ingest DIR');
  setLogLevel('error');
  mkdirSync(dir, { recursive: true });
  const rate = mode === 'wal' ? await walRate(dir) : await ingestRate(dir);
  process.stdout.write(JSON.stringify({ mode, rate }) + '\n');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
