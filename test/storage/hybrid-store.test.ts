/**
 * HybridStore: routing by tag, merged scans, cursors, and the redo intent that
 * finishes a batch a crash cut between the RocksDB and LMDB commits.
 */
import { join } from 'node:path';
import { StoreDivergedError, StoreError } from '../../shared/storage/errors';
import { openHybridStore, type HybridStore } from '../../shared/storage/hybrid-store';
import { keys, META_NAMES, prefixes, type KeyKind } from '../../shared/storage/keys';
import type { BatchOp, BatchOpSource, KVStore } from '../../shared/storage/kv-store';
import { LmdbStore } from '../../shared/storage/lmdb-store';
import { encodeU64 } from '../../shared/storage/number-values';
import { RocksStore } from '../../shared/storage/rocks-store';
import { setLogSink } from '../../shared/telemetry/logger';
import { useTempDir } from '../helpers/tmp';
import { collect } from './stores';

const ID = Buffer.alloc(32, 0x11);
const ID2 = Buffer.alloc(32, 0x22);
const AGENT = Buffer.alloc(32, 0x33);

/** One sample key per kind and the backend docs/STORAGE.md ("Routing") puts it in. */
const SAMPLES: readonly (readonly [KeyKind, Buffer, 'rocksdb' | 'lmdb'])[] = [
  ['assertion', keys.assertion(ID), 'rocksdb'],
  ['pendingVote', keys.pendingVote(ID, AGENT), 'rocksdb'],
  ['voteCount', keys.voteCount(ID), 'rocksdb'],
  ['voteWeight', keys.voteWeight(ID), 'rocksdb'],
  ['epoch', keys.epoch('v2'), 'rocksdb'],
  ['superseded', keys.superseded(ID, ID2), 'rocksdb'],
  ['meta', keys.meta('counter'), 'rocksdb'],
  ['lmdbMeta', keys.lmdbMeta('counter'), 'lmdb'],
  ['subjectPredicate', keys.subjectPredicate('ada', 'born', 40, ID), 'lmdb'],
  ['view', keys.view('ada', 'born', 'consensus'), 'lmdb'],
  ['trust', keys.trust(AGENT), 'lmdb'],
  ['trustPack', keys.trustPack(ID), 'lmdb'],
  ['goldStandard', keys.goldStandard('ada', 'born', ID2), 'lmdb'],
  ['escalation', keys.escalation(40, 'ada', 'born'), 'rocksdb'],
  ['subjectEscalation', keys.subjectEscalation('ada', 40, 'born'), 'rocksdb'],
  ['source', keys.source(ID2, ID), 'rocksdb'],
  ['signerAssertion', keys.signerAssertion(AGENT, 40, ID), 'rocksdb'],
  ['childAssertion', keys.childAssertion(ID, ID2), 'lmdb'],
  ['trustHistory', keys.trustHistory(AGENT, 40), 'lmdb'],
  ['agentGrant', keys.agentGrant(AGENT, 41), 'lmdb'],
  ['agentRevoke', keys.agentRevoke(AGENT, 42), 'lmdb'],
  ['pairVote', keys.pairVote('ada', 'born', ID, AGENT), 'rocksdb'],
  ['subjectName', keys.subjectName('ada'), 'lmdb'],
  ['predicateSubject', keys.predicateSubject('born', 'ada'), 'lmdb'],
  ['predicateObject', keys.predicateObject('born', 'text:1815', 'ada', 40), 'rocksdb'],
  ['entityReference', keys.entityReference('city:london', 'born_in', 'ada', 40), 'rocksdb'],
];

const CURSOR = keys.meta(META_NAMES.cursor);
const INTENT = keys.meta(META_NAMES.intent);
const LMDB_CURSOR = keys.lmdbMeta(META_NAMES.cursor);
const FORMAT = keys.meta(META_NAMES.format);

const put = (key: Buffer, value: string): BatchOp => ({ type: 'put', key, value: Buffer.from(value) });

