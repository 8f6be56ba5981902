/**
 * The query indexes (PO, REF, PS, SUBJ, SIGNER) under time travel: read as of
 * X from the full store, they answer exactly what the indexes of a store built
 * from the records below X answer now; and they agree with the pairs' candidates.
 */
import fc from 'fast-check';
import type { ObjectValue } from '../../shared/domain/types';
import { GraphReader } from '../../shared/graph/graph-reader';
import { IndexReader } from '../../shared/graph/index-reader';
import { objectsEqual } from '../../shared/lens/object-value';
import { setLogLevel } from '../../shared/telemetry/logger';
import { makeTempDir, useTempDir } from '../helpers/tmp';
import { agent, claim, logOf, randomLog, signed, text } from './log-builder';
import { buildStore } from './store-helpers';

const SUBJECTS = ['s1', 's2', 'city:x'];
const PREDICATES = ['p1', 'p2'];
const VALUES: ObjectValue[] = [text('a'), text('b'), text('c'), { kind: 'number', value: 1 }, { kind: 'integer', value: 1n }];

beforeAll(() => setLogLevel('error'));

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('query indexes', () => {
  const tmp = useTempDir('stemedb-index-');

  it('as of X equal the indexes of a store built from the records below X, and match the candidates', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.integer({ min: 10, max: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), async (seed, n, cutAt) => {
        const records = randomLog(seed, { records: n, subjects: SUBJECTS, predicates: PREDICATES });
        const log = logOf(records);
        const asOf = log[Math.min(log.length - 1, Math.floor(cutAt * log.length))]!.offset;
        const dirs = [makeTempDir(), makeTempDir()];
        const full = await buildStore(dirs[0]!.path, log, { batchRecordsMax: 1 + (Math.abs(seed) % 7) });
        const partial = await buildStore(dirs[1]!.path, log, { untilOffset: asOf });
        try {
          const [f, p] = [new IndexReader(full), new IndexReader(partial)];
          const g = new GraphReader(partial);
          expect(await collect(f.pairs(asOf))).toEqual(await collect(p.pairs()));
          expect(await collect(f.predicates(asOf))).toEqual(await collect(p.predicates()));
          expect(await f.listSubjects('', { asOfOffset: asOf, pageSize: 1000 })).toEqual(await p.listSubjects('', { pageSize: 1000 }));
          for (const pr of PREDICATES) {
            expect(await collect(f.subjectsOf(pr, asOf))).toEqual(await collect(p.subjectsOf(pr)));
            for (const v of VALUES) {
              const claimants = await collect(p.claimants(pr, v));
              expect(await collect(f.claimants(pr, v, asOf))).toEqual(claimants);
              // A subject is a claimant exactly when one of its candidates claims the value.
              const want: string[] = [];
              for (const s of SUBJECTS) if ((await g.candidatesFor(s, pr)).some((c) => objectsEqual(c.assertion.object, v))) want.push(s);
              expect(claimants).toEqual(want.sort());
            }
          }
          for (let i = 0; i < 5; i++) {
            const a = agent(i).publicKey;
            expect(await f.bySigner(a, { asOfOffset: asOf, pageSize: 1000 })).toEqual(await p.bySigner(a, { pageSize: 1000 }));
          }
        } finally {
          await Promise.all([full.close(), partial.close()]);
          dirs.forEach((d) => d.cleanup());
        }
      }),
      { numRuns: 15 },
    );
  });

  it('REF lists the pairs that refer to an entity; pages and prefixes list subjects', async () => {
    const city = { kind: 'entity' as const, value: 'city:naypyidaw' };
    const log = logOf([
      signed(claim({ subject: 'country:myanmar', predicate: 'capital_city', object: city }), [agent(0)]),
      signed(claim({ subject: 'person:aung', predicate: 'lives_in', object: city, source: 2 }), [agent(1)]),
      signed(claim({ subject: 'person:aung', predicate: 'lives_in', object: city, source: 3 }), [agent(2)]),
      signed(claim({ subject: 'country:laos', predicate: 'capital_city', object: { kind: 'entity', value: 'city:vientiane' } }), [agent(0)]),
    ]);
    const store = await buildStore(tmp.path, log);
    try {
      const idx = new IndexReader(store);
      expect(await collect(idx.referrers('city:naypyidaw'))).toEqual([
        { subject: 'country:myanmar', predicate: 'capital_city' },
        { subject: 'person:aung', predicate: 'lives_in' },
      ]);
      expect(await collect(idx.referrers('city:naypyidaw', log[1]!.offset))).toEqual([{ subject: 'country:myanmar', predicate: 'capital_city' }]);
      const first = await idx.listSubjects('country:', { pageSize: 1 });
      expect(first.items).toEqual(['country:laos']);
      const second = await idx.listSubjects('country:', { pageSize: 1, pageToken: first.nextPageToken });
      expect(second).toEqual({ items: ['country:myanmar'], nextPageToken: '' });
      expect((await idx.listSubjects('person:')).items).toEqual(['person:aung']);
      await expect(idx.listSubjects('', { pageToken: 'zz' })).rejects.toMatchObject({ name: 'GraphInputError', field: 'page_token' });
      await expect(idx.listSubjects('', { pageSize: 0 })).rejects.toMatchObject({ field: 'page_size' });
      // A pair is listed from its first assertion on, not from its latest.
      expect(await collect(idx.pairs(log[2]!.offset))).toEqual([
        { subject: 'country:myanmar', predicate: 'capital_city' },
        { subject: 'person:aung', predicate: 'lives_in' },
      ]);
      expect(await collect(idx.subjectsOf('lives_in', log[2]!.offset))).toEqual(['person:aung']);
      const bySigner = await idx.bySigner(agent(0).publicKey);
      expect(bySigner.items.map((e) => e.offset)).toEqual([log[0]!.offset, log[3]!.offset]);
    } finally {
      await store.close();
    }
  });
});
