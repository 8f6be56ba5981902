/**
 * Log content never stops ingest (must-hold 4): records that do not decode or
 * verify are skipped, counted in META with the batch, and logged with their
 * offsets; the records around them are applied.
 */
import { join } from 'node:path';
import { Ingestor } from '../../services/ingest/ingestor';
import { WalDirSource } from '../../services/ingest/sources/wal-dir-source';
import { PAYLOAD_HEADER_BYTES } from '../../shared/domain/log-payload';
import { GraphReader } from '../../shared/graph/graph-reader';
import { openHybridStore } from '../../shared/storage/hybrid-store';
import { setLogLevel, setLogSink } from '../../shared/telemetry/logger';
import { Wal } from '../../shared/wal';
import { requireBuilt, runCli } from '../helpers/process';
import { useTempDir } from '../helpers/tmp';
import { agent, claim, idOf, payloadOf, signed, text, vote } from '../graph/log-builder';

const GOOD = signed(claim({ subject: 'ada', predicate: 'born', object: text('1815') }), [agent(0)]);

function badPayloads(): { name: string; payload: Buffer; reason: string }[] {
  const badSig = { ...GOOD, signatures: [{ ...GOOD.signatures[0]!, signature: Buffer.from(GOOD.signatures[0]!.signature.map((b, i) => (i === 0 ? b ^ 1 : b))) }] };
  const idMismatch = { ...GOOD, confidence: 0.1 }; // changed after signing: its id is not the one signed
  const unknownType = Buffer.from(payloadOf(GOOD));
  unknownType[0] = 9;
  const garbage = Buffer.concat([Buffer.alloc(PAYLOAD_HEADER_BYTES), Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x01])]);
  return [
    { name: 'bad signature', payload: payloadOf(badSig), reason: 'signature' },
    { name: 'id mismatch', payload: payloadOf(idMismatch), reason: 'signature' },
    { name: 'unknown type', payload: unknownType, reason: 'decode' },
    { name: 'undecodable body', payload: garbage, reason: 'decode' },
  ];
}

describe('invalid records in the log', () => {
  const tmp = useTempDir('stemedb-invalid-');
  const logged: Record<string, unknown>[] = [];
  beforeAll(() => {
    setLogLevel('warn');
    setLogSink({ write: (line) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
  });

  async function writeLog(dir: string): Promise<{ offsets: number[]; head: number }> {
    const bad = badPayloads();
    const payloads = [payloadOf(GOOD), ...bad.map((b) => b.payload), payloadOf(vote(idOf(GOOD), agent(1), 1), 5)];
    const wal = await Wal.open({ dir, durability: 'none' });
    try {
      const r = await wal.appendBatch(payloads);
      return { offsets: [...r.offsets], head: r.nextOffset };
    } finally {
      await wal.close();
    }
  }

  it('are skipped, counted and logged with their offsets; the others are applied', async () => {
    const walDir = join(tmp.path, 'wal');
    const { offsets, head } = await writeLog(walDir);
    logged.length = 0;
    const store = await openHybridStore(join(tmp.path, 'data'));
    const source = await WalDirSource.open(walDir);
    try {
      const ingestor = await Ingestor.open(store, source, { batchDelayMs: 0 });
      await ingestor.catchUp(head);
      expect(ingestor.counters).toEqual({ applied: 2, rejected: 4 });
      const reader = new GraphReader(store);
      expect(await reader.counters()).toEqual({ applied: 2, rejected: 4 });
      expect((await reader.getAssertion(idOf(GOOD)))!.netVote).toBe(1);
      const skipped = logged.filter((l) => l.msg === 'skipped an invalid log record');
      expect(skipped.map((l) => [l.offset, l.reason])).toEqual(badPayloads().map((b, i) => [offsets[i + 1], b.reason]));
      expect(String(skipped[2]!.error)).toContain('unknown record type byte 9');
    } finally {
      await store.close();
      await source.close();
    }
  });

  it('stemedb ingest --json reports them in its summary', async () => {
    requireBuilt();
    const walDir = join(tmp.path, 'wal');
    await writeLog(walDir);
    const r = await runCli(['ingest', '--wal', walDir, '--data', join(tmp.path, 'data'), '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ records: 6, rejected: 4 });
    expect(r.stderr.split('\n').filter((l) => l.includes('skipped an invalid log record'))).toHaveLength(4);
  });
});
