/**
 * PENDING reads: ingest knows every assertion that has PENDING votes (the
 * store's, the committing batch's and its own), so a vote reads its voter's
 * PENDING entry only on such an assertion, with a complete pair cache and
 * without one. A vote on an assertion earlier in the same batch reads nothing.
 */
import { Ingestor } from '../../services/ingest/ingestor';
import { openHybridStore, type HybridStore } from '../../shared/storage/hybrid-store';
import { parseKey } from '../../shared/storage/keys';
import { setLogLevel } from '../../shared/telemetry/logger';
import type { StemeRecord } from '../../shared/domain/types';
import { useTempDir } from '../helpers/tmp';
import { agent, claim, idOf, logOf, MemorySource, signed, T0, text, vote } from '../graph/log-builder';

beforeAll(() => setLogLevel('error'));

/** Ingests `records` (one batch) in a new Ingestor, returning the kinds of the store keys read meanwhile. */
async function ingestReading(store: HybridStore, log: ReturnType<typeof logOf>, from: number): Promise<string[]> {
  const kinds: string[] = [];
  const note = (key: Buffer): void => void kinds.push(parseKey(key).kind);
  const realGet = store.get.bind(store);
  const realGetMany = store.getMany.bind(store);
  const get = jest.spyOn(store, 'get').mockImplementation((key) => (note(key), realGet(key)));
  const getMany = jest.spyOn(store, 'getMany').mockImplementation((list) => (list.forEach(note), realGetMany(list)));
  const source = new MemorySource(log);
  try {
    const ingestor = await Ingestor.open(store, source, { verify: 'none' });
    expect(ingestor.appliedOffset).toBe(from);
    await ingestor.catchUp(source.headOffset());
    await ingestor.close();
  } finally {
    get.mockRestore();
    getMany.mockRestore();
  }
  return kinds;
}

describe('PENDING reads', () => {
  const tmp = useTempDir('stemedb-pending-reads-');

  it('a vote reads PENDING only on an assertion that has PENDING votes', async () => {
    const a = signed(claim({ subject: 's', predicate: 'p', object: text('a') }), [agent(1)]);
    const b = signed(claim({ subject: 's', predicate: 'p', object: text('b') }), [agent(1)]);
    const late = signed(claim({ subject: 't', predicate: 'p', object: text('late') }), [agent(1)]);
    const first: StemeRecord[] = [a, vote(idOf(a), agent(2), 1), vote(idOf(late), agent(3), 1)];
    const second: StemeRecord[] = [b, vote(idOf(b), agent(2), 1), vote(idOf(a), agent(4), 1)];
    const third: StemeRecord[] = [vote(idOf(late), agent(3), -1, T0 + 1), vote(idOf(b), agent(5), 1)];
    const log = logOf([...first, ...second, ...third, late]);
    const store = await openHybridStore(tmp.path);
    try {
      // A fresh store (complete pair cache): votes on `a` (same batch) and on the unknown `late` (none pending yet) read no PENDING key.
      expect(await ingestReading(store, log.slice(0, 3), 0)).not.toContain('pendingVote');
      // Reopened (the cache starts incomplete): votes on `b` (same batch) and on the known `a` read none either.
      expect(await ingestReading(store, log.slice(0, 6), log[2]!.nextOffset)).not.toContain('pendingVote');
      // agent 3's second vote on `late`, which has a PENDING vote, reads it: it becomes the history of two.
      expect(await ingestReading(store, log.slice(0, 8), log[5]!.nextOffset)).toContain('pendingVote');
      await ingestReading(store, log, log[7]!.nextOffset);
      const votes = [];
      for await (const [key] of store.scanPrefix(Buffer.alloc(0))) {
        const parsed = parseKey(key);
        if (parsed.kind === 'pendingVote') votes.push(parsed);
      }
      expect(votes).toEqual([]); // all adopted once `late` arrived
    } finally {
      await store.close();
    }
  });
});
