/**
 * The materialized view (must-hold 5) and batch independence: after ingest the
 * MV of every pair equals a fresh Consensus resolution of its candidates, and
 * the whole store — MV and escalations included — does not depend on where
 * batches end.
 */
import fc from 'fast-check';
import { GraphReader } from '../../shared/graph/graph-reader';
import { resolve } from '../../shared/lens/index';
import { encodeStoredResolution, materializedCounts } from '../../shared/graph/stored-resolution';
import { keys } from '../../shared/storage/keys';
import { setLogLevel } from '../../shared/telemetry/logger';
import { makeTempDir, useTempDir } from '../helpers/tmp';
import { agent, claim, idOf, logOf, randomLog, signed, text, vote } from '../graph/log-builder';
import { buildStore, dumpLines } from '../graph/store-helpers';

const SUBJECTS = ['s1', 's2'];
const PREDICATES = ['p1', 'p2'];

beforeAll(() => setLogLevel('error'));

describe('materialized view', () => {
  const tmp = useTempDir('stemedb-mv-');

  it('MV equals a fresh Consensus resolution of candidatesFor() for every pair', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.integer({ min: 5, max: 80 }), fc.integer({ min: 1, max: 12 }), async (seed, n, batch) => {
        const dir = makeTempDir();
        const store = await buildStore(dir.path, logOf(randomLog(seed, { records: n, subjects: SUBJECTS, predicates: PREDICATES })), { batchRecordsMax: batch });
        try {
          const reader = new GraphReader(store);
          for (const s of SUBJECTS) {
            for (const p of PREDICATES) {
              const candidates = await reader.candidatesFor(s, p);
              const mv = await store.get(keys.view(s, p, 'consensus'));
              if (candidates.length === 0) expect(mv).toBeUndefined();
              else {
                const fresh = resolve('consensus', s, p, candidates, { explain: false });
                expect(mv?.toString('hex')).toBe(encodeStoredResolution(fresh, materializedCounts(candidates)).toString('hex'));
              }
            }
          }
        } finally {
          await store.close();
          dir.cleanup();
        }
      }),
      { numRuns: 25 },
    );
  });

  it('batch boundaries do not change the store: one record per batch and one batch give the same dump', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.integer({ min: 5, max: 80 }), async (seed, n) => {
        const log = logOf(randomLog(seed, { records: n, subjects: SUBJECTS, predicates: PREDICATES }));
        const dirs = [makeTempDir(), makeTempDir()];
        const one = await buildStore(dirs[0]!.path, log, { batchRecordsMax: 1 });
        const all = await buildStore(dirs[1]!.path, log, { batchRecordsMax: 1000 });
        try {
          expect(await dumpLines(one)).toEqual(await dumpLines(all));
        } finally {
          await Promise.all([one.close(), all.close()]);
          dirs.forEach((d) => d.cleanup());
        }
      }),
      { numRuns: 15 },
    );
  });

  it('a pair that becomes contested is listed by escalations() with the offset of the record that made it so', async () => {
    const x = signed(claim({ subject: 'film', predicate: 'year', object: text('1999') }), [agent(0)]);
    const y = signed(claim({ subject: 'film', predicate: 'year', object: text('2000'), source: 2 }), [agent(1)]);
    const z = signed(claim({ subject: 'film', predicate: 'year', object: text('1999'), source: 3 }), [agent(2)]);
    const log = logOf([x, y, z, vote(idOf(x), agent(3), -1), vote(idOf(z), agent(4), -1), vote(idOf(y), agent(5), 1)]);
    const store = await buildStore(tmp.path, log);
    try {
      const page = await new GraphReader(store).escalations();
      // y ties x (contested); z makes 1999 clear (shares .67/.33); votes against 1999
      // (.55/.45, not yet) and then one for 2000 bring the two within the margin again.
      expect(page.items.map((e) => [e.subject, e.predicate, e.offset])).toEqual([
        ['film', 'year', log[1]!.offset],
        ['film', 'year', log[5]!.offset],
      ]);
      expect(page.items[0]!.facts.topShare).toBeCloseTo(0.5, 12);
      expect(page.nextPageToken).toBe('');
      const bySubject = await new GraphReader(store).escalations({ subject: 'film', pageSize: 1 });
      expect(bySubject.items.map((e) => e.offset)).toEqual([log[1]!.offset]);
      const next = await new GraphReader(store).escalations({ subject: 'film', pageSize: 1, pageToken: bySubject.nextPageToken });
      expect(next.items.map((e) => e.offset)).toEqual([log[5]!.offset]);
      expect(next.nextPageToken).toBe('');
    } finally {
      await store.close();
    }
  });
});
