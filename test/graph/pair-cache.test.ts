/**
 * The pair cache: its bound and recency order, when it is complete (a miss
 * means "not in the store"), and that neither a complete cache, nor eviction,
 * nor resuming on a store built earlier changes what ingest writes.
 */
import fc from 'fast-check';
import { Ingestor } from '../../services/ingest/ingestor';
import { IngestOptionError } from '../../services/ingest/errors';
import { PairCache } from '../../shared/graph/apply/pair-cache';
import { PAIR_CACHE_CANDIDATES_MAX } from '../../shared/graph/limits';
import { CandidateState, PairModel } from '../../shared/graph/apply/pair-model';
import { openHybridStore } from '../../shared/storage/hybrid-store';
import { setLogLevel } from '../../shared/telemetry/logger';
import { makeTempDir, useTempDir } from '../helpers/tmp';
import { claim, logOf, MemorySource, randomLog, text } from './log-builder';
import { buildStore, dumpLines } from './store-helpers';

beforeAll(() => setLogLevel('error'));

const SUBJECTS = ['s1', 's2', 's3'];
const PREDICATES = ['p1', 'p2'];

/** A cached pair with `n` candidates. */
function pairWith(name: string, n: number): PairModel {
  const model = new PairModel(name, 'p', false);
  for (let i = 0; i < n; i++) {
    const id = Buffer.alloc(32, i);
    const a = claim({ subject: name, predicate: 'p', object: text(`v${i}`) });
    model.candidates.set(`${name}-${i}`, new CandidateState(id, `${name}-${i}`, { record: a, offset: i, coSigners: [], supersededAtOffset: null }, model));
  }
  return model;
}

describe('PairCache', () => {
  it('keeps up to its bound of candidates and drops the least recently used pairs at bound + 1', () => {
    const cache = new PairCache(4);
    cache.beginBatch();
    cache.add('a', pairWith('a', 2));
    cache.add('b', pairWith('b', 2));
    cache.evict();
    expect(cache.size).toEqual({ pairs: 2, candidates: 4 });
    cache.beginBatch();
    expect(cache.get('a')).toBeDefined(); // a is now more recent than b
    cache.add('c', pairWith('c', 1));
    cache.evict();
    expect(cache.size).toEqual({ pairs: 2, candidates: 3 });
    expect(cache.get('b')).toBeUndefined();
    expect(cache.candidate('b-0')).toBeUndefined();
    expect(cache.candidate('a-0')).toBeDefined();
  });

  it('is complete only when started on an empty store, until its first eviction', () => {
    expect(new PairCache(4).complete).toBe(false);
    const cache = new PairCache(2, true);
    expect(cache.complete).toBe(true);
    cache.addChild('aa', Buffer.alloc(32, 1));
    expect(cache.childrenOf('aa')).toEqual([Buffer.alloc(32, 1)]);
    expect(cache.childrenOf('bb')).toEqual([]);
    cache.add('a', pairWith('a', 2));
    cache.evict();
    expect(cache.complete).toBe(true);
    cache.add('b', pairWith('b', 1));
    cache.evict();
    expect(cache.complete).toBe(false);
    expect(cache.childrenOf('aa')).toBeUndefined();
  });

  it('knows which subjects have their SUBJ entry only while complete', () => {
    expect(new PairCache(4).subjectIndexed('s')).toBeUndefined();
    const cache = new PairCache(1, true);
    expect(cache.subjectIndexed('s')).toBe(false);
    cache.noteSubjectIndexed('s');
    expect(cache.subjectIndexed('s')).toBe(true);
    expect(cache.subjectIndexed('t')).toBe(false);
    cache.add('a', pairWith('a', 2));
    cache.evict();
    expect(cache.subjectIndexed('s')).toBeUndefined();
    cache.noteSubjectIndexed('t');
    expect(cache.subjectIndexed('t')).toBeUndefined();
  });

  it('pairCacheCandidatesMax is checked at 0..PAIR_CACHE_CANDIDATES_MAX', async () => {
    const dir = makeTempDir();
    const store = await openHybridStore(dir.path);
    try {
      const source = new MemorySource([]);
      for (const ok of [0, PAIR_CACHE_CANDIDATES_MAX]) await expect(Ingestor.open(store, source, { pairCacheCandidatesMax: ok })).resolves.toBeDefined();
      for (const bad of [-1, PAIR_CACHE_CANDIDATES_MAX + 1]) await expect(Ingestor.open(store, source, { pairCacheCandidatesMax: bad })).rejects.toThrow(IngestOptionError);
    } finally {
      await store.close();
      dir.cleanup();
    }
  });
});

describe('pair cache and the store', () => {
  useTempDir('stemedb-pair-cache-');

  it('a complete cache, one evicting every batch, and ingest resumed mid-log give the same store', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.integer({ min: 5, max: 80 }), fc.integer({ min: 1, max: 12 }), async (seed, n, batch) => {
        const log = logOf(randomLog(seed, { records: n, subjects: SUBJECTS, predicates: PREDICATES }));
        const dirs = [makeTempDir(), makeTempDir(), makeTempDir()];
        const complete = await buildStore(dirs[0]!.path, log, { batchRecordsMax: batch });
        const evicting = await buildStore(dirs[1]!.path, log, { batchRecordsMax: batch, pairCacheCandidatesMax: 0 });
        const half = log[Math.floor(log.length / 2)]!.offset;
        const first = await buildStore(dirs[2]!.path, log, { batchRecordsMax: batch, untilOffset: half });
        await first.close();
        const resumed = await buildStore(dirs[2]!.path, log, { batchRecordsMax: batch });
        try {
          const expected = await dumpLines(complete);
          expect(await dumpLines(evicting)).toEqual(expected);
          expect(await dumpLines(resumed)).toEqual(expected);
        } finally {
          await Promise.all([complete.close(), evicting.close(), resumed.close()]);
          dirs.forEach((d) => d.cleanup());
        }
      }),
      { numRuns: 15 },
    );
  });
});
