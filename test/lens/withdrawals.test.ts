/**
 * Supersession and withdrawal at the lens level (docs/LENSES.md "Supersession
 * and withdrawal", Examples 7–9, number for number), and the properties every
 * lens keeps with withdrawals: a withdrawn signer counts exactly as if it had
 * never signed, as of any offset, whatever the order of candidates and
 * withdrawals.
 */
import fc from 'fast-check';
import { LENS_NAMES, LensInputError, resolve } from '../../shared/lens';
import { ResolutionDecodeError } from '../../shared/graph/errors';
import { decodeResolution, encodeResolution } from '../../shared/graph/resolution-codec';
import type { Candidate, CandidateWithdrawal, LensContext, LensName, Resolution } from '../../shared/lens/types';
import { PREDICATE, SUBJECT, cand, key, shuffleAll, text, worldArb } from './helpers';

const lensArb = fc.constantFrom(...LENS_NAMES);
const run = (lens: LensName, candidates: readonly Candidate[], ctx: LensContext = {}): Resolution => resolve(lens, SUBJECT, PREDICATE, candidates, ctx);
const withdraw = (c: Candidate, ...ws: { agent: string; child: string; offset: number }[]): Candidate => ({
  ...c,
  withdrawals: ws.map((w): CandidateWithdrawal => ({ agent: key(w.agent), childId: key(`id:${w.child}`), offset: w.offset })),
});
const explained = (r: Resolution, id: string) => r.explanations.find((e) => e.assertionId.equals(key(`id:${id}`)))!;
/** Each alternative's value and score, to 12 digits. */
const support = (r: Resolution): Array<[string, number]> => r.alternatives.map((a) => [String(a.object.value), Number(a.score.toFixed(12))]);

/** What a reader sees of a resolution, without the explanations and summary. */
function answer(r: Resolution) {
  return { outcome: r.outcome, object: r.object, winnerId: r.winnerId, score: r.score, share: r.share, contested: r.contested, alternatives: r.alternatives };
}

