/**
 * Consensus counts independent confirmations: repetition by one agent or of
 * one source cannot outvote the rest.
 */
import fc from 'fast-check';
import { resolve } from '../../shared/lens';
import type { Candidate, LensName, Resolution } from '../../shared/lens/types';
import { PREDICATE, SUBJECT, T0_MS, bytes32, cand, confidenceArb, key, text, worldArb } from './helpers';

function scores(r: Resolution) {
  return {
    outcome: r.outcome,
    object: r.object,
    contested: r.contested,
    alternatives: r.alternatives.map((a) => [a.object, a.score, a.share]),
  };
}

/** Later copies of `c` with new ids: a subset of its signers, its source, no higher confidence. */
const repetitionArb = fc.record({
  pick: fc.nat(),
  copies: fc.array(
    fc.record({
      id: bytes32,
      signerMask: fc.nat(),
      lower: fc.double({ min: 0, max: 1, noNaN: true }),
      assertedAtMs: fc.integer({ min: T0_MS, max: T0_MS + 100 }),
      offset: fc.nat({ max: 10_000 }),
    }),
    { minLength: 1, maxLength: 5 },
  ),
});

type Copy = { id: Buffer; signerMask: number; lower: number; assertedAtMs: number; offset: number };

function repeat(c: Candidate, copy: Copy): Candidate {
  const chosen = c.signers.filter((_, i) => (copy.signerMask >> i) & 1);
  const signers = chosen.length > 0 ? chosen : [c.signers[0]];
  return {
    id: copy.id,
    assertion: {
      ...c.assertion,
      confidence: c.assertion.confidence * copy.lower,
      assertedAtMs: copy.assertedAtMs,
      signatures: signers.map((publicKey) => ({ publicKey, signature: Buffer.alloc(64) })),
    },
    signers,
    // Later in the log than the original: a source is worth its earliest claim.
    offset: c.offset + 1 + copy.offset,
    votes: [],
    superseded: false,
  };
}

