/**
 * The reader's parts in process: edge converters and their limits (±1),
 * read-your-writes waiters, the Watch bell, the MV fence (commit seqlock),
 * configuration, and the status mapping of the errors a reader throws.
 */
import * as grpc from '@grpc/grpc-js';
import { ValidationError } from '../../shared/domain/errors';
import { PREDICATE_BYTES_MAX, SUBJECT_BYTES_MAX } from '../../shared/domain/limits';
import { Lens } from '../../shared/gen/stemedb/v1/reader';
import { GraphReader } from '../../shared/graph/graph-reader';
import { GraphInputError } from '../../shared/graph/errors';
import { CancelledError, SizeLimitError, UnavailableError } from '../../shared/grpc/errors';
import { FIELD_METADATA_KEY, toServiceError } from '../../shared/grpc/status';
import { LensInputError, UnknownLensError } from '../../shared/lens/errors';
import { openHybridStore } from '../../shared/storage/hybrid-store';
import { createLogger, setLogLevel } from '../../shared/telemetry/logger';
import { Ingestor } from '../../services/ingest/ingestor';
import { BatchBell } from '../../services/reader/batch-bell';
import { parseReaderConfig, ReaderConfigError } from '../../services/reader/config';
import type { IngestView, ReaderCore } from '../../services/reader/core';
import { OffsetWaitError } from '../../services/reader/errors';
import { offsetFromWire, pageSizeFromWire, predicateFromWire, queryFromWire, subjectFromWire } from '../../services/reader/from-proto';
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, READER_LISTEN_DEFAULT } from '../../services/reader/limits';
import { OffsetWaiters } from '../../services/reader/offset-waiters';
import { DEFAULT_QUERY, requiredOffset } from '../../services/reader/query';
import { Resolver } from '../../services/reader/resolver';
import { agent, claim, logOf, MemorySource, signed, text } from '../graph/log-builder';
import { buildStore } from '../graph/store-helpers';
import { useTempDir } from '../helpers/tmp';
import { options } from './reader-fixtures';

beforeAll(() => setLogLevel('error'));

const fieldOfError = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.field;
    throw err;
  }
  return undefined;
};