describe('supersession and withdrawal', () => {
  describe('Example 7: the co-sign-then-supersede attack', () => {
    // alice and carol say planet; mallory co-signs alice's r1 (same id), then names r1 as the parent of her own claim.
    const r1 = cand({ id: 'r1', object: text('planet'), confidence: 0.9, signers: ['alice', 'mallory'], source: 's1', offset: 100 });
    const r2 = cand({ id: 'r2', object: text('planet'), confidence: 0.8, signers: ['carol'], source: 's2', offset: 200 });
    const r4 = cand({ id: 'r4', object: text('dwarf planet'), confidence: 1, signers: ['mallory'], source: 's3', offset: 400 });
    const candidates = [withdraw(r1, { agent: 'mallory', child: 'r4', offset: 400 }), r2, r4];

    it('withdraws only mallory: r1 still counts for alice, and planet keeps the answer', () => {
      const r = run('consensus', candidates);
      expect(r.object).toEqual(text('planet'));
      expect(support(r)).toEqual([
        ['planet', 1.7],
        ['dwarf planet', 1],
      ]);
      expect(r.share).toBeCloseTo(0.62963, 5);
      expect(explained(r, 'r1').excludedReason).toBeNull();
      expect(explained(r, 'r1').withdrawals.map((w) => w.agent)).toEqual([key('mallory')]);
    });

    it('the old rule (r1 superseded for everyone) would have flipped it', () => {
      const r = run('consensus', [{ ...r1, superseded: true }, r2, r4]);
      expect(support(r)).toEqual([
        ['dwarf planet', 1],
        ['planet', 0.8],
      ]);
    });

    it('as of the child, nothing was withdrawn yet', () => {
      expect(explained(run('consensus', candidates, { asOfOffset: 400 }), 'r1').withdrawals).toEqual([]);
    });
  });

  describe('Example 8: an author supersedes its own claim', () => {
    const r1 = cand({ id: 'r1', object: text('planet'), confidence: 0.9, signers: ['alice'], source: 's1', offset: 100 });
    const r2 = cand({ id: 'r2', object: text('dwarf planet'), confidence: 0.9, signers: ['alice'], source: 's2', offset: 200 });
    const candidates = [withdraw(r1, { agent: 'alice', child: 'r2', offset: 200 }), r2];

    it.each(LENS_NAMES)('%s: r1 is excluded as superseded and dwarf planet wins', (lens) => {
      const r = run(lens, candidates);
      expect(r.object).toEqual(text('dwarf planet'));
      expect(explained(r, 'r1')).toMatchObject({ excludedReason: 'superseded', superseded: true, score: 0 });
    });

    it('as of offset 200 the log had only r1: planet', () => {
      expect(run('consensus', candidates, { asOfOffset: 200 }).object).toEqual(text('planet'));
    });

    it('includeSuperseded ignores withdrawals: alice counts for both', () => {
      const r = run('consensus', candidates, { includeSuperseded: true });
      expect(support(r)).toEqual([
        ['dwarf planet', 0.9],
        ['planet', 0.9],
      ]);
      expect(explained(r, 'r1')).toMatchObject({ excludedReason: null, superseded: true });
    });
  });

  describe('Example 9: two authors withdraw one after the other', () => {
    const r1 = cand({ id: 'r1', object: text('planet'), confidence: 0.9, signers: ['alice', 'bob'], source: 's1', offset: 100 });
    const r2 = cand({ id: 'r2', object: text('dwarf planet'), confidence: 0.6, signers: ['alice'], source: 's2', offset: 200 });
    const r3 = cand({ id: 'r3', object: text('dwarf planet'), confidence: 0.6, signers: ['bob'], source: 's3', offset: 300 });
    const candidates = [withdraw(r1, { agent: 'alice', child: 'r2', offset: 200 }, { agent: 'bob', child: 'r3', offset: 300 }), r2, r3];
    const detail = (r: Resolution): string => explained(r, 'r1').terms.find((t) => t.name === 'value_support')!.detail;

    it('before any withdrawal: planet from 2 signers', () => {
      const r = run('consensus', candidates, { asOfOffset: 200 });
      expect(support(r)).toEqual([['planet', 0.9]]);
      expect(detail(r)).toContain('signer support 1.800 from 2 signers, source support 0.900 from 1 source');
    });

    it('after alice withdraws: planet counts bob alone, and still wins', () => {
      const r = run('consensus', candidates, { asOfOffset: 300 });
      expect(support(r)).toEqual([
        ['planet', 0.9],
        ['dwarf planet', 0.6],
      ]);
      expect(detail(r)).toContain('signer support 0.900 from 1 signer, source support 0.900 from 1 source');
      expect(explained(r, 'r1').withdrawals.map((w) => w.agent)).toEqual([key('alice')]);
    });

    it('after both: r1 is superseded and dwarf planet has 1.2', () => {
      const r = run('consensus', candidates);
      expect(support(r)).toEqual([['dwarf planet', 1.2]]);
      expect(explained(r, 'r1').excludedReason).toBe('superseded');
    });
  });

  it('votes are not touched by a withdrawal: the remaining signer keeps them', () => {
    const r1 = cand({ id: 'v1', object: text('planet'), confidence: 0.5, signers: ['alice', 'bob'], votes: [{ voter: 'bob', value: 1 }] });
    const with1 = run('consensus', [withdraw(r1, { agent: 'bob', child: 'x', offset: 5 })]);
    const without = run('consensus', [{ ...r1, signers: [key('alice')] }]);
    expect(answer(with1)).toEqual(answer(without));
    // bob's vote still lifts the value: the vote factor is above 1.
    expect(with1.explanations[0]!.terms.find((t) => t.name === 'vote_factor')!.value).toBeGreaterThan(1);
  });

  it('refuses a withdrawal by an agent that did not sign the candidate, naming the field', () => {
    const c = withdraw(cand({ id: 'w', object: text('planet'), signers: ['alice'] }), { agent: 'mallory', child: 'x', offset: 1 });
    expect(() => run('consensus', [c])).toThrow(LensInputError);
    try {
      run('consensus', [c]);
    } catch (err) {
      expect((err as LensInputError).field).toBe('candidates[0].withdrawals[0].agent');
    }
    const bad = withdraw(cand({ id: 'w2', object: text('planet'), signers: ['alice'] }), { agent: 'alice', child: 'x', offset: -1 });
    expect(() => run('consensus', [bad])).toThrow(/candidates\[0\]\.withdrawals\[0\]\.offset/);
  });

  it('explanations keep their withdrawals through encodeResolution; none, no key (v1 bytes unchanged)', () => {
    const r1 = cand({ id: 'e1', object: text('planet'), signers: ['alice', 'bob'], offset: 1 });
    const r = run('consensus', [withdraw(r1, { agent: 'bob', child: 'e2', offset: 7 })]);
    const bytes = encodeResolution(r);
    expect(decodeResolution(bytes)).toEqual(r);
    expect(encodeResolution(run('consensus', [r1])).toString('utf8')).not.toContain('withdrawals');
    const bad = Buffer.from(bytes.toString('utf8').replace('"offset":7', '"offset":-7'));
    expect(() => decodeResolution(bad)).toThrow(ResolutionDecodeError);
    expect(() => decodeResolution(bad)).toThrow(/explanations\[0\]\.withdrawals\[0\]\.offset/);
  });

  describe('properties (every lens)', () => {
    const scenario = worldArb({ withSuperseded: true, withEpochs: true, withWithdrawals: true }).chain((world) =>
      fc.tuple(fc.constant(world), lensArb, fc.option(fc.nat({ max: 5200 }), { nil: undefined }), fc.boolean()),
    );

    it('the answer does not depend on the order of candidates, signers, votes or withdrawals (byte-identical)', () => {
      fc.assert(
        fc.property(scenario, fc.integer(), ([world, lens, asOfOffset, includeSuperseded], seed) => {
          const ctx = { asOfOffset, includeSuperseded };
          const a = encodeResolution(run(lens, world.candidates, ctx));
          expect(encodeResolution(run(lens, shuffleAll(world.candidates, seed), ctx)).equals(a)).toBe(true);
        }),
        { numRuns: 300 },
      );
    });

    it('a withdrawn signer counts exactly as if it had not signed; a fully withdrawn candidate as if superseded', () => {
      fc.assert(
        fc.property(scenario, ([world, lens, asOfOffset]) => {
          const cut = (w: CandidateWithdrawal): boolean => asOfOffset === undefined || w.offset < asOfOffset;
          const stripped = world.candidates.map(({ withdrawals, ...c }): Candidate => {
            const gone = new Set((withdrawals ?? []).filter(cut).map((w) => w.agent.toString('hex')));
            const signers = c.signers.filter((s) => !gone.has(s.toString('hex')));
            return signers.length > 0 ? { ...c, signers } : { ...c, superseded: true, supersededAtOffset: 0 };
          });
          const ctx = { asOfOffset, includeSuperseded: false };
          expect(answer(run(lens, world.candidates, ctx))).toEqual(answer(run(lens, stripped, ctx)));
        }),
        { numRuns: 300 },
      );
    });

    it('includeSuperseded ignores withdrawals', () => {
      fc.assert(
        fc.property(scenario, ([world, lens, asOfOffset]) => {
          const ctx = { asOfOffset, includeSuperseded: true };
          const none = world.candidates.map(({ withdrawals: _w, ...c }) => c);
          expect(answer(run(lens, world.candidates, ctx))).toEqual(answer(run(lens, none, ctx)));
        }),
      );
    });
  });
});
