/**
 * The id index learning of appends from the writer (`indexAppended`) instead
 * of reading them back: the notes stand in for the log only where they
 * continue it, at most ID_INDEX_NOTED_RECORDS_MAX records wait at once (past
 * that the records are read back from the log, with the same entries), and a
 * gap before a note is read from the log first.
 */
import { join } from 'node:path';
import { IdIndex, type AppendedRecord } from '../../services/writer/id-index';
import { ID_INDEX_DIR_NAME, ID_INDEX_NOTED_RECORDS_MAX } from '../../services/writer/limits';
import { createLogger, setLogLevel } from '../../shared/telemetry/logger';
import { Wal } from '../../shared/wal';
import { agent, claim, idOf, payloadOf, signed, text } from '../graph/log-builder';
import { useTempDir } from '../helpers/tmp';

setLogLevel('warn');
const logger = createLogger({ test: 'id-index-notes' });
const records = Array.from({ length: 12 }, (_, i) => signed(claim({ subject: `n${i}`, predicate: 'p', object: text(String(i)) }), [agent(i % 3)]));

describe('id index notes', () => {
  const tmp = useTempDir('stemedb-id-notes-');

  async function appendNoted(wal: Wal, from: number, count: number): Promise<AppendedRecord[]> {
    const slice = records.slice(from, from + count);
    const r = await wal.appendBatch(slice.map((rec, i) => payloadOf(rec, from + i)));
    return slice.map((rec, i) => ({ id: idOf(rec), signers: rec.signatures.map((s) => s.publicKey), offset: r.offsets[i]!, nextOffset: r.offsets[i + 1] ?? r.nextOffset }));
  }

  it(`indexes noted appends without reading the log, up to the bound (ID_INDEX_NOTED_RECORDS_MAX = ${ID_INDEX_NOTED_RECORDS_MAX}) and not past it`, async () => {
    const wal = await Wal.open({ dir: tmp.path, durability: 'none' });
    const max = 4;
    const index = await IdIndex.open(join(tmp.path, ID_INDEX_DIR_NAME), wal, logger, { notedRecordsMax: max });
    try {
      await index.indexAppended(await appendNoted(wal, 0, max));
      expect(index.stats).toEqual({ noted: max, readBack: 0, notesRefused: 0 });
      await index.indexAppended(await appendNoted(wal, max, max + 1));
      expect(index.stats).toEqual({ noted: max, readBack: max + 1, notesRefused: 1 });
      expect(index.covered).toBe(wal.headOffset);
      // Both ways give the same entries.
      const read = await wal.readFrom(0, 1 << 20);
      for (const [i, r] of records.slice(0, 2 * max + 1).entries()) {
        expect(await index.lookup(idOf(r))).toEqual({ offset: read[i]!.offset, nextOffset: read[i]!.nextOffset, signers: new Set([agent(i % 3).publicKey.toString('latin1')]) });
      }
    } finally {
      await index.close();
      await wal.close();
    }
  });

  it('reads a gap before a note from the log, then takes the note', async () => {
    const wal = await Wal.open({ dir: tmp.path, durability: 'none' });
    const index = await IdIndex.open(join(tmp.path, ID_INDEX_DIR_NAME), wal, logger);
    try {
      await appendNoted(wal, 0, 3); // appended behind the index's back: a gap
      const noted = await appendNoted(wal, 3, 2);
      await index.indexAppended(noted);
      expect(index.covered).toBe(wal.headOffset);
      expect(index.stats.readBack).toBeGreaterThanOrEqual(3);
      expect(index.stats.readBack + index.stats.noted).toBe(5);
      for (const r of records.slice(0, 5)) expect(await index.lookup(idOf(r))).toBeDefined();
    } finally {
      await index.close();
      await wal.close();
    }
  });

  it("takes an id's entry from its note's claim reading (no store read), merging a co-signature into it", async () => {
    const wal = await Wal.open({ dir: tmp.path, durability: 'none' });
    const index = await IdIndex.open(join(tmp.path, ID_INDEX_DIR_NAME), wal, logger);
    const store = (index as unknown as { store: { getMany(keys: readonly Buffer[]): Promise<unknown> } }).store;
    const getMany = store.getMany.bind(store);
    const read: number[] = [];
    store.getMany = (keys) => (read.push(keys.length), getMany(keys));
    try {
      // New ids whose claim found nothing: no read.
      const fresh = await appendNoted(wal, 0, 3);
      await index.indexAppended(fresh.map((r) => ({ ...r, prior: null })));
      expect(read).toEqual([]);
      const first = (await index.lookup(idOf(records[0]!)))!;
      expect(first).toEqual({ offset: fresh[0]!.offset, nextOffset: fresh[0]!.nextOffset, signers: new Set([agent(0).publicKey.toString('latin1')]) });
      // A co-signature of record 0 by another key, its claim having read `first`: merged into it, still no read.
      const cosigned = signed(records[0]!, [agent(0), agent(1)]);
      const r = await wal.appendBatch([payloadOf(cosigned, 3)]);
      await index.indexAppended([{ id: idOf(cosigned), signers: [agent(1).publicKey], offset: r.offsets[0]!, nextOffset: r.nextOffset, prior: first }]);
      expect(read).toEqual([]);
      expect(await index.lookup(idOf(records[0]!))).toEqual({ offset: first.offset, nextOffset: first.nextOffset, signers: new Set([agent(0), agent(1)].map((a) => a.publicKey.toString('latin1'))) });
      // A note without a claim reading: its ids are read.
      const unknown = await appendNoted(wal, 4, 2);
      await index.indexAppended(unknown);
      expect(read).toEqual([2]);
      // One step holding an id both with and without a reading: the store decides, not the reading.
      const again = signed(records[1]!, [agent(1), agent(2)]);
      const r2 = await wal.appendBatch([payloadOf(again, 6), payloadOf(again, 7)]);
      await index.indexAppended([
        { id: idOf(again), signers: [agent(2).publicKey], offset: r2.offsets[0]!, nextOffset: r2.offsets[1]!, prior: null },
        { id: idOf(again), signers: [agent(2).publicKey], offset: r2.offsets[1]!, nextOffset: r2.nextOffset },
      ]);
      expect(read).toEqual([2, 1]);
      expect((await index.lookup(idOf(again)))!.offset).toBe(fresh[1]!.offset);
    } finally {
      await index.close();
      await wal.close();
    }
  });
});