describe('edge converters', () => {
  it(`subjects up to ${SUBJECT_BYTES_MAX} bytes and predicates up to ${PREDICATE_BYTES_MAX} bytes pass; one more byte does not`, () => {
    expect(subjectFromWire('é'.repeat(SUBJECT_BYTES_MAX / 2))).toHaveLength(SUBJECT_BYTES_MAX / 2);
    expect(fieldOfError(() => subjectFromWire('a'.repeat(SUBJECT_BYTES_MAX + 1)))).toBe('subject');
    expect(predicateFromWire('p'.repeat(PREDICATE_BYTES_MAX))).toHaveLength(PREDICATE_BYTES_MAX);
    expect(fieldOfError(() => predicateFromWire('p'.repeat(PREDICATE_BYTES_MAX + 1)))).toBe('predicate');
    expect(fieldOfError(() => subjectFromWire('a\u0007b'))).toBe('subject');
    expect(fieldOfError(() => subjectFromWire('\uD800'))).toBe('subject');
  });

  it(`page_size 0 means ${PAGE_SIZE_DEFAULT}; 1..${PAGE_SIZE_MAX} pass; ${PAGE_SIZE_MAX + 1} does not`, () => {
    expect(pageSizeFromWire(0)).toBe(PAGE_SIZE_DEFAULT);
    expect(pageSizeFromWire(1)).toBe(1);
    expect(pageSizeFromWire(PAGE_SIZE_MAX)).toBe(PAGE_SIZE_MAX);
    expect(fieldOfError(() => pageSizeFromWire(PAGE_SIZE_MAX + 1))).toBe('page_size');
  });

  it('offsets are 0..2^53-1', () => {
    expect(offsetFromWire(0n, 'o')).toBe(0);
    expect(offsetFromWire(BigInt(Number.MAX_SAFE_INTEGER), 'o')).toBe(Number.MAX_SAFE_INTEGER);
    expect(fieldOfError(() => offsetFromWire(BigInt(Number.MAX_SAFE_INTEGER) + 1n, 'o'))).toBe('o');
    expect(fieldOfError(() => offsetFromWire(-1n, 'o'))).toBe('o');
  });

  it('query options: lens 0..4 (0 is consensus), min_share in (0, 1], trust pack ids of 32 bytes, epochs checked', () => {
    expect(queryFromWire(undefined)).toEqual(DEFAULT_QUERY);
    expect(queryFromWire(options())).toEqual(DEFAULT_QUERY);
    expect(queryFromWire(options({ lens: Lens.LENS_THRESHOLD })).lens).toBe('threshold');
    expect(fieldOfError(() => queryFromWire(options({ lens: 5 as Lens })))).toBe('options.lens');
    expect(fieldOfError(() => queryFromWire(options({ lens: -1 as Lens })))).toBe('options.lens');
    expect(queryFromWire(options({ minShare: 1 })).minShare).toBe(1);
    expect(queryFromWire(options({ minShare: Number.MIN_VALUE })).minShare).toBe(Number.MIN_VALUE);
    for (const bad of [0, -0.1, 1 + Number.EPSILON, Number.NaN]) expect(fieldOfError(() => queryFromWire(options({ minShare: bad })))).toBe('options.min_share');
    expect(queryFromWire(options({ trustPackId: Buffer.alloc(32, 7) })).trustPackId).toEqual(Buffer.alloc(32, 7));
    expect(fieldOfError(() => queryFromWire(options({ trustPackId: Buffer.alloc(33) })))).toBe('options.trust_pack_id');
    expect(fieldOfError(() => queryFromWire(options({ epoch: 'e\u0000' })))).toBe('options.epoch');
  });

  it('the record at min_offset must be applied (applied > min_offset); as_of needs applied >= as_of; 0 waits for nothing', () => {
    expect(requiredOffset({ minOffset: undefined, asOfOffset: undefined })).toBe(0);
    expect(requiredOffset({ minOffset: 0, asOfOffset: undefined })).toBe(1);
    expect(requiredOffset({ minOffset: 234, asOfOffset: undefined })).toBe(235);
    expect(requiredOffset({ minOffset: undefined, asOfOffset: 468 })).toBe(468);
    expect(requiredOffset({ minOffset: 500, asOfOffset: 468 })).toBe(501);
  });
});

describe('OffsetWaiters', () => {
  let applied = 0;
  const never = new AbortController().signal;

  it('resolves a wait only once notify() sees the applied offset reach the target', async () => {
    applied = 100;
    const w = new OffsetWaiters(() => applied);
    await w.waitFor(100, 'f', never, undefined); // already there
    let done = false;
    const p = w.waitFor(200, 'f', never, undefined).then(() => (done = true));
    applied = 199;
    w.notify();
    await Promise.resolve();
    expect(done).toBe(false);
    applied = 200;
    w.notify();
    await p;
    expect(done).toBe(true);
    expect(w.size).toBe(0);
  });

  it("rejects with the signal's reason, with OffsetWaitError after its bound, and with UnavailableError once closed", async () => {
    applied = 0;
    const w = new OffsetWaiters(() => applied);
    const ac = new AbortController();
    const cancelled = w.waitFor(10, 'f', ac.signal, undefined);
    ac.abort(new CancelledError());
    await expect(cancelled).rejects.toBeInstanceOf(CancelledError);
    await expect(w.waitFor(10, 'options.min_offset', never, 20)).rejects.toMatchObject({ name: 'OffsetWaitError', field: 'options.min_offset', targetOffset: 10, appliedOffset: 0 });
    const parked = w.waitFor(10, 'f', never, undefined);
    w.close();
    await expect(parked).rejects.toBeInstanceOf(UnavailableError);
    await expect(w.waitFor(10, 'f', never, undefined)).rejects.toBeInstanceOf(UnavailableError);
    expect(w.size).toBe(0);
  });

  it('parks at most its maximum of waits; one more is RESOURCE_EXHAUSTED', async () => {
    applied = 0;
    const max = 3;
    const w = new OffsetWaiters(() => applied, max);
    const parked = Array.from({ length: max }, () => w.waitFor(10, 'f', never, undefined));
    await expect(w.waitFor(10, 'f', never, undefined)).rejects.toBeInstanceOf(SizeLimitError);
    applied = 10;
    w.notify();
    await Promise.all(parked);
  });
});

