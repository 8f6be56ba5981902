import fc from 'fast-check';
import { escalationOf, isEscalation, LENS_NAMES, resolve, stripExplanations } from '../../shared/lens';
import { ResolutionDecodeError, ResolutionEncodeError } from '../../shared/graph/errors';
import { decodeResolution, encodeResolution } from '../../shared/graph/resolution-codec';
import type { Resolution } from '../../shared/lens/types';
import { PREDICATE, SUBJECT, bytes32, cand, objectArb, shuffleAll, text, worldArb } from '../lens/helpers';

const contested = resolve('consensus', SUBJECT, PREDICATE, [
  cand({ id: 'e1', object: text('Alice'), confidence: 0.9, signers: ['ana'], source: 's1' }),
  cand({ id: 'e2', object: text('Bob'), confidence: 0.8, signers: ['ben'], source: 's2' }),
]);
const clear = resolve('consensus', SUBJECT, PREDICATE, [
  cand({ id: 'e1', object: text('Alice'), confidence: 0.9, signers: ['ana'], source: 's1' }),
]);

function resolutionWith(object: Resolution['object']): Resolution {
  return { ...clear, object, alternatives: object === null ? [] : [{ ...clear.alternatives[0], object }] };
}

describe('resolution encoding for the materialized view', () => {
  it('round-trips every resolution a lens gives, byte-identical on re-encode', () => {
    fc.assert(
      fc.property(worldArb({ withSuperseded: true, withEpochs: true }), fc.constantFrom(...LENS_NAMES), (world, lens) => {
        const r = resolve(lens, SUBJECT, PREDICATE, world.candidates, { epoch: null });
        const bytes = encodeResolution(r);
        const back = decodeResolution(bytes);
        expect(back).toEqual(r);
        expect(encodeResolution(back).equals(bytes)).toBe(true);
      }),
    );
  });

  it('a confidence or vote of -0 leaves no -0 in the resolution, so it round-trips', () => {
    const r = resolve('consensus', SUBJECT, PREDICATE, [
      cand({ id: 'z', object: text('Alice'), confidence: -0, signers: ['ana'], votes: [{ voter: 'fay', value: -0 }] }),
      cand({ id: 'y', object: text('Bob'), confidence: 0.5, signers: ['ben'] }),
    ]);
    expect(decodeResolution(encodeResolution(r))).toEqual(r);
  });

  it('round-trips every object kind exactly (-0, 64-bit integers, bytes)', () => {
    fc.assert(
      fc.property(objectArb, (object) => {
        const back = decodeResolution(encodeResolution(resolutionWith(object)));
        expect(back.object).toEqual(object);
        if (object.kind === 'number') expect(Object.is(back.object?.value, object.value)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same bytes for the same candidates in any order (a stable store dump)', () => {
    fc.assert(
      fc.property(worldArb(), fc.integer(), (world, seed) => {
        const a = encodeResolution(resolve('consensus', SUBJECT, PREDICATE, world.candidates));
        const b = encodeResolution(resolve('consensus', SUBJECT, PREDICATE, shuffleAll(world.candidates, seed)));
        expect(b.equals(a)).toBe(true);
      }),
    );
  });

  it('rejects bytes that are not an encoded resolution, naming the field', () => {
    const good = JSON.parse(encodeResolution(contested).toString('utf8'));
    const bad = (doc: unknown) => Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc));
    const cases: Array<[Buffer, string]> = [
      [bad('{not json'), ''],
      [bad({ ...good, v: 2 }), 'v'],
      [bad({ ...good, lens: 'oracle' }), 'lens'],
      [bad({ ...good, winnerId: 'XYZ' }), 'winnerId'],
      [bad({ ...good, score: 'high' }), 'score'],
      [bad({ ...good, object: { kind: 'integer', value: '1.5' } }), 'object.value'],
      [bad({ ...good, alternatives: [{ ...good.alternatives[0], assertionIds: ['abc'] }] }), 'alternatives[0].assertionIds[0]'],
      [bad({ ...good, explanations: [{ ...good.explanations[0], terms: [{ name: 'x', value: null, detail: '' }] }] }), 'explanations[0].terms[0].value'],
      [bad([]), ''],
    ];
    for (const [bytes, field] of cases) {
      let caught: unknown;
      try {
        decodeResolution(bytes);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ResolutionDecodeError);
      expect((caught as ResolutionDecodeError).field).toBe(field);
    }
  });

  it('refuses to encode a non-finite number', () => {
    expect(() => encodeResolution({ ...contested, score: Number.NaN })).toThrow(ResolutionEncodeError);
  });

  it('stripExplanations keeps everything but the explanations', () => {
    const s = stripExplanations(contested);
    expect(s.explanations).toEqual([]);
    expect({ ...s, explanations: contested.explanations }).toEqual(contested);
  });
});

describe('escalations', () => {
  it('a pair escalates when it becomes contested, not while it stays contested', () => {
    expect(contested.contested).toBe(true);
    expect(clear.contested).toBe(false);
    expect(isEscalation(null, contested)).toBe(true);
    expect(isEscalation(clear, contested)).toBe(true);
    expect(isEscalation(contested, contested)).toBe(false);
    expect(isEscalation(contested, clear)).toBe(false);
    expect(isEscalation(null, clear)).toBe(false);
    expect(isEscalation(clear, clear)).toBe(false);
  });

  it('escalationOf names the top two values and their shares', () => {
    expect(escalationOf(clear)).toBeNull();
    const e = escalationOf(contested);
    expect(e).toMatchObject({ subject: SUBJECT, predicate: PREDICATE, top: text('Alice'), runnerUp: text('Bob') });
    expect(e?.topShare).toBeCloseTo(0.9 / 1.7, 12);
    expect(e?.runnerUpShare).toBeCloseTo(0.8 / 1.7, 12);
  });

  it('ids of any bytes survive the round trip', () => {
    fc.assert(
      fc.property(bytes32, (id) => {
        expect(decodeResolution(encodeResolution({ ...clear, winnerId: id })).winnerId).toEqual(id);
      }),
    );
  });
});
