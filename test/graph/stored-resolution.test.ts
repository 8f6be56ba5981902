import fc from 'fast-check';
import { resolve } from '../../shared/lens';
import { ResolutionDecodeError, ResolutionEncodeError } from '../../shared/graph/errors';
import { encodeResolution } from '../../shared/graph/resolution-codec';
import { VARINT_VALUE_MAX } from '../../shared/graph/limits';
import { decodeStoredResolution, encodeStoredDecision, encodeStoredResolution, materializedCounts } from '../../shared/graph/stored-resolution';
import { decideConsensus, type ResolutionDecision } from '../../shared/lens/decision';
import type { Resolution } from '../../shared/lens/types';
import { docHex } from '../helpers/doc-blocks';
import { PREDICATE, SUBJECT, bytes32, cand, objectArb, shuffleAll, text, worldArb } from '../lens/helpers';

const mvOf = (candidates: Parameters<typeof resolve>[3]): Resolution => resolve('consensus', SUBJECT, PREDICATE, candidates, { explain: false });

const docExample = [cand({ id: 'e1', object: text('Ada'), confidence: 1, signers: ['ana'] })];

const documentedExampleHex = (): string => docHex('STORAGE.md', 'mv-example');

function decodeErrorField(bytes: Buffer): string {
  try {
    decodeStoredResolution(SUBJECT, PREDICATE, bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(ResolutionDecodeError);
    return (err as ResolutionDecodeError).field;
  }
  throw new Error('decoded without error');
}

describe('stored (binary) MV encoding', () => {
  it('round-trips every Consensus MV resolution, summary included, byte-identical on re-encode', () => {
    fc.assert(
      fc.property(worldArb({ withSuperseded: true, withEpochs: true }), (world) => {
        const r = mvOf(world.candidates);
        const bytes = encodeStoredResolution(r, materializedCounts(world.candidates));
        const back = decodeStoredResolution(SUBJECT, PREDICATE, bytes);
        expect(back).toEqual(r);
        expect(encodeStoredResolution(back, materializedCounts(world.candidates)).equals(bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same bytes for the same candidates in any order', () => {
    fc.assert(
      fc.property(worldArb({ withSuperseded: true }), fc.integer(), (world, seed) => {
        const shuffled = shuffleAll(world.candidates, seed);
        const a = encodeStoredResolution(mvOf(world.candidates), materializedCounts(world.candidates));
        const b = encodeStoredResolution(mvOf(shuffled), materializedCounts(shuffled));
        expect(b.equals(a)).toBe(true);
      }),
    );
  });

  it('round-trips every object kind exactly (-0, 64-bit integers, bytes) and any id', () => {
    const clear = mvOf(docExample);
    fc.assert(
      fc.property(objectArb, bytes32, (object, id) => {
        const r: Resolution = { ...clear, object, winnerId: id, alternatives: [{ ...clear.alternatives[0]!, object, assertionIds: [id] }] };
        const back = decodeStoredResolution(SUBJECT, PREDICATE, encodeStoredResolution(r, { superseded: 0 }));
        expect(back.object).toEqual(object);
        expect(back.alternatives[0]!.object).toEqual(object);
        expect(back.winnerId).toEqual(id);
        if (object.kind === 'number') expect(Object.is(back.object?.value, object.value)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('the example in docs/STORAGE.md is the encoding of its resolution', () => {
    const r = mvOf(docExample);
    const bytes = encodeStoredResolution(r, { superseded: 0 });
    expect(bytes.toString('hex')).toBe(documentedExampleHex());
    expect(decodeStoredResolution(SUBJECT, PREDICATE, bytes)).toEqual(r);
  });

  it('is far smaller than the JSON encoding: no summary, raw ids', () => {
    const candidates = Array.from({ length: 50 }, (_, i) => cand({ id: `c${i}`, object: text(`v${i % 3}`), signers: [`a${i}`], source: `s${i}` }));
    const r = mvOf(candidates);
    const bytes = encodeStoredResolution(r, { superseded: 0 });
    // 4 header + 2 varint counts, then per value 1+1+2 object, 16 score/share, a 1-byte id count and 32 per id.
    expect(bytes.length).toBe(4 + 2 + 3 * (4 + 16 + 1) + 50 * 32);
    expect(bytes.length * 2).toBeLessThan(encodeResolution(r).length);
  });

  it('rebuilds the summary with the superseded count', () => {
    const candidates = [...docExample, cand({ id: 'old', object: text('Bob'), signers: ['ben'], superseded: true })];
    const r = mvOf(candidates);
    expect(r.summary).toContain('skipped 1 superseded');
    expect(decodeStoredResolution(SUBJECT, PREDICATE, encodeStoredResolution(r, materializedCounts(candidates))).summary).toBe(r.summary);
  });

  it('rejects bytes that are not a stored resolution, naming the field', () => {
    const contested = mvOf([
      cand({ id: 'e1', object: text('Alice'), confidence: 0.9, signers: ['ana'], source: 's1' }),
      cand({ id: 'e2', object: text('Bob'), confidence: 0.8, signers: ['ben'], source: 's2' }),
    ]);
    const good = encodeStoredResolution(contested, { superseded: 0 });
    const patched = (at: number, byte: number): Buffer => {
      const b = Buffer.from(good);
      b[at] = byte;
      return b;
    };
    // Header 4, superseded count at 4, alternative count at 5, then the first alternative's object kind at 6,
    // its text length at 7, 'Alice' at 8..12, score at 13..20, share at 21..28.
    expect(decodeErrorField(patched(0, 1))).toBe('v');
    expect(decodeErrorField(patched(1, 1))).toBe('lens');
    expect(decodeErrorField(patched(2, 3))).toBe('outcome');
    expect(decodeErrorField(patched(3, 2))).toBe('contested');
    expect(decodeErrorField(patched(6, 7))).toBe('alternatives[0].object.kind');
    expect(decodeErrorField(patched(5, 0x7f))).toBe('alternatives');
    expect(decodeErrorField(Buffer.concat([good, Buffer.of(0)]))).toBe('');
    expect(decodeErrorField(Buffer.from(good).fill(0xff, 21, 29))).toBe('alternatives[0].share');
    for (let n = 0; n < good.length; n++) expect(decodeErrorField(good.subarray(0, n))).not.toBe('');
  });

  it('a count may claim exactly the bytes left, not one item more', () => {
    const r = mvOf(docExample);
    const good = encodeStoredResolution(r, { superseded: 0 });
    // The one alternative's id count (a 1-byte varint) sits 1 + 32 bytes before the end.
    const countAt = good.length - 1 - 32;
    expect(good[countAt]).toBe(1);
    const withIds = (n: number): Buffer => {
      const b = Buffer.concat([good, Buffer.alloc(32 * (n - 1), 0xab)]);
      b[countAt] = n;
      return b;
    };
    expect(decodeStoredResolution(SUBJECT, PREDICATE, withIds(3)).alternatives[0]!.assertionIds).toHaveLength(3);
    const tooMany = withIds(3);
    tooMany[countAt] = 4;
    expect(decodeErrorField(tooMany)).toBe('alternatives[0].assertionIds');
  });

  it('counts are minimal varints: a longer form of the same count, or one over 5 bytes, is refused', () => {
    const good = encodeStoredResolution(mvOf(docExample), { superseded: 0 });
    // superseded = 0 at byte 4: `80 00` is 0 in two bytes.
    expect(decodeErrorField(Buffer.concat([good.subarray(0, 4), Buffer.of(0x80, 0x00), good.subarray(5)]))).toBe('superseded');
    expect(decodeErrorField(Buffer.concat([good.subarray(0, 4), Buffer.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x00), good.subarray(5)]))).toBe('superseded');
    // 5 bytes of 7 bits each can spell 2^35 - 1: above the u32 range a count may hold.
    expect(decodeErrorField(Buffer.concat([good.subarray(0, 4), Buffer.of(0xff, 0xff, 0xff, 0xff, 0x1f), good.subarray(5)]))).toBe('superseded');
    // VARINT_VALUE_MAX (2^32 - 1) is the largest count: `ff ff ff ff 0f`; one more is refused when encoding.
    const most = encodeStoredResolution(mvOf(docExample), { superseded: VARINT_VALUE_MAX });
    expect(most.subarray(4, 9).toString('hex')).toBe('ffffffff0f');
    expect(decodeStoredResolution(SUBJECT, PREDICATE, most).summary).toContain(`skipped ${VARINT_VALUE_MAX} superseded`);
    expect(() => encodeStoredResolution(mvOf(docExample), { superseded: VARINT_VALUE_MAX + 1 })).toThrow(ResolutionEncodeError);
    const many = encodeStoredResolution(mvOf(docExample), { superseded: 300 });
    expect(many.subarray(4, 6).toString('hex')).toBe('ac02');
    expect(decodeStoredResolution(SUBJECT, PREDICATE, many).summary).toContain('skipped 300 superseded');
  });

  it('refuses a resolved MV whose top alternative has no assertion (no winner to rebuild)', () => {
    // v2, consensus, resolved, not contested; 0 superseded; 1 alternative: text "A", score 1, share 1, 0 ids.
    const one = Buffer.alloc(8);
    one.writeDoubleLE(1);
    const bytes = Buffer.concat([Buffer.of(2, 0, 0, 0, 0, 1, 0, 1, 0x41), one, one, Buffer.of(0)]);
    expect(decodeErrorField(bytes)).toBe('alternatives');
    bytes[2] = 1; // unresolved: no winner needed
    expect(decodeStoredResolution(SUBJECT, PREDICATE, bytes).winnerId).toBeNull();
  });

  it('refuses a store format 1 (version 1) MV', () => {
    const good = encodeStoredResolution(mvOf(docExample), { superseded: 0 });
    expect(decodeErrorField(Buffer.concat([Buffer.of(1), good.subarray(1)]))).toBe('v');
  });

  it('refuses to store what it cannot rebuild, naming the field', () => {
    const r = mvOf(docExample);
    const field = (x: Resolution): string => {
      try {
        encodeStoredResolution(x, { superseded: 0 });
      } catch (err) {
        expect(err).toBeInstanceOf(ResolutionEncodeError);
        return (err as ResolutionEncodeError).field;
      }
      throw new Error('encoded without error');
    };
    expect(field({ ...r, lens: 'recency' })).toBe('lens');
    expect(field(resolve('consensus', SUBJECT, PREDICATE, docExample))).toBe('explanations');
    expect(field({ ...r, object: text('Other') })).toBe('object');
    expect(field({ ...r, winnerId: null })).toBe('winnerId');
    expect(field({ ...r, winnerId: Buffer.alloc(32, 9) })).toBe('winnerId');
    expect(field({ ...r, score: Number.NaN })).toBe('score');
    expect(field({ ...r, score: 0.5 })).toBe('score');
    expect(field({ ...r, share: 0.5 })).toBe('share');
    expect(field({ ...r, alternatives: [{ ...r.alternatives[0]!, score: Number.POSITIVE_INFINITY }], score: Number.POSITIVE_INFINITY })).toBe('alternatives[0].score');
    const short = Buffer.alloc(31);
    expect(field({ ...r, winnerId: short, alternatives: [{ ...r.alternatives[0]!, assertionIds: [short] }] })).toBe('alternatives[0].assertionIds[0]');
    expect(() => encodeStoredResolution(r, { superseded: -1 })).toThrow(ResolutionEncodeError);
  });

  it('refuses a decision it cannot store, naming the field', () => {
    const d = decideConsensus(SUBJECT, PREDICATE, docExample);
    const field = (x: ResolutionDecision): string => {
      try {
        encodeStoredDecision(x, { superseded: 0 });
      } catch (err) {
        expect(err).toBeInstanceOf(ResolutionEncodeError);
        return (err as ResolutionEncodeError).field;
      }
      throw new Error('encoded without error');
    };
    expect(field({ ...d, lens: 'authority' })).toBe('lens');
    expect(field({ ...d, alternatives: [] })).toBe('alternatives');
    expect(field({ ...d, alternatives: [{ ...d.alternatives[0]!, assertionIds: [] }] })).toBe('alternatives');
    expect(field({ ...d, alternatives: [{ ...d.alternatives[0]!, share: Number.NaN }] })).toBe('alternatives[0].share');
    expect(field({ ...d, alternatives: [d.alternatives[0]!, { ...d.alternatives[0]!, assertionIds: [Buffer.alloc(3)] }] })).toBe('alternatives[1].assertionIds[0]');
    expect(encodeStoredDecision({ ...d, outcome: 'unresolved', alternatives: [] }, { superseded: 0 })).toBeInstanceOf(Buffer);
  });
});