describe('HybridStore', () => {
  const tmp = useTempDir('stemedb-hybrid-');
  let store: HybridStore;
  let logLines: Record<string, unknown>[] = [];

  beforeAll(() => setLogSink({ write: (line) => void logLines.push(JSON.parse(line) as Record<string, unknown>) }));
  afterAll(() => setLogSink({ write: (line) => void process.stderr.write(line) }));
  beforeEach(() => {
    logLines = [];
  });

  beforeEach(async () => {
    store = await openHybridStore(tmp.path);
  });
  afterEach(async () => {
    await store.close();
  });

  /** Closes the hybrid store and runs `fn` on its two backends opened directly. */
  async function withBackends(fn: (rocks: KVStore, lmdb: KVStore) => Promise<void>): Promise<void> {
    await store.close();
    const rocks = await RocksStore.open(join(tmp.path, 'rocksdb'));
    const lmdb = await LmdbStore.open(join(tmp.path, 'lmdb'));
    try {
      await fn(rocks, lmdb);
    } finally {
      await Promise.all([rocks.close(), lmdb.close()]);
    }
    store = await openHybridStore(tmp.path);
  }

  /** Runs `fn` on the two backends of the (closed) store, opened directly, and leaves the store closed. */
  async function editBackends(fn: (rocks: KVStore, lmdb: KVStore) => Promise<unknown>): Promise<void> {
    const rocks = await RocksStore.open(join(tmp.path, 'rocksdb'));
    const lmdb = await LmdbStore.open(join(tmp.path, 'lmdb'));
    try {
      await fn(rocks, lmdb);
    } finally {
      await Promise.all([rocks.close(), lmdb.close()]);
    }
  }

  it('the samples cover every key kind', async () => {
    const { KEY_KINDS } = await import('../../shared/storage/keys');
    expect(SAMPLES.map(([kind]) => kind).sort()).toEqual(Object.keys(KEY_KINDS).sort());
  });

  it('every tag lands in its backend and only there', async () => {
    await store.batch(SAMPLES.map(([kind, key]) => put(key, kind)));
    for (const [, key, backend] of SAMPLES) expect(store.backendOf(key)).toBe(backend);
    await withBackends(async (rocks, lmdb) => {
      for (const [kind, key, backend] of SAMPLES) {
        const [home, other] = backend === 'rocksdb' ? [rocks, lmdb] : [lmdb, rocks];
        expect([kind, await home.get(key)]).toEqual([kind, Buffer.from(kind)]);
        expect([kind, await other.get(key)]).toEqual([kind, undefined]);
      }
    });
  });

  it('single puts, deletes and counters route like batches', async () => {
    await store.put(keys.trust(AGENT), Buffer.from('t'));
    await store.fetchAndAddU64(keys.voteCount(ID), 3n);
    await store.compareAndSwapF32(keys.trust(ID2), undefined, 0.5);
    await store.put(keys.assertion(ID2), Buffer.from('h'));
    await store.delete(keys.assertion(ID2));
    await withBackends(async (rocks, lmdb) => {
      expect(await lmdb.get(keys.trust(AGENT))).toEqual(Buffer.from('t'));
      expect(await rocks.get(keys.voteCount(ID))).toEqual(encodeU64(3n));
      expect(await lmdb.get(keys.trust(ID2))).toBeDefined();
      expect(await rocks.get(keys.assertion(ID2))).toBeUndefined();
    });
  });

  it('getMany reads both backends and answers in the order asked', async () => {
    await store.batch(SAMPLES.map(([kind, key]) => put(key, kind)));
    const asked = [...SAMPLES].reverse().map(([, key]) => key);
    expect(await store.getMany([keys.epoch('none'), ...asked])).toEqual([undefined, ...[...SAMPLES].reverse().map(([kind]) => Buffer.from(kind))]);
  });

  it('a global-prefix scan merges both backends in key order, forward and reverse', async () => {
    await store.batch(SAMPLES.map(([kind, key]) => put(key, kind)));
    const expected = SAMPLES.map(([, key]) => key)
      .filter((key) => key[0] === 0)
      .sort(Buffer.compare);
    const tags = new Set(expected.map((k) => store.backendOf(k)));
    expect(tags).toEqual(new Set(['rocksdb', 'lmdb']));
    expect((await collect(store.scanPrefix(prefixes.global()))).map(([k]) => k)).toEqual(expected);
    expect((await collect(store.scanPrefix(prefixes.global(), { reverse: true }))).map(([k]) => k)).toEqual([...expected].reverse());
    expect((await collect(store.scanPrefix(prefixes.global(), { limit: 4 }))).map(([k]) => k)).toEqual(expected.slice(0, 4));
  });

  it('a subject scan returns that subject’s keys from both backends in key order, and no other subject’s', async () => {
    // Subject-prefixed kinds live in both backends (subject ESC and PV in
    // RocksDB, the rest in LMDB); the RocksDB-tagged keys made up here add more
    // RocksDB keys under a subject (the layout allows them).
    const rocksUnderSubject = (subject: string, tag: string, suffix: string): Buffer => Buffer.concat([prefixes.subject(subject), Buffer.from(`${tag}:${suffix}`)]);
    const ada = [
      keys.goldStandard('ada', 'born', ID),
      keys.subjectPredicate('ada', 'born', 7, ID),
      keys.view('ada', 'born', 'consensus'),
      keys.goldStandard('ada', 'born', ID2),
      keys.subjectEscalation('ada', 9, 'born'),
      rocksUnderSubject('ada', 'H', 'x'),
      rocksUnderSubject('ada', 'VC', 'y'),
      rocksUnderSubject('ada', 'V', 'z'),
    ];
    const others = [keys.goldStandard('adam', 'born', ID), keys.goldStandard('ad', 'born', ID), rocksUnderSubject('adam', 'H', 'x'), keys.assertion(ID)];
    await store.batch([...ada, ...others].map((k) => put(k, 'v')));
    expect(new Set(ada.map((k) => store.backendOf(k)))).toEqual(new Set(['rocksdb', 'lmdb']));
    const sorted = [...ada].sort(Buffer.compare);
    expect((await collect(store.scanPrefix(prefixes.subject('ada')))).map(([k]) => k)).toEqual(sorted);
    expect((await collect(store.scanPrefix(prefixes.subject('ada'), { reverse: true, limit: 5 }))).map(([k]) => k)).toEqual([...sorted].reverse().slice(0, 5));
    expect((await collect(store.scanPrefix(prefixes.subject('ada'), { gt: sorted[2]! }))).map(([k]) => k)).toEqual(sorted.slice(3));
  });

  it('breaking out of a merged scan early closes both backend scans', async () => {
    await store.batch(SAMPLES.map(([kind, key]) => put(key, kind)));
    for await (const entry of store.scanPrefix(prefixes.global())) {
      expect(entry).toBeDefined();
      break;
    }
    await expect(store.close()).resolves.toBeUndefined();
    store = await openHybridStore(tmp.path);
  });

  it('refuses bytes that are not a key before writing either half of a batch', async () => {
    await expect(store.batch([put(keys.trust(AGENT), 'x'), put(Buffer.from('no-nul'), 'y')])).rejects.toBeInstanceOf(StoreError);
    await expect(store.get(Buffer.from('no-nul'))).rejects.toBeInstanceOf(StoreError);
    expect(await store.get(keys.trust(AGENT))).toBeUndefined();
  });

  describe('applyBatch and cursors', () => {
    it('commits each backend’s part with its cursor; a fresh store is at 0', async () => {
      expect(store.cursors()).toEqual({ rocks: 0, lmdb: 0 });
      expect(await store.applyBatch([put(keys.assertion(ID), 'h'), put(keys.goldStandard('ada', 'born', ID), 's')], 100)).toEqual({ rocks: true, lmdb: true });
      expect(store.cursors()).toEqual({ rocks: 100, lmdb: 100 });
      await withBackends(async (rocks, lmdb) => {
        expect(await rocks.get(CURSOR)).toEqual(encodeU64(100n));
        expect(await lmdb.get(LMDB_CURSOR)).toEqual(encodeU64(100n));
        expect(await rocks.get(INTENT)).toBeUndefined();
      });
      expect(store.cursors()).toEqual({ rocks: 100, lmdb: 100 });
    });

    it('a batch at or below the cursors is skipped: replaying the log never applies twice', async () => {
      await store.applyBatch([], 100);
      await store.applyBatch([{ type: 'put', key: keys.voteCount(ID), value: encodeU64(1n) }], 200);
      expect(await store.applyBatch([{ type: 'put', key: keys.voteCount(ID), value: encodeU64(99n) }], 200)).toEqual({ rocks: false, lmdb: false });
      expect(await store.applyBatch([put(keys.trust(AGENT), 'x')], 150)).toEqual({ rocks: false, lmdb: false });
      expect(await store.get(keys.voteCount(ID))).toEqual(encodeU64(1n));
      expect(await store.get(keys.trust(AGENT))).toBeUndefined();
    });

    it('a backend ahead of the other is refused at open, never served half-applied', async () => {
      await store.applyBatch([], 100);
      await store.close();
      await editBackends(async (_rocks, lmdb) => lmdb.put(LMDB_CURSOR, encodeU64(300n)));
      await expect(openHybridStore(tmp.path)).rejects.toMatchObject({ name: 'StoreDivergedError', rocksCursor: 100, lmdbCursor: 300, intent: undefined });
    });

    it('concurrent applyBatch calls run one at a time in call order', async () => {
      const runs = [100, 200, 300].map((at) => store.applyBatch([put(keys.trust(AGENT), String(at)), put(keys.epoch('e'), String(at))], at));
      await Promise.all(runs);
      expect(await store.getMany([keys.trust(AGENT), keys.epoch('e')])).toEqual([Buffer.from('300'), Buffer.from('300')]);
      expect(store.cursors()).toEqual({ rocks: 300, lmdb: 300 });
    });

    it('refuses ops on the cursor, intent or format keys and offsets that are not positive safe integers', async () => {
      for (const reserved of [CURSOR, INTENT, LMDB_CURSOR, FORMAT]) await expect(store.applyBatch([put(reserved, 'x')], 10)).rejects.toBeInstanceOf(StoreError);
      for (const bad of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1]) await expect(store.applyBatch([], bad)).rejects.toBeInstanceOf(StoreError);
      expect(store.cursors()).toEqual({ rocks: 0, lmdb: 0 });
    });
  });

  describe('applyBatch from a BatchOpSource', () => {
    /** `ops` as a source that makes each op afresh, as an arena does, and counts what it made. */
    const sourceOf = (ops: readonly BatchOp[]): BatchOpSource & { made: number } => ({
      size: ops.length,
      made: 0,
      op(i) {
        this.made++;
        const o = ops[i]!;
        // A copy, as an arena makes; what is not a Buffer stays as it is (for the checks).
        const copy = <T>(b: T): T => (Buffer.isBuffer(b) ? (Buffer.from(b) as T) : b);
        return o.type === 'put' ? { ...o, key: copy(o.key), value: copy(o.value) } : { ...o, key: copy(o.key) };
      },
      key(i) {
        return Buffer.from(ops[i]!.key);
      },
    });
    const dumpOf = async (s: HybridStore): Promise<string[]> => {
      const out: string[] = [];
      for await (const e of s.dump()) out.push(`${e.backend} ${e.key.toString('hex')} ${e.value.toString('hex')}`);
      return out;
    };

    it('leaves both backends, cursors and the redo intent exactly as the same ops as an array do', async () => {
      const ops: BatchOp[] = [...SAMPLES.map(([kind, key]) => put(key, kind)), { type: 'delete', key: keys.trust(AGENT) }, put(keys.assertion(ID), 'later wins')];
      const other = await openHybridStore(join(tmp.path, 'array'));
      try {
        await other.applyBatch([put(keys.trust(AGENT), 'old')], 50);
        await other.applyBatch(ops, 100);
        await store.applyBatch([put(keys.trust(AGENT), 'old')], 50);
        const source = sourceOf(ops);
        await store.applyBatch(source, 100);
        // Every op is made to be checked and routed, and once more for the backend it goes to (LMDB's also for the intent).
        expect(source.made).toBeGreaterThanOrEqual(2 * ops.length);
        expect(await dumpOf(store)).toEqual(await dumpOf(other));
        expect(store.cursors()).toEqual(other.cursors());
        expect((await store.get(keys.assertion(ID)))?.toString()).toBe('later wins');
      } finally {
        await other.close();
      }
    });

    it('refuses a source with a reserved key or a bad op whole, writing neither backend', async () => {
      for (const bad of [put(CURSOR, 'x'), put(FORMAT, 'x'), { type: 'delete', key: Buffer.alloc(0) } as BatchOp, { type: 'put', key: keys.trust(AGENT), value: 'text' } as unknown as BatchOp]) {
        await expect(store.applyBatch(sourceOf([put(keys.assertion(ID), 'a'), put(keys.trust(ID2), 'b'), bad]), 10)).rejects.toBeInstanceOf(StoreError);
      }
      expect(store.cursors()).toEqual({ rocks: 0, lmdb: 0 });
      expect(await store.getMany([keys.assertion(ID), keys.trust(ID2)])).toEqual([undefined, undefined]);
    });
  });

  describe('the redo intent', () => {
    const lmdbHalf = [put(keys.goldStandard('ada', 'born', ID2), 's2'), put(keys.trust(AGENT), 'rank'), { type: 'delete' as const, key: keys.goldStandard('ada', 'born', ID) }];
    const rocksHalf = [put(keys.assertion(ID2), 'h2')];

    /** Applies batch 1 at 100, then crashes batch 2 (at 200) after its RocksDB commit. */
    async function crashBetweenCommits(): Promise<void> {
      await store.applyBatch([put(keys.assertion(ID), 'h'), put(keys.goldStandard('ada', 'born', ID), 's')], 100);
      await store.close();
      store = await openHybridStore(tmp.path, {
        hooks: {
          afterRocksCommit: (at) => {
            if (at === 200) throw new Error('simulated crash');
          },
        },
      });
      await expect(store.applyBatch([...rocksHalf, ...lmdbHalf], 200)).rejects.toThrow('simulated crash');
    }

    it('after a crash between the commits, reopening replays the LMDB half and the cursors agree', async () => {
      await crashBetweenCommits();
      expect(store.cursors()).toEqual({ rocks: 200, lmdb: 100 });
      await expect(store.applyBatch([], 300)).rejects.toThrow(/reopen/);
      expect(await store.get(keys.trust(AGENT))).toBeUndefined();
      await store.close();
      await withBackends(async (rocks, lmdb) => {
        expect(await rocks.get(INTENT)).toBeDefined();
        expect(await lmdb.get(LMDB_CURSOR)).toEqual(encodeU64(100n));
      });
      // withBackends reopened the hybrid store: the replay has happened.
      expect(store.cursors()).toEqual({ rocks: 200, lmdb: 200 });
      expect(logLines).toContainEqual(expect.objectContaining({ level: 'info', msg: 'replayed the redo intent into LMDB', from_cursor: 100, to_cursor: 200, ops: 3 }));
      expect(await store.getMany([keys.assertion(ID2), keys.goldStandard('ada', 'born', ID2), keys.trust(AGENT), keys.goldStandard('ada', 'born', ID)])).toEqual([
        Buffer.from('h2'),
        Buffer.from('s2'),
        Buffer.from('rank'),
        undefined,
      ]);
      await withBackends(async (rocks, lmdb) => {
        expect(await rocks.get(INTENT)).toBeUndefined();
        expect(await lmdb.get(LMDB_CURSOR)).toEqual(encodeU64(200n));
      });
    });

    it('a store recovered from the crash dumps the same as one that never crashed', async () => {
      await crashBetweenCommits();
      await store.close();
      store = await openHybridStore(tmp.path);
      const recovered = await collect(store.dump());
      await store.close();
      store = await openHybridStore(join(tmp.path, 'clean'));
      await store.applyBatch([put(keys.assertion(ID), 'h'), put(keys.goldStandard('ada', 'born', ID), 's')], 100);
      await store.applyBatch([...rocksHalf, ...lmdbHalf], 200);
      expect(await collect(store.dump())).toEqual(recovered);
    });

    it('replaying the intent again is harmless: a second reopen changes nothing', async () => {
      await crashBetweenCommits();
      await store.close();
      store = await openHybridStore(tmp.path);
      const once = await collect(store.dump());
      await store.close();
      store = await openHybridStore(tmp.path);
      expect(await collect(store.dump())).toEqual(once);
      expect(store.cursors()).toEqual({ rocks: 200, lmdb: 200 });
    });

    it('an intent that does not start at LMDB’s cursor is refused: LMDB lost more than one batch', async () => {
      await crashBetweenCommits();
      await store.close();
      await editBackends(async (_rocks, lmdb) => {
        await lmdb.put(LMDB_CURSOR, encodeU64(50n));
      });
      const err = await openHybridStore(tmp.path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreDivergedError);
      expect(err).toMatchObject({ dir: tmp.path, rocksCursor: 200, lmdbCursor: 50, intent: { from: 100, to: 200 } });
      expect((err as Error).message).toMatch(/RocksDB is applied through 200 and LMDB through 50, with a redo intent from 100 to 200.*Rebuild it from the log/);
      // Refusing wrote nothing: the same refusal on every open, the intent kept.
      await expect(openHybridStore(tmp.path)).rejects.toBeInstanceOf(StoreDivergedError);
      await editBackends(async (rocks) => expect(await rocks.get(INTENT)).toBeDefined());
    });

    it('RocksDB ahead without an intent is refused', async () => {
      await store.applyBatch([put(keys.assertion(ID), 'h'), put(keys.goldStandard('ada', 'born', ID), 's')], 100);
      await store.close();
      await editBackends(async (rocks) => rocks.put(CURSOR, encodeU64(300n)));
      await expect(openHybridStore(tmp.path)).rejects.toMatchObject({ name: 'StoreDivergedError', rocksCursor: 300, lmdbCursor: 100, intent: undefined });
    });

    it('onDivergence rebuild deletes both backends and opens an empty store at cursor 0', async () => {
      await store.applyBatch([put(keys.assertion(ID), 'h'), put(keys.goldStandard('ada', 'born', ID), 's')], 100);
      await store.close();
      await editBackends(async (_rocks, lmdb) => lmdb.put(LMDB_CURSOR, encodeU64(40n)));
      store = await openHybridStore(tmp.path, { onDivergence: 'rebuild' });
      expect(store.cursors()).toEqual({ rocks: 0, lmdb: 0 });
      expect(await collect(store.dump())).toEqual([]);
      expect(logLines).toContainEqual(expect.objectContaining({ level: 'warn', rocks_cursor: 100, lmdb_cursor: 40 }));
    });
  });

  describe('dump', () => {
    it('lists RocksDB then LMDB, each in key order, without the transient intent', async () => {
      await store.applyBatch(
        SAMPLES.map(([kind, key]) => put(key, kind)),
        100,
      );
      const dumped = await collect(store.dump());
      const rocksKeys = [...SAMPLES.filter(([, , b]) => b === 'rocksdb').map(([, k]) => k), CURSOR].sort(Buffer.compare);
      const lmdbKeys = [...SAMPLES.filter(([, , b]) => b === 'lmdb').map(([, k]) => k), LMDB_CURSOR].sort(Buffer.compare);
      expect(dumped.map((e) => [e.backend, e.key])).toEqual([...rocksKeys.map((k) => ['rocksdb', k]), ...lmdbKeys.map((k) => ['lmdb', k])]);
      expect(dumped.some((e) => e.key.equals(INTENT))).toBe(false);
    });
  });
});
