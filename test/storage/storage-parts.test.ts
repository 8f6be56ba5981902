/**
 * The small pure parts of the storage layer: prefix ranges, routing of
 * prefixes, the streaming merge, the redo intent codec, key locks, spans and
 * the key order of LMDB's batches.
 */
import { StoreError } from '../../shared/storage/errors';
import { KeyLocks } from '../../shared/storage/key-locks';
import { prefixUpperBound, scanRange } from '../../shared/storage/key-range';
import { keys, prefixes } from '../../shared/storage/keys';
import type { Entry } from '../../shared/storage/kv-store';
import fc from 'fast-check';
import type { BatchOp } from '../../shared/storage/kv-store';
import { LmdbStore, inKeyOrder } from '../../shared/storage/lmdb-store';
import { mergeScans } from '../../shared/storage/merge-scan';
import { decodeRedoIntent, encodeRedoIntent } from '../../shared/storage/redo-intent';
import { backendsOfPrefix } from '../../shared/storage/routing';
import { useSpanCapture } from '../helpers/spans';
import { useTempDir } from '../helpers/tmp';
import { collect } from './stores';

const b = (hex: string): Buffer => Buffer.from(hex, 'hex');

describe('prefix ranges', () => {
  it.each([
    ['01', '02'],
    ['01ff', '02'],
    ['01ffff', '02'],
    ['00', '01'],
    ['01fe', '01ff'],
  ])('the upper bound of prefix %s is %s', (prefix, upper) => {
    expect(prefixUpperBound(b(prefix))?.toString('hex')).toBe(upper);
  });

  it('an empty or all-0xff prefix has no upper bound', () => {
    expect(prefixUpperBound(b(''))).toBeUndefined();
    expect(prefixUpperBound(b('ffff'))).toBeUndefined();
  });

  it('bounds crossing each other make an empty range', () => {
    expect(scanRange('lmdb', b('01'), { gt: b('0105'), lt: b('0105') }).empty).toBe(true);
    expect(scanRange('lmdb', b('01'), { gte: b('0105'), lte: b('0105') }).empty).toBe(false);
    expect(scanRange('lmdb', b('01'), { gte: b('02') }).empty).toBe(true);
  });

  it('refuses bounds that are not Buffers', () => {
    expect(() => scanRange('lmdb', b('01'), { gt: '01' as unknown as Buffer })).toThrow(StoreError);
  });
});

describe('which backends a prefix scan reads', () => {
  it('a prefix naming a whole tag reads one backend; wider prefixes read both', () => {
    expect(backendsOfPrefix(prefixes.kind('assertion'))).toEqual(['rocksdb']);
    expect(backendsOfPrefix(prefixes.pairVotes('ada', 'born'))).toEqual(['rocksdb']);
    expect(backendsOfPrefix(prefixes.subjectPredicate('ada', 'born'))).toEqual(['lmdb']);
    expect(backendsOfPrefix(prefixes.kind('trust'))).toEqual(['lmdb']);
    expect(backendsOfPrefix(prefixes.subject('ada'))).toEqual(['rocksdb', 'lmdb']);
    expect(backendsOfPrefix(prefixes.global())).toEqual(['rocksdb', 'lmdb']);
    expect(backendsOfPrefix(Buffer.from('\0S'))).toEqual(['rocksdb', 'lmdb']);
    expect(backendsOfPrefix(Buffer.from('ad'))).toEqual(['rocksdb', 'lmdb']);
    expect(backendsOfPrefix(Buffer.alloc(0))).toEqual(['rocksdb', 'lmdb']);
  });
});

describe('mergeScans', () => {
  async function* from(keysHex: string[], onReturn?: () => void): AsyncGenerator<Entry> {
    try {
      for (const k of keysHex) yield [b(k), b(k)];
    } finally {
      onReturn?.();
    }
  }

  it('interleaves two ordered scans in key order, forward and reverse', async () => {
    const merged = await collect(mergeScans(from(['01', '03', '05']), from(['02', '04', '06', '07']), false));
    expect(merged.map(([k]) => k.toString('hex'))).toEqual(['01', '02', '03', '04', '05', '06', '07']);
    const reversed = await collect(mergeScans(from(['05', '03']), from(['06', '04', '01']), true));
    expect(reversed.map(([k]) => k.toString('hex'))).toEqual(['06', '05', '04', '03', '01']);
  });

  it('handles an empty side and stops at the limit, closing both inputs', async () => {
    expect((await collect(mergeScans(from([]), from(['01']), false))).length).toBe(1);
    const closed: string[] = [];
    const limited = await collect(mergeScans(from(['01', '03'], () => closed.push('a')), from(['02', '04'], () => closed.push('b')), false, 2));
    expect(limited.map(([k]) => k.toString('hex'))).toEqual(['01', '02']);
    expect(closed.sort()).toEqual(['a', 'b']);
  });
});

