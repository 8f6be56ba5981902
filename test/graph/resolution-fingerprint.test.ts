/**
 * Watch's comparison bytes (shared/graph/resolution-fingerprint.ts): equal
 * exactly when the resolutions' canonical JSON is equal, for every lens, and
 * far smaller than that JSON.
 */
import fc from 'fast-check';
import { ResolutionEncodeError } from '../../shared/graph/errors';
import { encodeResolution } from '../../shared/graph/resolution-codec';
import { resolutionFingerprint } from '../../shared/graph/resolution-fingerprint';
import { LENS_NAMES, resolve } from '../../shared/lens';
import type { Resolution } from '../../shared/lens/types';
import { PREDICATE, SUBJECT, cand, text, worldArb } from '../lens/helpers';

const resolutionArb = fc
  .tuple(worldArb({ withSuperseded: true, withEpochs: true }), fc.constantFrom(...LENS_NAMES))
  .map(([world, lens]) => resolve(lens, SUBJECT, PREDICATE, world.candidates, { epoch: null, explain: false }));

describe('resolution fingerprint (Watch change detection)', () => {
  it('two resolutions have the same fingerprint exactly when their canonical JSON is the same', () => {
    fc.assert(
      fc.property(resolutionArb, resolutionArb, (a, b) => {
        expect(resolutionFingerprint(a).equals(resolutionFingerprint(b))).toBe(encodeResolution(a).equals(encodeResolution(b)));
        expect(resolutionFingerprint(a).equals(resolutionFingerprint({ ...a }))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('tells apart resolutions that differ in one field only', () => {
    const r = resolve('consensus', SUBJECT, PREDICATE, [
      cand({ id: 'e1', object: text('1999'), confidence: 0.9, signers: ['ana'], source: 's1' }),
      cand({ id: 'e2', object: text('2000'), confidence: 0.8, signers: ['ben'], source: 's2' }),
    ], { explain: false });
    const base = resolutionFingerprint(r);
    const top = r.alternatives[0]!;
    const variants: Resolution[] = [
      { ...r, lens: 'recency' },
      { ...r, contested: !r.contested },
      { ...r, outcome: 'unresolved', object: null, winnerId: null },
      { ...r, winnerId: Buffer.alloc(32, 7) },
      { ...r, score: r.score + 1e-9 },
      { ...r, share: -0 },
      { ...r, object: text('2000') },
      { ...r, alternatives: [{ ...top, share: top.share / 2 }, ...r.alternatives.slice(1)] },
      { ...r, alternatives: [{ ...top, assertionIds: [...top.assertionIds].reverse().concat(Buffer.alloc(32)) }, ...r.alternatives.slice(1)] },
      { ...r, alternatives: r.alternatives.slice(0, 1) },
      { ...r, summary: `${r.summary} ` },
    ];
    for (const v of variants) expect(resolutionFingerprint(v).equals(base)).toBe(false);
    expect(base.length * 3).toBeLessThan(encodeResolution(r).length);
  });

  it('refuses a resolution with explanations, naming the field', () => {
    const explained = resolve('consensus', SUBJECT, PREDICATE, [cand({ id: 'e1', object: text('1999'), signers: ['ana'] })]);
    expect(() => resolutionFingerprint(explained)).toThrow(ResolutionEncodeError);
  });
});