describe('BatchBell', () => {
  it('rings every subscriber, forgets unsubscribed ones, and refuses one over its maximum', () => {
    const bell = new BatchBell(2);
    let rings = 0;
    const a = bell.subscribe(() => rings++)!;
    const b = bell.subscribe(() => rings++)!;
    expect(bell.subscribe(() => rings++)).toBeUndefined();
    bell.ring();
    expect(rings).toBe(2);
    a();
    b();
    bell.ring();
    expect(rings).toBe(2);
    expect(bell.subscribe(() => undefined)).toBeDefined();
  });
});

describe('the MV fence', () => {
  const tmp = useTempDir('stemedb-reader-fence-');

  it('the commit sequence is odd exactly while a batch commits and even (2 per batch) after', async () => {
    const seen: number[] = [];
    let ingestor: Ingestor | undefined;
    const store = await openHybridStore(tmp.path, { hooks: { afterRocksCommit: () => void seen.push(ingestor!.commitSequence) } });
    try {
      const log = logOf([1, 2, 3].map((i) => signed(claim({ subject: 's', predicate: 'p', object: text(`v${i}`) }), [agent(i)])));
      ingestor = await Ingestor.open(store, new MemorySource(log), { batchRecordsMax: 1, batchDelayMs: 0 });
      expect(ingestor.commitSequence).toBe(0);
      await ingestor.catchUp(log[log.length - 1]!.nextOffset);
      expect(seen).toEqual([1, 3, 5]);
      expect(ingestor.commitSequence).toBe(6);
    } finally {
      await store.close();
    }
  });

  it('serves MV when no commit overlaps the read, and a full resolution at the same offset when one does', async () => {
    const log = logOf([1, 2].map((i) => signed(claim({ subject: 's', predicate: 'p', object: text(`v${i}`), source: i }), [agent(i)])));
    const store = await buildStore(tmp.path, log);
    try {
      const head = log[log.length - 1]!.nextOffset;
      const ingest: IngestView & { commitSequence: number } = { appliedOffset: head, commitSequence: 4, counters: { applied: 2, rejected: 0 } };
      const graph = new GraphReader(store);
      let overlap = false;
      const fencedGraph = Object.create(graph) as GraphReader;
      fencedGraph.materialized = async (s, p) => {
        const r = await graph.materialized(s, p);
        if (overlap) ingest.commitSequence += 1; // a commit started while MV was read
        return r;
      };
      const core: ReaderCore = { graph: fencedGraph, ingest, waiters: new OffsetWaiters(() => head), source: { head: async () => head, describe: () => 'test' }, logger: createLogger({ test: 'fence' }), offsetWaitMsMax: 1000 };
      const resolver = new Resolver(core);
      const signal = new AbortController().signal;
      const hit = await resolver.resolvePair('s', 'p', DEFAULT_QUERY, { explain: false, signal });
      expect(hit).toMatchObject({ fromMaterializedView: true, servedAtOffset: head });
      overlap = true;
      const fenced = await resolver.resolvePair('s', 'p', DEFAULT_QUERY, { explain: false, signal });
      expect(fenced).toMatchObject({ fromMaterializedView: false, servedAtOffset: head });
      expect(fenced.resolution).toEqual(hit.resolution);
      ingest.commitSequence = 7; // odd: a commit is in flight, MV is not even read
      expect((await resolver.resolvePair('s', 'p', DEFAULT_QUERY, { explain: false, signal })).fromMaterializedView).toBe(false);
    } finally {
      await store.close();
    }
  });
});

