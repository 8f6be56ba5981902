/**
 * The batch overlay: its ops come out one per key (the latest write of each),
 * a prefix lookup yields them in byte order of their keys (sorted as latin1
 * strings), and a batch applied while the previous one still commits reads
 * through that batch's ops — gets and prefix scans see the store as it will be
 * once they land.
 */
import fc from 'fast-check';
import { BatchState, BatchOps, hashKey, NOT_HELD, OpArena } from '../../shared/graph/apply/batch-state';
import { OP_ARENA_CHUNK_BYTES } from '../../shared/graph/limits';
import { keys, prefixes } from '../../shared/storage/keys';
import type { BatchOp } from '../../shared/storage/kv-store';
import { openHybridStore } from '../../shared/storage/hybrid-store';
import { useTempDir } from '../helpers/tmp';

const ASSERTION = Buffer.alloc(32, 7);
const voter = (i: number): Buffer => Buffer.alloc(32, i);
const put = (key: Buffer, value: string): BatchOp => ({ type: 'put', key, value: Buffer.from(value) });
const valueOf = (op: BatchOp | undefined): string | undefined => (op?.type === 'put' ? op.value.toString() : undefined);

describe('BatchOps', () => {
  it('holds one op per key, and yields the ops under a prefix exactly as Buffer.compare orders their keys', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.uint8Array({ minLength: 0, maxLength: 6 }), { selector: (a) => Buffer.from(a).toString('hex'), maxLength: 40 }), fc.uint8Array({ maxLength: 2 }), (raw, prefix) => {
        const byKey = new Map<string, BatchOp>();
        for (const a of raw) byKey.set(Buffer.from(a).toString('latin1'), { type: 'delete', key: Buffer.from(a) });
        const batch = BatchOps.of(byKey);
        expect(batch.ops.map((o) => o.key.toString('hex'))).toEqual(raw.map((a) => Buffer.from(a).toString('hex')));
        const p = Buffer.from(prefix);
        const got = [...batch.withPrefix(p.toString('latin1'))].map((o) => o.key.toString('hex'));
        const want = raw.map((a) => Buffer.from(a)).filter((k) => k.subarray(0, p.length).equals(p)).sort(Buffer.compare).map((b) => b.toString('hex'));
        expect(got).toEqual(want);
      }),
    );
  });

  it('finds one key and the keys under a prefix', () => {
    const ops = [put(Buffer.from('ab'), '1'), put(Buffer.from('abc'), '2'), put(Buffer.from('b'), '3'), put(Buffer.from('a'), '4')];
    const batch = BatchOps.of(new Map(ops.map((o) => [o.key.toString('latin1'), o])));
    expect(valueOf(batch.get('abc'))).toBe('2');
    expect(batch.get('abd')).toBeUndefined();
    expect([...batch.withPrefix('ab')].map((o) => o.key.toString())).toEqual(['ab', 'abc']);
    expect([...batch.withPrefix('c')]).toEqual([]);
  });
});

