/**
 * Time travel at the graph level (must-hold 6): reading the full store as of
 * offset X answers exactly what a store built only from the records below X
 * answers now — candidates, assertions, gold standards, trust ranks, predicates.
 */
import fc from 'fast-check';
import { GraphReader } from '../../shared/graph/graph-reader';
import { setLogLevel } from '../../shared/telemetry/logger';
import { makeTempDir } from '../helpers/tmp';
import { idOf, logOf, randomLog } from './log-builder';
import { buildStore } from './store-helpers';

const SUBJECTS = ['s1', 's2'];
const PREDICATES = ['p1', 'p2'];

beforeAll(() => setLogLevel('error'));

describe('time travel', () => {
  it('the full store as of X equals a store built from the records below X', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.integer({ min: 10, max: 70 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), async (seed, n, cutAt, midRecord) => {
        const records = randomLog(seed, { records: n, subjects: SUBJECTS, predicates: PREDICATES });
        const log = logOf(records);
        const cutRecord = log[Math.min(log.length - 1, Math.floor(cutAt * log.length))]!;
        // A cut inside a record includes it (it starts below X), exactly like a cut at its end.
        const asOf = midRecord ? cutRecord.offset + 1 : cutRecord.offset;
        const dirs = [makeTempDir(), makeTempDir()];
        const full = await buildStore(dirs[0]!.path, log, { batchRecordsMax: 1 + (Math.abs(seed) % 9) });
        const partial = await buildStore(dirs[1]!.path, log, { untilOffset: asOf });
        try {
          const f = new GraphReader(full);
          const p = new GraphReader(partial);
          for (const s of SUBJECTS) {
            expect(await f.predicatesOf(s, { asOfOffset: asOf })).toEqual(await p.predicatesOf(s));
            for (const pr of PREDICATES) {
              expect(await f.candidatesFor(s, pr, { asOfOffset: asOf })).toEqual(await p.candidatesFor(s, pr));
              expect(await f.goldStandards(s, pr, { asOfOffset: asOf })).toEqual(await p.goldStandards(s, pr));
            }
          }
          expect(await f.trustRanks({ asOfOffset: asOf })).toEqual(await p.trustRanks());
          for (const r of records) {
            if (r.kind !== 'assertion') continue;
            expect(await f.getAssertion(idOf(r), { asOfOffset: asOf })).toEqual(await p.getAssertion(idOf(r)));
          }
        } finally {
          await Promise.all([full.close(), partial.close()]);
          dirs.forEach((d) => d.cleanup());
        }
      }),
      { numRuns: 20 },
    );
  });
});
