import { resolve } from '../../shared/lens';
import { TRUST_DEFAULT_RANK } from '../../shared/lens/params';
import type { TrustContext } from '../../shared/lens/types';
import { PREDICATE, SUBJECT, cand, hex, text } from './helpers';

const trust = (ranks: Record<string, number>, defaultRank: number, source: TrustContext['source'] = 'learned'): TrustContext => ({
  ranks: new Map(Object.entries(ranks).map(([agent, r]) => [hex(agent), r])),
  source,
  defaultRank,
});

describe('Authority lens', () => {
  const candidates = [
    cand({ id: 'a1', object: text('Alice'), confidence: 1, signers: ['ana'], source: 's1' }),
    cand({ id: 'a2', object: text('Alice'), confidence: 1, signers: ['ben'], source: 's2' }),
    cand({ id: 'b1', object: text('Bob'), confidence: 1, signers: ['eve'], source: 's3' }),
  ];

  it('a trust pack that ranks the lone agent highest flips the winner', () => {
    const learned = resolve('authority', SUBJECT, PREDICATE, candidates, { trust: trust({}, 0.5) });
    expect(learned.object).toEqual(text('Alice'));
    const pack = resolve('authority', SUBJECT, PREDICATE, candidates, {
      trust: trust({ ana: 0.2, ben: 0.2, eve: 0.9 }, 0, 'trust_pack'),
    });
    expect(pack.object).toEqual(text('Bob'));
    expect(pack.score).toBeCloseTo(0.9, 12);
    expect(pack.alternatives[1].score).toBeCloseTo(0.4, 12);
    expect(pack.summary).toContain('trust pack');
  });

  it('unranked agents get the context defaultRank, and TRUST_DEFAULT_RANK without a context', () => {
    const r = resolve('authority', SUBJECT, PREDICATE, candidates, { trust: trust({ ana: 1 }, 0.25) });
    expect(r.alternatives[0].score).toBeCloseTo(1 + 0.25, 12);
    const bare = resolve('authority', SUBJECT, PREDICATE, candidates);
    expect(bare.alternatives[0].score).toBeCloseTo(2 * TRUST_DEFAULT_RANK, 12);
    const detail = r.explanations.find((e) => e.terms.some((t) => t.name === 'trust' && t.value === 0.25));
    expect(detail?.terms.find((t) => t.name === 'trust')?.detail).toContain('(default)');
  });

  it('votes weigh by the voter’s rank: a rank-0 voter changes nothing', () => {
    const voted = [
      ...candidates.slice(0, 2),
      cand({ id: 'b1', object: text('Bob'), confidence: 1, signers: ['eve'], source: 's3', votes: [{ voter: 'troll', value: 1 }] }),
    ];
    const t = trust({ ana: 0.5, ben: 0.5, eve: 0.5 }, 0);
    expect(resolve('authority', SUBJECT, PREDICATE, voted, { trust: t }).alternatives).toEqual(
      resolve('authority', SUBJECT, PREDICATE, candidates, { trust: t }).alternatives,
    );
    const trusted = trust({ ana: 0.5, ben: 0.5, eve: 0.5, troll: 1 }, 0);
    const r = resolve('authority', SUBJECT, PREDICATE, voted, { trust: trusted });
    expect(r.alternatives.find((a) => a.object.value === 'Bob')?.score).toBeCloseTo(0.5 * (1 + 0.5 * Math.tanh(1 / 2)), 12);
  });

  it('every signer ranked 0 leaves the pair unresolved', () => {
    const r = resolve('authority', SUBJECT, PREDICATE, candidates, { trust: trust({}, 0) });
    expect(r).toMatchObject({ outcome: 'unresolved', object: null, score: 0 });
    expect(r.summary).toContain('no value has any support');
  });

  it('one agent repeating itself is still counted once', () => {
    const loud = [0, 1, 2, 3].map((i) => cand({ id: `l${i}`, object: text('Loud'), confidence: 1, signers: ['eve'], source: `x${i}` }));
    const r = resolve('authority', SUBJECT, PREDICATE, loud, { trust: trust({ eve: 0.7 }, 0) });
    expect(r.score).toBe(0.7);
  });
});