describe('OpArena', () => {
  const opArb = fc.oneof(
    fc.record({ type: fc.constant('put' as const), key: fc.uint8Array({ maxLength: 40 }), value: fc.uint8Array({ maxLength: 300 }) }),
    fc.record({ type: fc.constant('delete' as const), key: fc.uint8Array({ maxLength: 40 }) }),
  );
  const asOp = (o: { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'delete'; key: Uint8Array }): BatchOp =>
    o.type === 'put' ? { type: 'put', key: Buffer.from(o.key), value: Buffer.from(o.value) } : { type: 'delete', key: Buffer.from(o.key) };
  const show = (op: BatchOp): string => `${op.type} ${op.key.toString('hex')} ${op.type === 'put' ? op.value.toString('hex') : ''}`;

  it('gives back every op it was given, byte for byte, puts and deletes, empty keys and values', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (raw) => {
        const arena = new OpArena();
        const ops = raw.map(asOp);
        const at = ops.map((op) => arena.add(op));
        expect(at).toEqual(ops.map((_, i) => i));
        expect(arena.count).toBe(ops.length);
        expect(ops.map((_, i) => show(arena.op(i)))).toEqual(ops.map(show));
        expect(ops.map((_, i) => arena.isPut(i))).toEqual(ops.map((op) => op.type === 'put'));
      }),
    );
  });

  it('refuses an op that is not a put of Buffers or a delete of a Buffer key, before copying anything (the store relies on it: buffersOnly)', () => {
    const arena = new OpArena();
    const bad = [
      { type: 'put', key: Buffer.from('k'), value: 'text' },
      { type: 'put', key: 'k', value: Buffer.from('v') },
      { type: 'delete', key: 'k' },
      { type: 'merge', key: Buffer.from('k'), value: Buffer.from('v') },
    ] as unknown as BatchOp[];
    for (const op of bad) expect(() => arena.add(op)).toThrow(TypeError);
    expect(arena.count).toBe(0);
    expect(BatchOps.over(arena).buffersOnly).toBe(true);
  });

  it('keeps two keys apart whose hashes are equal', () => {
    // A birthday search over 32-bit FNV-1a: among 300k keys two collide with near certainty.
    const seen = new Map<number, Buffer>();
    let pair: [Buffer, Buffer] | undefined;
    let x = 0x2545f491;
    for (let i = 0; pair === undefined && i < 300_000; i++) {
      // Keys from a xorshift generator (FNV spreads sequential names too evenly to collide).
      const key = Buffer.alloc(8);
      for (let j = 0; j < 8; j += 4) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        key.writeInt32LE(x | 0, j);
      }
      const other = seen.get(hashKey(key));
      if (other !== undefined) pair = [other, key];
      else seen.set(hashKey(key), key);
    }
    expect(pair).toBeDefined();
    const [a, b] = pair!;
    expect(hashKey(a)).toBe(hashKey(b));
    const arena = new OpArena();
    arena.add({ type: 'put', key: a, value: Buffer.from('A') });
    arena.add({ type: 'put', key: b, value: Buffer.from('B') });
    const ops = BatchOps.over(arena);
    expect(ops.size).toBe(2);
    expect(ops.valueOf(a)?.toString()).toBe('A');
    expect(ops.valueOf(b)?.toString()).toBe('B');
  });

  it('keeps an op larger than a chunk whole, and the ops around it', () => {
    const arena = new OpArena();
    const big: BatchOp = { type: 'put', key: Buffer.alloc(10, 1), value: Buffer.alloc(OP_ARENA_CHUNK_BYTES + 5, 2) };
    const small: BatchOp = { type: 'put', key: Buffer.from('k'), value: Buffer.from('v') };
    const filler: BatchOp = { type: 'put', key: Buffer.from('f'), value: Buffer.alloc(OP_ARENA_CHUNK_BYTES - 100, 3) };
    for (const op of [small, filler, big, small, filler, filler]) arena.add(op);
    expect([0, 1, 2, 3, 4, 5].map((i) => show(arena.op(i)))).toEqual([small, filler, big, small, filler, filler].map(show));
  });

  it('is what a sealed BatchState hands the store: op(i) in first-write order, the latest value of each key', () => {
    const state = new BatchState({} as never);
    state.write(put(Buffer.from('b'), '1'));
    state.write(put(Buffer.from('a'), '2'));
    state.write({ type: 'delete', key: Buffer.from('c') });
    state.write(put(Buffer.from('b'), '3'));
    const sealed = state.seal();
    expect(sealed.size).toBe(3);
    expect([0, 1, 2].map((i) => show(sealed.op(i)))).toEqual([put(Buffer.from('b'), '3'), put(Buffer.from('a'), '2'), { type: 'delete', key: Buffer.from('c') } as BatchOp].map(show));
    expect(sealed.ops.map(show)).toEqual([0, 1, 2].map((i) => show(sealed.op(i))));
    expect(sealed.valueOf(Buffer.from('b'))?.toString()).toBe('3');
    expect(sealed.valueOf(Buffer.from('c'))).toBeUndefined();
    expect(sealed.valueOf(Buffer.from('d'))).toBe(NOT_HELD);
    // Sealed: the arena takes no more writes.
    expect(() => state.write(put(Buffer.from('e'), '4'))).toThrow(/no write once its ops are sealed/);
  });

  it('finds each key\'s latest op exactly as a Map by latin1 key would, in first-write order, through collisions and growth', () => {
    fc.assert(
      fc.property(
        // A small key space (many rewrites of one key) and enough writes to grow the table past its first 1024 slots.
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.uint8Array({ maxLength: 3 }), fc.boolean()), { minLength: 1, maxLength: 2500 }),
        (writes) => {
          const arena = new OpArena();
          const model = new Map<string, BatchOp>();
          for (const [k, v, del] of writes) {
            const key = Buffer.from(`k${k % 1500}`);
            const op: BatchOp = del ? { type: 'delete', key } : { type: 'put', key, value: Buffer.from(v) };
            arena.add(op);
            model.set(key.toString('latin1'), op);
          }
          expect(arena.size).toBe(model.size);
          expect(arena.count).toBe(writes.length);
          const ops = BatchOps.over(arena);
          expect(ops.ops.map(show)).toEqual([...model.values()].map(show));
          for (const [k, op] of model) expect(ops.valueOf(Buffer.from(k, 'latin1'))?.toString('hex')).toBe(op.type === 'put' ? op.value.toString('hex') : undefined);
          expect(ops.valueOf(Buffer.from('absent'))).toBe(NOT_HELD);
          expect(ops.valueOf(Buffer.from('k'))).toBe(NOT_HELD);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('BatchState over a batch still committing', () => {
  const tmp = useTempDir('stemedb-batch-state-');

  it('gets and prefix scans see the committing batch over the store, and the batch own writes over both', async () => {
    const store = await openHybridStore(tmp.path);
    try {
      await store.batch([put(keys.pendingVote(ASSERTION, voter(1)), 'stored-1'), put(keys.pendingVote(ASSERTION, voter(2)), 'stored-2')]);
      const committing: BatchOp[] = [
        { type: 'delete', key: keys.pendingVote(ASSERTION, voter(1)) },
        put(keys.pendingVote(ASSERTION, voter(2)), 'committing-2'),
        put(keys.pendingVote(ASSERTION, voter(3)), 'committing-3'),
      ];
      const below = BatchOps.of(new Map(committing.map((o) => [o.key.toString('latin1'), o])));
      const state = new BatchState(store, below);
      await state.prefetch([keys.pendingVote(ASSERTION, voter(1)), keys.pendingVote(ASSERTION, voter(4))]);
      expect(await state.get(keys.pendingVote(ASSERTION, voter(1)))).toBeUndefined();
      expect((await state.get(keys.pendingVote(ASSERTION, voter(2))))?.toString()).toBe('committing-2');
      expect((await state.get(keys.pendingVote(ASSERTION, voter(3))))?.toString()).toBe('committing-3');
      expect(await state.get(keys.pendingVote(ASSERTION, voter(4)))).toBeUndefined();
      const scanned = await state.scanStore(prefixes.pendingVotes(ASSERTION));
      expect(scanned.map(([k, v]) => [k.equals(keys.pendingVote(ASSERTION, k.subarray(k.length - 32))), v.toString()])).toEqual([
        [true, 'committing-2'],
        [true, 'committing-3'],
      ]);
      expect(scanned.map(([k]) => k.subarray(k.length - 32)[0])).toEqual([2, 3]);

      state.write(put(keys.pendingVote(ASSERTION, voter(3)), 'own-3'));
      expect((await state.get(keys.pendingVote(ASSERTION, voter(3))))?.toString()).toBe('own-3');
      expect(state.ops().map(valueOf)).toEqual(['own-3']);
      // The sealed ops share the overlay: it takes no more writes.
      expect(() => state.write(put(keys.pendingVote(ASSERTION, voter(5)), 'late'))).toThrow(/no write once its ops are sealed/);
      // Without a committing batch the same state reads the store alone.
      expect((await new BatchState(store).get(keys.pendingVote(ASSERTION, voter(1))))?.toString()).toBe('stored-1');
    } finally {
      await store.close();
    }
  });
});
