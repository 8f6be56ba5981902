/**
 * Which signatures ingest verifies: `all` rejects a record whose signature
 * fails — on the applying thread and on the shared verifier's workers alike —
 * and `none` (a trusted source) applies it, still decoding and validating
 * every record.
 */
import { join } from 'node:path';
import { Ingestor } from '../../services/ingest/ingestor';
import { WalDirSource } from '../../services/ingest/sources/wal-dir-source';
import { PAYLOAD_HEADER_BYTES } from '../../shared/domain/log-payload';
import { openHybridStore } from '../../shared/storage/hybrid-store';
import { setLogLevel } from '../../shared/telemetry/logger';
import { Wal } from '../../shared/wal';
import { useTempDir } from '../helpers/tmp';
import { agent, claim, payloadOf, signed, text } from '../graph/log-builder';
import type { VerifyMode } from '../../services/ingest/check-record';

const GOOD = signed(claim({ subject: 'ada', predicate: 'born', object: text('1815') }), [agent(0)]);
const BAD_SIG = { ...GOOD, signatures: [{ ...GOOD.signatures[0]!, signature: Buffer.from(GOOD.signatures[0]!.signature.map((b, i) => (i === 0 ? b ^ 1 : b))) }] };
const GARBAGE = Buffer.concat([Buffer.alloc(PAYLOAD_HEADER_BYTES), Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x01])]);

describe('ingest verify modes', () => {
  const tmp = useTempDir('stemedb-verify-modes-');
  beforeAll(() => setLogLevel('error'));

  async function ingest(name: string, verify: VerifyMode, verifyWorkers: number): Promise<{ applied: number; rejected: number }> {
    const walDir = join(tmp.path, name, 'wal');
    const wal = await Wal.open({ dir: walDir, durability: 'none' });
    const { nextOffset } = await wal.appendBatch([payloadOf(GOOD), payloadOf(BAD_SIG), GARBAGE]);
    await wal.close();
    const store = await openHybridStore(join(tmp.path, name, 'data'));
    const source = await WalDirSource.open(walDir);
    const ingestor = await Ingestor.open(store, source, { batchDelayMs: 0, verify, verifyWorkers });
    try {
      expect(ingestor.verifyMode).toBe(verify);
      await ingestor.catchUp(nextOffset);
      return ingestor.counters;
    } finally {
      await ingestor.close();
      await store.close();
      await source.close();
    }
  }

  it("'all' on the applying thread rejects the bad signature and the undecodable record", async () => {
    expect(await ingest('inline', 'all', 0)).toEqual({ applied: 1, rejected: 2 });
  });

  it("'all' on the shared verifier's workers gives the same verdicts", async () => {
    expect(await ingest('workers', 'all', 2)).toEqual({ applied: 1, rejected: 2 });
  });

  it("'none' skips signature verification but still refuses what does not decode", async () => {
    expect(await ingest('trusted', 'none', 2)).toEqual({ applied: 2, rejected: 1 });
  });

  it('refuses an unknown mode naming the option', async () => {
    const wal = await Wal.open({ dir: join(tmp.path, 'opt', 'wal'), durability: 'none' });
    await wal.close();
    const store = await openHybridStore(join(tmp.path, 'opt', 'data'));
    const source = await WalDirSource.open(join(tmp.path, 'opt', 'wal'));
    try {
      await expect(Ingestor.open(store, source, { verify: 'some' as VerifyMode })).rejects.toMatchObject({ name: 'IngestOptionError', option: 'verify' });
    } finally {
      await store.close();
      await source.close();
    }
  });
});