describe('reader configuration', () => {
  it('flags win over the environment; defaults fill the rest', () => {
    const env = { STEMEDB_DATA_DIR: '/env/data', STEMEDB_WRITER: 'w:1', STEMEDB_LISTEN: '0.0.0.0:9', STEMEDB_MAX_CONNECTION_AGE_MS: '0', STEMEDB_LOG_LEVEL: 'debug' };
    expect(parseReaderConfig([], env)).toEqual({ dataDir: '/env/data', source: { kind: 'writer', address: 'w:1' }, listen: '0.0.0.0:9', logLevel: 'debug', maxConnectionAgeMs: null });
    expect(parseReaderConfig(['--data', '/d', '--wal', '/wal', '--listen', 'h:0', '--max-connection-age-ms', '5', '--log-level', 'warn'], env)).toEqual({
      dataDir: '/d',
      source: { kind: 'wal', dir: '/wal' },
      listen: 'h:0',
      logLevel: 'warn',
      maxConnectionAgeMs: 5,
    });
    expect(parseReaderConfig(['--data', '/d', '--writer', 'h:1'], {}).listen).toBe(READER_LISTEN_DEFAULT);
  });

  it.each([
    [['--writer', 'h:1'], {}, '--data'],
    [['--data', '/d'], {}, '--writer/--wal'],
    [['--data', '/d', '--writer', 'h:1', '--wal', '/w'], {}, '--writer/--wal'],
    [['--data', '/d'], { STEMEDB_WRITER: 'h:1', STEMEDB_WAL_DIR: '/w' }, 'STEMEDB_WRITER/STEMEDB_WAL_DIR'],
    [['--data', '/d', '--writer', 'nohost'], {}, '--writer'],
    [['--data', '/d', '--writer', 'h:1', '--listen', 'h:65536'], {}, '--listen'],
    [['--data', '/d', '--writer', 'h:1', '--max-connection-age-ms', '-1'], {}, 'arguments'],
    [['--data', '/d', '--writer', 'h:1'], { STEMEDB_LOG_LEVEL: 'loud' }, 'STEMEDB_LOG_LEVEL'],
  ] as const)('%j with %j is refused, blaming %s', (args, env, setting) => {
    expect(() => parseReaderConfig(args, env)).toThrow(ReaderConfigError);
    try {
      parseReaderConfig(args, env);
    } catch (err) {
      expect((err as ReaderConfigError).setting).toBe(setting);
    }
  });

  it('a flag source wins over a variable naming the other source', () => {
    expect(parseReaderConfig(['--data', '/d', '--wal', '/w'], { STEMEDB_WRITER: 'h:1' }).source).toEqual({ kind: 'wal', dir: '/w' });
  });
});

describe('status codes of the errors a reader throws', () => {
  const logger = createLogger({ test: 'reader-status' });
  const fieldOf = (e: ReturnType<typeof toServiceError>): string | undefined => e.metadata.get(FIELD_METADATA_KEY)[0]?.toString();

  it.each([
    ['LensInputError', new LensInputError('context.min_share', 'must be in (0, 1]'), grpc.status.INVALID_ARGUMENT, 'context.min_share'],
    ['UnknownLensError', new UnknownLensError('vibes'), grpc.status.INVALID_ARGUMENT, 'options.lens'],
    ['GraphInputError', new GraphInputError('page_token', 'not a token this listing returned'), grpc.status.INVALID_ARGUMENT, 'page_token'],
    ['OffsetWaitError', new OffsetWaitError('options.min_offset', 100, 50, 60_000), grpc.status.DEADLINE_EXCEEDED, 'options.min_offset'],
  ] as const)('%s', (_name, err, code, field) => {
    const e = toServiceError(err, { logger });
    expect(e.code).toBe(code);
    expect(fieldOf(e)).toBe(field);
    expect(e.details).toBe(err.message);
  });
});
