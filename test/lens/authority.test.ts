/**
 * Authority: each source once per value, credited to its most trusted
 * supporter, weighed by log-odds of estimated reliability; agents without a
 * record and revoked agents weigh 0; nobody with a record → Consensus scoring.
 */
import fc from 'fast-check';
import { resolve } from '../../shared/lens';
import { AUTHORITY_FALSE_VALUES, RELIABILITY_MAX, TRUST_DEFAULT_RANK } from '../../shared/lens/params';
import { goldReliability, PRIOR_RELIABILITY, reliabilityWeight } from '../../shared/lens/trust-weight';
import type { TrustContext } from '../../shared/lens/types';
import { PREDICATE, SUBJECT, cand, hex, key, text } from './helpers';

const trust = (ranks: Record<string, number>, defaultRank = PRIOR_RELIABILITY, source: TrustContext['source'] = 'learned'): TrustContext => ({
  ranks: new Map(Object.entries(ranks).map(([agent, r]) => [hex(agent), r])),
  source,
  defaultRank,
});

const terms = (r: ReturnType<typeof resolve>, id: string) => r.explanations.find((e) => e.assertionId.equals(key(`id:${id}`)))?.terms ?? [];

describe('Authority lens', () => {
  const candidates = [
    cand({ id: 'a1', object: text('Alice'), confidence: 1, signers: ['ana'], source: 's1' }),
    cand({ id: 'a2', object: text('Alice'), confidence: 1, signers: ['ben'], source: 's2' }),
    cand({ id: 'b1', object: text('Bob'), confidence: 1, signers: ['eve'], source: 's3' }),
  ];

  it('weight is ln(n·r/(1−r)) above the prior, 0 at or below it, capped at RELIABILITY_MAX', () => {
    expect(PRIOR_RELIABILITY).toBe(1 / (AUTHORITY_FALSE_VALUES + 1));
    expect(TRUST_DEFAULT_RANK).toBe(PRIOR_RELIABILITY);
    expect(reliabilityWeight(PRIOR_RELIABILITY)).toBe(0);
    expect(reliabilityWeight(0)).toBe(0);
    expect(reliabilityWeight(0.1)).toBe(0);
    expect(reliabilityWeight(0.9)).toBeCloseTo(Math.log((AUTHORITY_FALSE_VALUES * 0.9) / 0.1), 12);
    expect(reliabilityWeight(1)).toBe(reliabilityWeight(RELIABILITY_MAX));
    expect(Number.isFinite(reliabilityWeight(1))).toBe(true);
    // An agent with no record has the prior mean; one right judgement lifts it above.
    expect(goldReliability(0, 0)).toBe(PRIOR_RELIABILITY);
    expect(reliabilityWeight(goldReliability(1, 0))).toBeCloseTo(Math.log(2), 12);
  });

  it('a trust pack that trusts the lone agent flips the winner', () => {
    const r = resolve('authority', SUBJECT, PREDICATE, candidates, { trust: trust({ ana: 0.7, ben: 0.7, eve: 0.9 }) });
    expect(r.object).toEqual(text('Alice')); // 2 · ln 7 = 3.892 > ln 27 = 3.296
    const pack = resolve('authority', SUBJECT, PREDICATE, candidates, { trust: trust({ ana: 0.3, ben: 0.3, eve: 0.9 }, 0, 'trust_pack') });
    expect(pack.object).toEqual(text('Bob'));
    expect(pack.score).toBeCloseTo(Math.log(27), 12);
    expect(pack.alternatives[1].score).toBeCloseTo(2 * Math.log(9 / 7), 12);
    expect(pack.summary).toContain('trust pack');
  });

  it('copies of a source count once, credited to its most trusted supporter', () => {
    const copied = [
      cand({ id: 'w1', object: text('Alice'), confidence: 0.8, signers: ['weak'], source: 'blog', offset: 1 }),
      ...Array.from({ length: 20 }, (_, i) => cand({ id: `c${i}`, object: text('Alice'), confidence: 1, signers: [`copier-${i}`], source: 'blog', offset: 2 + i })),
      cand({ id: 'g1', object: text('Bob'), confidence: 0.8, signers: ['good'], source: 'paper', offset: 30 }),
    ];
    const t = trust({ weak: 0.4, good: 0.8, ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`copier-${i}`, 0.4])) });
    const r = resolve('authority', SUBJECT, PREDICATE, copied, { trust: t });
    expect(r.object).toEqual(text('Bob'));
    // blog once, at what its first citer (weak, 0.8) said: the louder copiers at confidence 1 add nothing.
    expect(r.alternatives[1].score).toBeCloseTo(0.8 * reliabilityWeight(0.4), 12);
    // A more trusted supporter of the same source lends it its weight, still at the first citers' confidence.
    const vouched = resolve('authority', SUBJECT, PREDICATE, copied, { trust: { ...t, ranks: new Map([...t.ranks, [hex('copier-3'), 0.95]]) } });
    expect(vouched.alternatives.find((a) => a.object.value === 'Alice')?.score).toBeCloseTo(0.8 * reliabilityWeight(0.95), 12);
    const credited = r.explanations.filter((e) => e.object.value === 'Alice' && e.score > 0);
    expect(credited).toHaveLength(1);
  });

  it('unknown agents weigh 0: a flood of fresh keys cannot beat one agent with 5 right gold judgements', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.double({ min: 0.05, max: 1, noNaN: true }), (n, conf) => {
        const flood = Array.from({ length: n }, (_, i) => cand({ id: `f${i}`, object: text('Lie'), confidence: 1, signers: [`fresh-${i}`], source: `own-${i}` }));
        const good = cand({ id: 'g', object: text('Truth'), confidence: conf, signers: ['good'], source: 'paper' });
        const r = resolve('authority', SUBJECT, PREDICATE, [good, ...flood], { trust: trust({ good: goldReliability(5, 0) }) });
        expect(r.object).toEqual(text('Truth'));
        expect(r.share).toBe(1);
      }),
    );
  });

  it('votes weigh by the voter’s weight: an unknown voter changes nothing', () => {
    const voted = [...candidates.slice(0, 2), cand({ id: 'b1', object: text('Bob'), confidence: 1, signers: ['eve'], source: 's3', votes: [{ voter: 'troll', value: 1 }] })];
    const t = trust({ ana: 0.5, ben: 0.5, eve: 0.5 });
    expect(resolve('authority', SUBJECT, PREDICATE, voted, { trust: t }).alternatives).toEqual(resolve('authority', SUBJECT, PREDICATE, candidates, { trust: t }).alternatives);
    const trusted = trust({ ana: 0.5, ben: 0.5, eve: 0.5, troll: 0.5 });
    const r = resolve('authority', SUBJECT, PREDICATE, voted, { trust: trusted });
    expect(r.alternatives.find((a) => a.object.value === 'Bob')?.score).toBeCloseTo(Math.log(3) * (1 + 0.5 * Math.tanh(Math.log(3) / 2)), 12);
  });

  it('revoked agents carry no weight as signers or voters, and Explain says so', () => {
    const voted = [...candidates.slice(0, 2), cand({ id: 'b1', object: text('Bob'), confidence: 1, signers: ['eve'], source: 's3', votes: [{ voter: 'ana', value: 1 }] })];
    const t = trust({ ana: 0.9, ben: 0.4, eve: 0.6 });
    const before = resolve('authority', SUBJECT, PREDICATE, voted, { trust: t });
    expect(before.object).toEqual(text('Alice'));
    const r = resolve('authority', SUBJECT, PREDICATE, voted, { trust: t, revokedAgents: new Set([hex('ana')]) });
    expect(r.object).toEqual(text('Bob'));
    expect(r.alternatives.find((a) => a.object.value === 'Bob')?.score).toBe(reliabilityWeight(0.6)); // ana's vote is gone too
    expect(r.alternatives.find((a) => a.object.value === 'Alice')?.score).toBe(reliabilityWeight(0.4));
    expect(r.explanations.find((e) => e.assertionId.equals(key('id:a1')))?.score).toBe(0);
    expect(terms(r, 'a1').find((x) => x.name === 'trust')?.detail).toContain('revoked, weight 0');
    const coSigned = resolve('authority', SUBJECT, PREDICATE, [cand({ id: 'co', object: text('Alice'), signers: ['ana', 'ben'], source: 's1' })], { trust: t, revokedAgents: new Set([hex('ben')]) });
    expect(terms(coSigned, 'co').find((x) => x.name === 'trust')?.detail).toContain('revoked');
  });

  it('nobody with a record falls back to Consensus scoring and says so; revoked agents stay out of it', () => {
    const r = resolve('authority', SUBJECT, PREDICATE, candidates, { trust: trust({}) });
    expect(r.alternatives.map((a) => [a.object.value, a.score])).toEqual(resolve('consensus', SUBJECT, PREDICATE, candidates).alternatives.map((a) => [a.object.value, a.score]));
    expect(r.summary).toContain('falls back to Consensus');
    const revoked = resolve('authority', SUBJECT, PREDICATE, candidates, { trust: trust({}), revokedAgents: new Set([hex('ana'), hex('ben')]) });
    expect(revoked.object).toEqual(text('Bob'));
  });

  it('every supporter a trust pack rates 0 with a rated agent elsewhere: unrated values score 0', () => {
    const r = resolve('authority', SUBJECT, PREDICATE, candidates, { trust: trust({ eve: 0.9 }, 0, 'trust_pack') });
    expect(r.alternatives.map((a) => [a.object.value, a.score > 0])).toEqual([
      ['Bob', true],
      ['Alice', false],
    ]);
  });

  it('one agent repeating itself with invented sources is still counted once', () => {
    const loud = [0, 1, 2, 3].map((i) => cand({ id: `l${i}`, object: text('Loud'), confidence: 1, signers: ['eve'], source: `x${i}` }));
    const r = resolve('authority', SUBJECT, PREDICATE, loud, { trust: trust({ eve: 0.7 }, 0) });
    expect(r.score).toBeCloseTo(reliabilityWeight(0.7), 12);
  });

  it('Explain names each signer’s reliability, weight and evidence label', () => {
    const t: TrustContext = { ...trust({ ana: goldReliability(2, 0) }), labels: new Map([[hex('ana'), 'gold 2 right / 0 wrong']]) };
    const r = resolve('authority', SUBJECT, PREDICATE, candidates, { trust: t });
    const detail = terms(r, 'a1').find((x) => x.name === 'trust')?.detail ?? '';
    expect(detail).toContain('reliability 0.500 → weight 1.099 (gold 2 right / 0 wrong)');
    expect(terms(r, 'b1').find((x) => x.name === 'trust')?.detail).toContain('(no record)');
  });
});
