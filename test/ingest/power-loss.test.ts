/**
 * Exactly once across power loss (issue 11, must-hold 1): ingest runs on a
 * store whose two backends sit on the fault-injecting layer of
 * test/storage/power-loss-layer.ts; the power is cut at a random write, and
 * each backend is rebuilt as a power loss may leave it — its durable writes
 * plus any prefix of the ones not yet durable, chosen independently for
 * RocksDB and LMDB. Ingest resumes on that state (1 to 3 cuts per round) and
 * runs to the end; the dump must equal a clean one-pass build, every round.
 * STEMEDB_POWER_LOSS_ROUNDS raises the number of rounds (default 50).
 */
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openHybridStore, type DumpEntry } from '../../shared/storage/hybrid-store';
import type { KVStore } from '../../shared/storage/kv-store';
import { LmdbStore } from '../../shared/storage/lmdb-store';
import { RocksStore } from '../../shared/storage/rocks-store';
import { setLogSink } from '../../shared/telemetry/logger';
import { Ingestor } from '../../services/ingest/ingestor';
import { MemorySource, payloadOf, randomLog, sourceRecords } from '../graph/log-builder';
import { rng } from '../helpers/random';
import { makeTempDir } from '../helpers/tmp';
import { collect } from '../storage/stores';
import { PowerCut, PowerSwitch, RecordingStore } from '../storage/power-loss-layer';

const ROUNDS = Number(process.env.STEMEDB_POWER_LOSS_ROUNDS ?? 50);
const RECORDS = 300;

jest.setTimeout(600_000);

const BACKENDS: readonly { readonly sub: string; readonly open: (dir: string) => Promise<KVStore> }[] = [
  { sub: 'rocksdb', open: (dir) => RocksStore.open(dir) },
  { sub: 'lmdb', open: (dir) => LmdbStore.open(dir) },
];

/** The dump as text lines (jest compares one string far faster than thousands of Buffers). */
async function dumpOf(dir: string): Promise<string[]> {
  const store = await openHybridStore(dir);
  try {
    return (await collect(store.dump())).map((e: DumpEntry) => `${e.backend} ${e.key.toString('hex')} ${e.value.toString('hex')}`);
  } finally {
    await store.close();
  }
}

describe('ingest across simulated power loss', () => {
  const tmp = makeTempDir('stemedb-power-');
  const logLines: Record<string, unknown>[] = [];
  beforeAll(() => setLogSink({ write: (line) => void logLines.push(JSON.parse(line) as Record<string, unknown>) }));
  afterAll(() => {
    setLogSink({ write: (line) => void process.stderr.write(line) });
    tmp.cleanup();
  });

  const records = randomLog(20261201, { records: RECORDS, agents: 6, subjects: ['s1', 's2', 's3'], predicates: ['p1', 'p2'] });
  const log = sourceRecords(records.map((r, i) => payloadOf(r, i)));
  const source = new MemorySource(log);
  const head = source.headOffset();

  async function ingest(dir: string, options: { batchRecordsMax?: number; power?: PowerSwitch; layers?: RecordingStore[] }): Promise<'done' | 'cut'> {
    const { power, layers } = options;
    const hooks = power === undefined ? {} : { wrapBackend: (b: KVStore) => { const l = new RecordingStore(b, power); layers!.push(l); return l; } };
    let store;
    try {
      store = await openHybridStore(dir, { hooks });
    } catch (err) {
      if (err instanceof PowerCut) return 'cut';
      throw err;
    }
    const ingestor = await Ingestor.open(store, source, options.batchRecordsMax === undefined ? {} : { batchRecordsMax: options.batchRecordsMax });
    try {
      await ingestor.catchUp(head);
    } catch (err) {
      await ingestor.close();
      await store.close().catch(() => undefined);
      if (err instanceof PowerCut) return 'cut';
      throw err;
    }
    await ingestor.close();
    try {
      await store.close();
    } catch (err) {
      if (err instanceof PowerCut) return 'cut';
      throw err;
    }
    return 'done';
  }

  it(`${ROUNDS} rounds of power cuts at random writes: every dump equals a clean build`, async () => {
    const clean = join(tmp.path, 'clean');
    expect(await ingest(clean, {})).toBe('done');
    const cleanDump = await dumpOf(clean);
    expect(cleanDump.length).toBeGreaterThan(1000);

    const random = rng(11);
    const int = (n: number): number => Math.floor(random() * n);
    const seen = { cuts: 0, droppedPending: 0, keptPending: 0, replays: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const roundDir = join(tmp.path, `round-${round}`);
      let dir = join(roundDir, 'store-0');
      mkdirSync(dir, { recursive: true });
      const cuts = 1 + (round % 3);
      const batchRecordsMax = 5 + int(40);
      for (let cut = 0; cut < cuts; cut++) {
        const base = join(roundDir, `base-${cut}`);
        rmSync(base, { recursive: true, force: true });
        cpSync(dir, base, { recursive: true });
        const power = new PowerSwitch(1 + int(Math.ceil((4.4 * RECORDS) / batchRecordsMax)));
        const layers: RecordingStore[] = [];
        if ((await ingest(dir, { batchRecordsMax, power, layers })) === 'done') break;
        seen.cuts++;
        const next = join(roundDir, `store-${cut + 1}`);
        mkdirSync(next, { recursive: true });
        for (const [i, { sub, open }] of BACKENDS.entries()) {
          const layer = layers[i];
          const from = join(base, sub);
          if (!existsSync(from)) mkdirSync(from, { recursive: true });
          if (layer === undefined) {
            await (await open(join(next, sub))).close();
            continue;
          }
          // Lose every write not yet durable, or keep some of them (a prefix).
          const extra = layer.pending === 0 || random() < 0.5 ? 0 : 1 + int(layer.pending);
          if (layer.pending > 0 && extra < layer.pending) seen.droppedPending++;
          if (extra > 0) seen.keptPending++;
          await layer.crashState(from, join(next, sub), extra, open);
        }
        dir = next;
      }
      const before = logLines.filter((l) => l.msg === 'replayed the redo intent into LMDB').length;
      expect(await ingest(dir, {})).toBe('done');
      seen.replays += logLines.filter((l) => l.msg === 'replayed the redo intent into LMDB').length - before;
      const dump = await dumpOf(dir);
      expect([round, dump.length]).toEqual([round, cleanDump.length]);
      expect(dump.join('\n')).toBe(cleanDump.join('\n'));
      rmSync(roundDir, { recursive: true, force: true });
    }
    process.stderr.write(`power-loss rounds: ${JSON.stringify(seen)}\n`);
    // The rounds reached the cases that matter: lost unsynced writes, kept ones, and LMDB one batch behind.
    expect(seen.cuts).toBeGreaterThanOrEqual(ROUNDS);
    expect(seen.droppedPending).toBeGreaterThanOrEqual(ROUNDS / 10);
    expect(seen.keptPending).toBeGreaterThanOrEqual(ROUNDS / 10);
    expect(seen.replays).toBeGreaterThanOrEqual(ROUNDS / 10);
  });
});
