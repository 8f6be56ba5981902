/**
 * The reader's named limits at their real values, ±1 (issue 11 point 7):
 * OFFSET_WAITERS_MAX parked read-your-writes waits, BATCH_LISTENERS_MAX Watch
 * listeners, RESOLVE_SUBJECT_PREDICATES_MAX predicates in one ResolveSubject.
 */
import { GraphReader } from '../../shared/graph/graph-reader';
import { SizeLimitError } from '../../shared/grpc/errors';
import { openHybridStore } from '../../shared/storage/hybrid-store';
import { createLogger, setLogLevel } from '../../shared/telemetry/logger';
import { BatchBell } from '../../services/reader/batch-bell';
import type { IngestView, ReaderCore } from '../../services/reader/core';
import { BATCH_LISTENERS_MAX, OFFSET_WAITERS_MAX, RESOLVE_SUBJECT_PREDICATES_MAX } from '../../services/reader/limits';
import { OffsetWaiters } from '../../services/reader/offset-waiters';
import { DEFAULT_QUERY } from '../../services/reader/query';
import { Resolver } from '../../services/reader/resolver';
import { useTempDir } from '../helpers/tmp';

beforeAll(() => setLogLevel('error'));

describe('reader limits at ±1', () => {
  const tmp = useTempDir('stemedb-reader-limits-');
  const never = new AbortController().signal;

  it(`OFFSET_WAITERS_MAX (${OFFSET_WAITERS_MAX}) waits park; one more is RESOURCE_EXHAUSTED naming the field`, async () => {
    let applied = 0;
    const waiters = new OffsetWaiters(() => applied);
    const parked = Array.from({ length: OFFSET_WAITERS_MAX }, () => waiters.waitFor(10, 'options.min_offset', never, undefined));
    expect(waiters.size).toBe(OFFSET_WAITERS_MAX);
    const over = await waiters.waitFor(10, 'options.min_offset', never, undefined).catch((e: unknown) => e);
    expect(over).toBeInstanceOf(SizeLimitError);
    expect(over).toMatchObject({ field: 'options.min_offset', sizeMax: OFFSET_WAITERS_MAX });
    applied = 10;
    waiters.notify();
    await Promise.all(parked);
    expect(waiters.size).toBe(0);
  });

  it(`BATCH_LISTENERS_MAX (${BATCH_LISTENERS_MAX}) listeners subscribe; one more is refused`, () => {
    const bell = new BatchBell();
    const offs = Array.from({ length: BATCH_LISTENERS_MAX }, () => bell.subscribe(() => undefined));
    expect(offs.every((off) => off !== undefined)).toBe(true);
    expect(bell.subscribe(() => undefined)).toBeUndefined();
    offs[0]!();
    expect(bell.subscribe(() => undefined)).toBeDefined();
  });

  it(`ResolveSubject answers RESOLVE_SUBJECT_PREDICATES_MAX (${RESOLVE_SUBJECT_PREDICATES_MAX}) predicates; one more is RESOURCE_EXHAUSTED naming subject`, async () => {
    const store = await openHybridStore(tmp.path);
    try {
      const graph = Object.create(new GraphReader(store)) as GraphReader;
      let count = 0;
      graph.predicatesOf = async () => Array.from({ length: count }, (_, i) => `p${String(i).padStart(5, '0')}`);
      graph.candidatesFor = async () => [];
      // An odd commit sequence: a commit in flight, so the MV is skipped and predicates are listed.
      const ingest: IngestView & { commitSequence: number } = { appliedOffset: 0, commitSequence: 1, counters: { applied: 0, rejected: 0 } };
      const core: ReaderCore = { graph, ingest, waiters: new OffsetWaiters(() => 0), source: { head: async () => 0, describe: () => 'test' }, logger: createLogger({ test: 'limits' }), offsetWaitMsMax: 1000 };
      const resolver = new Resolver(core);
      count = RESOLVE_SUBJECT_PREDICATES_MAX;
      expect((await resolver.resolveSubject('s', DEFAULT_QUERY, never)).resolutions).toHaveLength(RESOLVE_SUBJECT_PREDICATES_MAX);
      count = RESOLVE_SUBJECT_PREDICATES_MAX + 1;
      const over = await resolver.resolveSubject('s', DEFAULT_QUERY, never).catch((e: unknown) => e);
      expect(over).toBeInstanceOf(SizeLimitError);
      expect(over).toMatchObject({ field: 'subject', sizeMax: RESOLVE_SUBJECT_PREDICATES_MAX, size: RESOLVE_SUBJECT_PREDICATES_MAX + 1 });
    } finally {
      await store.close();
    }
  });
});