describe('Consensus against repetition', () => {
  for (const lens of ['consensus', 'threshold'] as LensName[]) {
    it(`${lens}: repeating a claim later (same signers, same source, new ids, no higher confidence) changes no score`, () => {
      fc.assert(
        fc.property(worldArb({ candidatesMax: 10 }), repetitionArb, (world, rep) => {
          fc.pre(world.candidates.length > 0);
          const ids = new Set(world.candidates.map((c) => c.id.toString('hex')));
          fc.pre(rep.copies.every((c) => !ids.has(c.id.toString('hex'))));
          fc.pre(new Set(rep.copies.map((c) => c.id.toString('hex'))).size === rep.copies.length);
          const original = world.candidates[rep.pick % world.candidates.length];
          const before = resolve(lens, SUBJECT, PREDICATE, world.candidates);
          const after = resolve(lens, SUBJECT, PREDICATE, [
            ...world.candidates,
            ...rep.copies.map((copy) => repeat(original, copy)),
          ]);
          expect(scores(after)).toEqual(scores(before));
        }),
      );
    });
  }

  const claimsArb = fc.array(fc.record({ confidence: confidenceArb, source: fc.nat({ max: 50 }) }), {
    minLength: 1,
    maxLength: 20,
  });

  it('one agent with any number of claims and sources adds exactly its best confidence', () => {
    fc.assert(
      fc.property(claimsArb, fc.double({ min: 0.01, max: 1, noNaN: true }), (claims, c) => {
        const loud = claims.map((x, i) =>
          cand({ id: `loud-${i}`, object: text('Loud'), confidence: x.confidence * c, signers: ['eve'], source: `s${x.source}` }),
        );
        const quiet = ['ana', 'ben'].map((agent) =>
          cand({ id: `quiet-${agent}`, object: text('Quiet'), confidence: c, signers: [agent], source: `own-${agent}` }),
        );
        const r = resolve('consensus', SUBJECT, PREDICATE, [...loud, ...quiet]);
        const loudAlt = r.alternatives.find((a) => a.object.value === 'Loud');
        expect(loudAlt?.score).toBe(Math.max(...claims.map((x) => x.confidence * c)));
        expect(r.object).toEqual(text('Quiet'));
      }),
    );
  });

  it('any number of agents citing one source add exactly what its first citer said', () => {
    fc.assert(
      fc.property(claimsArb, fc.double({ min: 0.01, max: 1, noNaN: true }), (claims, c) => {
        const copied = claims.map((x, i) =>
          cand({ id: `copy-${i}`, object: text('Copied'), confidence: x.confidence * c, signers: [`agent-${i}`], source: 'wiki', offset: i }),
        );
        const independent = ['ana', 'ben'].map((agent) =>
          cand({ id: `ind-${agent}`, object: text('Independent'), confidence: c, signers: [agent], source: `own-${agent}` }),
        );
        const r = resolve('consensus', SUBJECT, PREDICATE, [...copied, ...independent]);
        const copiedAlt = r.alternatives.find((a) => a.object.value === 'Copied');
        expect(copiedAlt?.score).toBe(claims[0]!.confidence * c);
        expect(r.object).toEqual(text('Independent'));
      }),
    );
  });

  it('a copier re-asserting a source louder, later, does not raise what the source is worth', () => {
    const base = [
      cand({ id: 'orig', object: text('Alice'), confidence: 0.4, signers: ['ana'], source: 'wiki', offset: 10 }),
      cand({ id: 'bob', object: text('Bob'), confidence: 0.7, signers: ['ben'], source: 'memo', offset: 11 }),
      cand({ id: 'bob2', object: text('Bob'), confidence: 0.2, signers: ['bea'], source: 'memo2', offset: 12 }),
    ];
    const loud = cand({ id: 'loud', object: text('Alice'), confidence: 1, signers: ['cal'], source: 'wiki', offset: 20 });
    const r = resolve('consensus', SUBJECT, PREDICATE, [...base, loud]);
    // S(Alice) = 0.4 + 1 = 1.4, E(Alice) = 0.4 (what wiki's first citer ana said): the copy adds nothing.
    expect(r.alternatives.find((a) => a.object.value === 'Alice')?.score).toBe(0.4);
    expect(r.object).toEqual(text('Bob'));
    const source = r.explanations.find((e) => e.assertionId.equals(key('id:loud')))?.terms.find((t) => t.name === 'source_credit');
    expect(source).toMatchObject({ value: 0 });
    expect(source?.detail).toContain('first citers');
  });

  it('a co-signed claim counts each signer, but still only its one source', () => {
    const r = resolve('consensus', SUBJECT, PREDICATE, [
      cand({ id: 'co', object: text('Alice'), confidence: 0.8, signers: ['ana', 'ben', 'cal'], source: 'wiki' }),
      cand({ id: 'solo', object: text('Bob'), confidence: 0.7, signers: ['dee'], source: 'memo' }),
    ]);
    const co = r.explanations.find((e) => e.assertionId.equals(key('id:co')));
    expect(co?.terms.find((t) => t.name === 'signer_credit')?.value).toBeCloseTo(2.4, 12);
    expect(r.alternatives[0]).toMatchObject({ object: text('Alice'), score: 0.8 });
  });

  it("one agent's votes count once per value: its latest vote across the value's claims", () => {
    const votes = (value: number, offset: number) => [{ voter: 'fay', value, offset }];
    const twice = resolve('consensus', SUBJECT, PREDICATE, [
      cand({ id: 'v1', object: text('Alice'), confidence: 0.5, signers: ['ana'], source: 's1', votes: votes(1, 10) }),
      cand({ id: 'v2', object: text('Alice'), confidence: 0.5, signers: ['ben'], source: 's2', votes: votes(-1, 20) }),
    ]);
    // fay's latest vote on Alice is -1 (offset 20): factor 1 + 0.5·tanh(-0.5).
    expect(twice.score).toBeCloseTo(1 * (1 + 0.5 * Math.tanh(-0.5)), 12);
  });

  it('votes never make support negative: a flood of -1 votes leaves at least half of it', () => {
    const voters = Array.from({ length: 200 }, (_, i) => ({ voter: `hater-${i}`, value: -1 }));
    const r = resolve('consensus', SUBJECT, PREDICATE, [
      cand({ id: 'x', object: text('Alice'), confidence: 1, signers: ['ana'], source: 's', votes: voters }),
    ]);
    expect(r.score).toBeGreaterThanOrEqual(0.5);
    expect(r.score).toBeLessThan(0.51);
    expect(r.outcome).toBe('resolved');
  });

  it('zero support everywhere (all confidences 0) is unresolved, not a coin toss', () => {
    const r = resolve('consensus', SUBJECT, PREDICATE, [
      cand({ id: 'z1', object: text('Alice'), confidence: 0, signers: ['ana'] }),
      cand({ id: 'z2', object: text('Bob'), confidence: 0, signers: ['ben'] }),
    ]);
    expect(r).toMatchObject({ outcome: 'unresolved', object: null, winnerId: null, score: 0, share: 0, contested: false });
  });

  it('no candidates at all is no_candidates', () => {
    const r = resolve('consensus', SUBJECT, PREDICATE, []);
    expect(r).toMatchObject({ outcome: 'no_candidates', object: null, alternatives: [], explanations: [] });
    expect(r.summary).toContain('No live candidate');
  });

  it('equal scores break by object order (text before number; "Alice" before "Bob")', () => {
    const r = resolve('consensus', SUBJECT, PREDICATE, [
      cand({ id: 't1', object: text('Bob'), confidence: 0.5, signers: ['ana'], source: 's1' }),
      cand({ id: 't2', object: { kind: 'number', value: 1 }, confidence: 0.5, signers: ['ben'], source: 's2' }),
      cand({ id: 't3', object: text('Alice'), confidence: 0.5, signers: ['cal'], source: 's3' }),
    ]);
    expect(r.alternatives.map((a) => a.object)).toEqual([text('Alice'), text('Bob'), { kind: 'number', value: 1 }]);
    expect(r.contested).toBe(true);
  });

  it('-0 and +0 are one value, reported as +0', () => {
    const r = resolve('consensus', SUBJECT, PREDICATE, [
      cand({ id: 'n1', object: { kind: 'number', value: -0 }, confidence: 0.5, signers: ['ana'], source: 's1' }),
      cand({ id: 'n2', object: { kind: 'number', value: 0 }, confidence: 0.5, signers: ['ben'], source: 's2' }),
    ]);
    expect(r.alternatives).toHaveLength(1);
    expect(Object.is(r.object?.value, 0)).toBe(true);
    expect(r.score).toBe(1);
  });
});
