/**
 * The worked examples of docs/LENSES.md, number for number. If a formula or a
 * parameter changes, these fail and the document must change with them.
 */
import { resolve } from '../../shared/lens';
import { goldReliability, packReliability, reliabilityWeight } from '../../shared/lens/trust-weight';
import type { Resolution, TrustContext } from '../../shared/lens/types';
import { PREDICATE, SUBJECT, T0_MS, cand, hex, key, text } from './helpers';

const DIGITS = 12;

function shares(r: Resolution): Array<[string, number, number]> {
  return r.alternatives.map((a) => [String(a.object.value), a.score, a.share]);
}

function term(r: Resolution, id: string, name: string): number | undefined {
  const e = r.explanations.find((x) => x.assertionId.equals(key(`id:${id}`)));
  return e?.terms.find((t) => t.name === name)?.value;
}

describe('docs/LENSES.md worked examples', () => {
  describe('Example 1 (Consensus): one agent repeating itself', () => {
    const candidates = [
      cand({ id: 'a1', object: text('Alice'), confidence: 0.9, signers: ['ana'], source: 's1' }),
      cand({ id: 'a2', object: text('Alice'), confidence: 0.6, signers: ['ben'], source: 's2' }),
      cand({ id: 'b1', object: text('Bob'), confidence: 0.8, signers: ['eve'], source: 's3' }),
      cand({ id: 'b2', object: text('Bob'), confidence: 0.75, signers: ['eve'], source: 's4' }),
      cand({ id: 'b3', object: text('Bob'), confidence: 0.7, signers: ['eve'], source: 's3' }),
    ];
    const r = resolve('consensus', SUBJECT, PREDICATE, candidates);

    it('gives Alice 1.5 (two agents, two sources) and Bob 0.8 (one agent, however many claims)', () => {
      expect(r.outcome).toBe('resolved');
      expect(r.object).toEqual(text('Alice'));
      expect(r.winnerId).toEqual(key('id:a1'));
      expect(r.alternatives[0].score).toBe(1.5);
      expect(r.alternatives[1].score).toBe(0.8);
      expect(r.share).toBeCloseTo(0.652174, 6);
      expect(r.alternatives[1].share).toBeCloseTo(0.347826, 6);
      expect(r.contested).toBe(false);
    });

    it("credits eve once, and source s3 once, through eve's best claim b1", () => {
      expect(term(r, 'b1', 'signer_credit')).toBe(0.8);
      expect(term(r, 'b2', 'signer_credit')).toBe(0);
      expect(term(r, 'b3', 'signer_credit')).toBe(0);
      expect(term(r, 'b1', 'source_credit')).toBe(0.8);
      expect(term(r, 'b2', 'source_credit')).toBe(0.75);
      expect(term(r, 'b3', 'source_credit')).toBe(0);
      expect(term(r, 'b1', 'value_support')).toBe(0.8);
      // Bob is bound by signers (0.8 < 1.55), so b1 carries all of it.
      expect(r.explanations.find((e) => e.assertionId.equals(key('id:b1')))?.score).toBe(0.8);
      expect(r.alternatives[1].assertionIds).toEqual([key('id:b1'), key('id:b2'), key('id:b3')]);
    });
  });

  describe('Example 2 (Consensus): a copied source against votes', () => {
    const candidates = [
      cand({ id: 'c1', object: text('Alice'), confidence: 1, signers: ['ana'], source: 'wiki', offset: 1 }),
      cand({ id: 'c2', object: text('Alice'), confidence: 1, signers: ['ben'], source: 'wiki', offset: 2 }),
      cand({ id: 'c3', object: text('Alice'), confidence: 0.5, signers: ['cal'], source: 'wiki', offset: 3 }),
      cand({
        id: 'd1',
        object: text('Bob'),
        confidence: 0.7,
        signers: ['dee'],
        source: 'paper',
        votes: [{ voter: 'fay', value: 1, offset: 100 }],
      }),
      cand({
        id: 'd2',
        object: text('Bob'),
        confidence: 0.6,
        signers: ['eve'],
        source: 'memo',
        votes: [
          { voter: 'fay', value: -1, offset: 50 },
          { voter: 'gus', value: 1, offset: 60 },
        ],
      }),
    ];
    const r = resolve('consensus', SUBJECT, PREDICATE, candidates);

    it('bounds Alice by her one source and lifts Bob by his net vote of +2', () => {
      const factor = 1 + 0.5 * Math.tanh(2 / 2);
      expect(factor).toBeCloseTo(1.380797, 6);
      expect(r.object).toEqual(text('Bob'));
      expect(r.winnerId).toEqual(key('id:d1'));
      expect(shares(r)).toEqual([
        ['Bob', (0.6 + 0.7) * factor, expect.any(Number)],
        ['Alice', 1, expect.any(Number)],
      ]);
      expect(r.score).toBeCloseTo(1.795036, 6);
      expect(r.share).toBeCloseTo(0.642223, 6);
      expect(r.alternatives[1].share).toBeCloseTo(0.357777, 6);
      expect(term(r, 'c1', 'value_support')).toBe(1);
      expect(term(r, 'd1', 'vote_factor')).toBeCloseTo(factor, DIGITS);
    });

    it('had cal cited wiki first (offset 0), wiki would be worth cal’s 0.5, whatever ana and ben said later', () => {
      const calFirst = candidates.map((c) => (c.id.equals(key('id:c3')) ? { ...c, offset: 0 } : c));
      const v = resolve('consensus', SUBJECT, PREDICATE, calFirst);
      expect(v.alternatives.find((a) => a.object.value === 'Alice')?.score).toBe(0.5);
      expect(term(v, 'c3', 'source_credit')).toBe(0.5);
      expect(term(v, 'c1', 'source_credit')).toBe(0);
    });
  });

  describe('Example 3 (Consensus): a close call is contested', () => {
    const r = resolve('consensus', SUBJECT, PREDICATE, [
      cand({ id: 'e1', object: text('Alice'), confidence: 0.9, signers: ['ana'], source: 's1' }),
      cand({ id: 'e2', object: text('Bob'), confidence: 0.8, signers: ['ben'], source: 's2' }),
    ]);

    it('resolves to Alice with shares 0.529 and 0.471, 0.059 apart: contested', () => {
      expect(r.object).toEqual(text('Alice'));
      expect(r.share).toBeCloseTo(0.529412, 6);
      expect(r.alternatives[1].share).toBeCloseTo(0.470588, 6);
      expect(r.contested).toBe(true);
    });
  });

  describe('Example 4 (Recency)', () => {
    const base = [
      cand({ id: 'r1', object: text('Alice'), signers: ['ana'], assertedAtMs: T0_MS + 1000, offset: 10 }),
      cand({ id: 'r2', object: text('Bob'), signers: ['ben'], assertedAtMs: T0_MS + 2000, offset: 5 }),
      cand({
        id: 'r4',
        object: text('Dan'),
        signers: ['dee'],
        assertedAtMs: T0_MS + 3000,
        offset: 30,
        superseded: true,
      }),
    ];

    it('picks Bob, asserted later though appended earlier; the superseded Dan is skipped', () => {
      const r = resolve('recency', SUBJECT, PREDICATE, base);
      expect(r.object).toEqual(text('Bob'));
      expect(shares(r)).toEqual([
        ['Bob', 1, 1],
        ['Alice', 0, 0],
      ]);
      expect(r.contested).toBe(false);
      const dan = r.explanations.find((e) => e.assertionId.equals(key('id:r4')));
      expect(dan).toMatchObject({ excludedReason: 'superseded', superseded: true, score: 0 });
    });

    it('with Carol asserted in the same millisecond as Bob but appended later: Carol wins, contested', () => {
      const r = resolve('recency', SUBJECT, PREDICATE, [
        ...base,
        cand({ id: 'r3', object: text('Carol'), signers: ['cal'], assertedAtMs: T0_MS + 2000, offset: 20 }),
      ]);
      expect(r.object).toEqual(text('Carol'));
      expect(r.winnerId).toEqual(key('id:r3'));
      expect(shares(r)).toEqual([
        ['Carol', 1, 0.5],
        ['Bob', 1, 0.5],
        ['Alice', 0, 0],
      ]);
      expect(r.contested).toBe(true);
    });
  });

  describe('Example 5 (Authority): a copied source, a track record, fresh keys and a trust pack', () => {
    const candidates = [
      cand({ id: 'f1', object: text('Alice'), confidence: 0.9, signers: ['ana'], source: 's1', offset: 1 }),
      cand({ id: 'f2', object: text('Alice'), confidence: 0.9, signers: ['ben'], source: 's1', offset: 2 }),
      cand({ id: 'f3', object: text('Bob'), confidence: 0.8, signers: ['eve'], source: 's2', offset: 3 }),
    ];
    // Gold records: ana 5 right / 0 wrong, ben 1 / 2, eve 3 / 0 → Beta(1, 3) posterior means.
    const gold = { ana: goldReliability(5, 0), ben: goldReliability(1, 2), eve: goldReliability(3, 0) };
    const learned: TrustContext = { ranks: new Map(Object.entries(gold).map(([a, r]) => [hex(a), r])), source: 'learned', defaultRank: 0.25 };

    it('reliabilities 6/9, 2/7, 4/7 weigh ln 6, ln 1.2, ln 4', () => {
      expect([gold.ana, gold.ben, gold.eve]).toEqual([6 / 9, 2 / 7, 4 / 7]);
      expect(reliabilityWeight(gold.ana)).toBeCloseTo(Math.log(6), DIGITS);
      expect(reliabilityWeight(gold.ben)).toBeCloseTo(Math.log(1.2), DIGITS);
      expect(reliabilityWeight(gold.eve)).toBeCloseTo(Math.log(4), DIGITS);
      expect(reliabilityWeight(0.25)).toBe(0);
    });

    it('s1 counts once, credited to ana: Alice 1.612584 against Bob 1.109035', () => {
      const r = resolve('authority', SUBJECT, PREDICATE, candidates, { trust: learned });
      expect(r.object).toEqual(text('Alice'));
      expect(r.alternatives[0].score).toBeCloseTo(0.9 * Math.log(6), DIGITS);
      expect(r.alternatives[0].score).toBeCloseTo(1.612584, 6);
      expect(r.alternatives[1].score).toBeCloseTo(1.109035, 6);
      expect(r.share).toBeCloseTo(0.592509, 6);
      expect(term(r, 'f2', 'source_credit')).toBe(0);
    });

    it('1000 fresh keys for Bob, each with its own source, change nothing', () => {
      const sybils = Array.from({ length: 1000 }, (_, i) => cand({ id: `sy${i}`, object: text('Bob'), confidence: 1, signers: [`sybil-${i}`], source: `sy${i}`, offset: 10 + i }));
      const r = resolve('authority', SUBJECT, PREDICATE, [...candidates, ...sybils], { trust: learned });
      expect(shares(r)).toEqual(shares(resolve('authority', SUBJECT, PREDICATE, candidates, { trust: learned })));
      expect(resolve('consensus', SUBJECT, PREDICATE, [...candidates, ...sybils]).object).toEqual(text('Bob'));
    });

    it('trust pack ana 0.2, ben 0.2, eve 0.95, others 0: Bob 0.8 · ln 57 = 3.234441, Alice 0', () => {
      const r = resolve('authority', SUBJECT, PREDICATE, candidates, {
        trust: { ranks: new Map([[hex('ana'), 0.2], [hex('ben'), 0.2], [hex('eve'), 0.95]]), source: 'trust_pack', defaultRank: 0 },
      });
      expect(r.object).toEqual(text('Bob'));
      expect(r.alternatives[0].score).toBeCloseTo(3.234441, 6);
      expect(r.alternatives[1].score).toBe(0);
      expect(r.share).toBe(1);
    });

    it('nobody with a record: Consensus scoring, Alice 0.9 against Bob 0.8, contested', () => {
      const r = resolve('authority', SUBJECT, PREDICATE, candidates);
      expect(shares(r)).toEqual([
        ['Alice', 0.9, expect.any(Number)],
        ['Bob', 0.8, expect.any(Number)],
      ]);
      expect(r.share).toBeCloseTo(0.529412, 6);
      expect(r.contested).toBe(true);
      expect(r.summary).toContain('falls back to Consensus');
    });
  });

  describe('Where trust comes from: gold posteriors and a learned pack updated by newer gold judgements', () => {
    it('5 / 0 → 6/9 (weight ln 6); 0 / 4 → 1/8 (weight 0); pack 0.8 then 2 right, 3 wrong → 0.72', () => {
      expect(goldReliability(5, 0)).toBe(6 / 9);
      expect(reliabilityWeight(goldReliability(5, 0))).toBeCloseTo(Math.log(6), DIGITS);
      expect(goldReliability(0, 4)).toBe(1 / 8);
      expect(reliabilityWeight(goldReliability(0, 4))).toBe(0);
      expect(packReliability(0.8, 2, 3)).toBeCloseTo(0.72, DIGITS);
      expect(packReliability(0.8, 0, 0)).toBe(0.8);
      // The ratio of weights of agents of 0.9 and 0.3: ~13 (linear ranks: 3).
      expect(reliabilityWeight(0.9) / reliabilityWeight(0.3)).toBeCloseTo(13.1, 1);
    });
  });

  describe('Example 6 (Threshold): a plurality is not a majority', () => {
    const candidates = [
      cand({ id: 'g1', object: text('Alice'), confidence: 0.9, signers: ['ana'], source: 's1' }),
      cand({ id: 'g2', object: text('Bob'), confidence: 0.6, signers: ['ben'], source: 's2' }),
      cand({ id: 'g3', object: text('Carol'), confidence: 0.5, signers: ['cal'], source: 's3' }),
    ];

    it('Alice holds 0.45 of 2.0: Consensus picks her, Threshold (0.5) leaves it unresolved', () => {
      expect(resolve('consensus', SUBJECT, PREDICATE, candidates).object).toEqual(text('Alice'));
      const r = resolve('threshold', SUBJECT, PREDICATE, candidates);
      expect(r.outcome).toBe('unresolved');
      expect(r.object).toBeNull();
      expect(r.winnerId).toBeNull();
      expect(r.score).toBe(0.9);
      expect(r.share).toBe(0.45);
    });

    it('with min_share 0.4 Threshold resolves to Alice', () => {
      const r = resolve('threshold', SUBJECT, PREDICATE, candidates, { minShare: 0.4 });
      expect(r.outcome).toBe('resolved');
      expect(r.object).toEqual(text('Alice'));
    });
  });
});
