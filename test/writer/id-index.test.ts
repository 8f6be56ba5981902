/**
 * The id index on its own: the entry codec, catching up from the log, the
 * rule that an index covering more than the log holds is rebuilt, so an entry
 * past the recovered head (a truncated tail) never answers, and the rebuild of
 * an index an older writer kept in LMDB.
 */
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { decodeIdEntry, encodeIdEntry, IdIndex, IdIndexError } from '../../services/writer/id-index';
import { ID_INDEX_DIR_NAME, ID_INDEX_LEGACY_LMDB_FILE } from '../../services/writer/limits';
import { LmdbStore } from '../../shared/storage/lmdb-store';
import { createLogger, setLogSink } from '../../shared/telemetry/logger';
import { Wal } from '../../shared/wal';
import { agent, claim, idOf, payloadOf, signed, text } from '../graph/log-builder';
import { useTempDir } from '../helpers/tmp';

const records = Array.from({ length: 10 }, (_, i) => signed(claim({ subject: `s${i}`, predicate: 'p', object: text(String(i)) }), [agent(i % 3)]));
const cosign = signed(claim({ subject: 's1', predicate: 'p', object: text('1') }), [agent(1), agent(2)]);

async function walWith(dir: string, count: number): Promise<Wal> {
  const wal = await Wal.open({ dir, durability: 'none' });
  await wal.appendBatch(records.slice(0, count).map((r, i) => payloadOf(r, i)));
  return wal;
}

describe('id index', () => {
  const tmp = useTempDir('stemedb-ids-');
  const lines: Record<string, unknown>[] = [];
  beforeAll(() => setLogSink({ write: (l) => void lines.push(JSON.parse(l) as Record<string, unknown>) }));
  afterAll(() => setLogSink({ write: (l) => void process.stderr.write(l) }));
  const logger = createLogger({ component: 'test' });

  it('entries round-trip; a wrong version or length is an IdIndexError', () => {
    const entry = { offset: 40, nextOffset: 200, signers: new Set([agent(0).publicKey.toString('latin1'), agent(1).publicKey.toString('latin1')]) };
    const bytes = encodeIdEntry(entry);
    expect(bytes).toHaveLength(1 + 8 + 8 + 2 + 64);
    expect(bytes.subarray(0, 19).toString('hex')).toBe('01' + '0000000000000028' + '00000000000000c8' + '0002');
    expect(decodeIdEntry(bytes)).toEqual(entry);
    expect(() => decodeIdEntry(Buffer.concat([Buffer.from([2]), bytes.subarray(1)]))).toThrow(IdIndexError);
    expect(() => decodeIdEntry(bytes.subarray(0, bytes.length - 1))).toThrow(IdIndexError);
  });

  it('is caught up from the log on open and merges a co-signature into the earliest entry', async () => {
    const wal = await walWith(tmp.path, 10);
    const [co] = (await wal.appendBatch([payloadOf(cosign, 10)])).offsets;
    const index = await IdIndex.open(join(tmp.path, ID_INDEX_DIR_NAME), wal, logger);
    try {
      expect(index.covered).toBe(wal.headOffset);
      const first = await wal.readFrom(0, 1 << 20);
      const e1 = await index.lookup(idOf(records[1]!));
      expect(e1).toEqual({ offset: first[1]!.offset, nextOffset: first[1]!.nextOffset, signers: new Set([agent(1), agent(2)].map((k) => k.publicKey.toString('latin1'))) });
      expect(co).toBeGreaterThan(e1!.offset);
      expect(await index.lookup(Buffer.alloc(32, 9))).toBeUndefined();
    } finally {
      await index.close();
      await wal.close();
    }
  });

  it('an index that covers past the log head (a lost tail) is rebuilt: entries past the head never answer', async () => {
    const full = join(tmp.path, 'full');
    const wal = await walWith(full, 10);
    const index = await IdIndex.open(join(full, ID_INDEX_DIR_NAME), wal, logger);
    const covered = index.covered;
    await index.close();
    await wal.close();
    // The same log with its last 5 records lost, beside the index of the whole log.
    const cut = join(tmp.path, 'cut');
    const shorter = await walWith(cut, 5);
    cpSync(join(full, ID_INDEX_DIR_NAME), join(cut, ID_INDEX_DIR_NAME), { recursive: true });
    const reopened = await IdIndex.open(join(cut, ID_INDEX_DIR_NAME), shorter, logger);
    try {
      expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', covered_through: covered, head_offset: shorter.headOffset }));
      expect(reopened.covered).toBe(shorter.headOffset);
      expect(await reopened.lookup(idOf(records[7]!))).toBeUndefined();
      expect(await reopened.lookup(idOf(records[2]!))).toMatchObject({ offset: (await shorter.readFrom(0, 1 << 20))[2]!.offset });
    } finally {
      await reopened.close();
      await shorter.close();
    }
  });

  it('an index an older writer kept in LMDB is deleted and rebuilt from the log: its entries never answer', async () => {
    const dir = join(tmp.path, 'legacy');
    const wal = await walWith(dir, 10);
    const idsDir = join(dir, ID_INDEX_DIR_NAME);
    // The older format's layout, with an entry that disagrees with the log and a covered_through at the head.
    const old = await LmdbStore.open(idsDir);
    const u64 = (n: number): Buffer => Buffer.from(n.toString(16).padStart(16, '0'), 'hex');
    await old.batch([
      { type: 'put', key: idOf(records[3]!), value: encodeIdEntry({ offset: 999_999, nextOffset: 1_000_000, signers: new Set() }) },
      { type: 'put', key: Buffer.from('covered_through', 'ascii'), value: u64(wal.headOffset) },
    ]);
    await old.close();
    expect(existsSync(join(idsDir, ID_INDEX_LEGACY_LMDB_FILE))).toBe(true);
    const index = await IdIndex.open(idsDir, wal, logger);
    try {
      expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: expect.stringContaining('LMDB format'), dir: idsDir }));
      expect(existsSync(join(idsDir, ID_INDEX_LEGACY_LMDB_FILE))).toBe(false);
      expect(index.covered).toBe(wal.headOffset);
      expect(await index.lookup(idOf(records[3]!))).toMatchObject({ offset: (await wal.readFrom(0, 1 << 20))[3]!.offset });
    } finally {
      await index.close();
      await wal.close();
    }
  });
});