describe('redo intent codec', () => {
  it('round-trips puts, deletes, empty values and the cursors', () => {
    const intent = {
      fromCursor: 0,
      toCursor: Number.MAX_SAFE_INTEGER,
      ops: [
        { type: 'put' as const, key: b('0102'), value: b('ff') },
        { type: 'delete' as const, key: b('03') },
        { type: 'put' as const, key: b('04'), value: Buffer.alloc(0) },
      ],
    };
    expect(decodeRedoIntent(encodeRedoIntent(intent))).toEqual(intent);
  });

  it('refuses truncated, trailing, unknown-version and unknown-op bytes', () => {
    const good = encodeRedoIntent({ fromCursor: 1, toCursor: 2, ops: [{ type: 'put', key: b('01'), value: b('02') }] });
    expect(() => decodeRedoIntent(good.subarray(0, good.length - 1))).toThrow(StoreError);
    expect(() => decodeRedoIntent(Buffer.concat([good, b('00')]))).toThrow(StoreError);
    expect(() => decodeRedoIntent(Buffer.concat([b('02'), good.subarray(1)]))).toThrow(/version/);
    const badOp = Buffer.from(good);
    badOp[21] = 9;
    expect(() => decodeRedoIntent(badOp)).toThrow(/unknown type/);
  });
});

describe('KeyLocks', () => {
  it('runs operations on a key one at a time in registration order, and leaves nothing behind', async () => {
    const locks = new KeyLocks();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = locks.run([b('01'), b('02')], async () => {
      await gate;
      order.push('first');
    });
    const second = locks.run([b('02')], async () => void order.push('second'));
    const unrelated = locks.run([b('03')], async () => void order.push('unrelated'));
    await unrelated;
    expect(order).toEqual(['unrelated']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['unrelated', 'first', 'second']);
    expect(locks.size).toBe(0);
  });

  it('an exclusive operation waits for every earlier one, and every later one waits for it', async () => {
    const locks = new KeyLocks();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = locks.run([b('01')], async () => {
      await gate;
      order.push('first');
    });
    const exclusive = locks.runExclusive(async () => void order.push('exclusive'));
    const later = locks.run([b('09')], async () => void order.push('later'));
    const laterExclusive = locks.runExclusive(async () => void order.push('later exclusive'));
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    release();
    await Promise.all([first, exclusive, later, laterExclusive]);
    expect(order).toEqual(['first', 'exclusive', 'later', 'later exclusive']);
    expect(locks.size).toBe(0);
  });

  it('a failed exclusive operation releases the operations after it', async () => {
    const locks = new KeyLocks();
    await expect(locks.runExclusive(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(locks.run([b('01')], async () => 'after')).resolves.toBe('after');
    expect(locks.size).toBe(0);
  });

  it('a key listed twice in one operation does not wait on itself', async () => {
    const locks = new KeyLocks();
    await expect(locks.run([b('01'), b('01')], async () => 'done')).resolves.toBe('done');
  });
});

describe('store spans', () => {
  const tmp = useTempDir('stemedb-spans-');
  const exporter = useSpanCapture();

  it('get, batch and scan each record one span with key_len, value_len, ops and backend', async () => {
    const store = await LmdbStore.open(tmp.path);
    try {
      exporter.reset();
      await store.batch([
        { type: 'put', key: keys.trust(Buffer.alloc(32, 1)), value: b('0102') },
        { type: 'put', key: keys.trust(Buffer.alloc(32, 2)), value: b('03') },
      ]);
      await store.get(keys.trust(Buffer.alloc(32, 1)));
      await collect(store.scanPrefix(prefixes.kind('trust')));
      const spans = exporter.getFinishedSpans().map((s) => [s.name, s.attributes]);
      expect(spans).toEqual([
        ['store.batch', { backend: 'lmdb', ops: 2, bytes: 2 * keys.trust(Buffer.alloc(32)).length + 3 }],
        ['store.get', { backend: 'lmdb', key_len: keys.trust(Buffer.alloc(32)).length, value_len: 2 }],
        ['store.scan', { backend: 'lmdb', prefix_len: prefixes.kind('trust').length, reverse: false, limit: -1, entries: 2 }],
      ]);
    } finally {
      await store.close();
    }
  });
});

describe("LMDB's batch order", () => {
  it('puts ops in Buffer.compare order of their keys, stably (the later of two ops on one key stays later), and leaves a batch in order as it is', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 4 }), { maxLength: 40 }), (raw) => {
        const ops: BatchOp[] = raw.map((k, i) => ({ type: 'put', key: Buffer.from(k), value: Buffer.from([i]) }));
        const want = ops.map((o, i) => ({ o, i })).sort((x, y) => Buffer.compare(x.o.key, y.o.key) || x.i - y.i).map(({ o }) => o);
        const got = inKeyOrder(ops);
        expect(got).toEqual(want);
        expect(inKeyOrder(got)).toBe(got);
      }),
    );
  });
});
