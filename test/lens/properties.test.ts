/**
 * Properties every lens must keep whatever the candidates: order never
 * matters, more support for the winner never makes it lose, supersession,
 * epochs and as_of_offset behave like filtering the input.
 */
import fc from 'fast-check';
import { LENS_NAMES, resolve } from '../../shared/lens';
import { encodeResolution } from '../../shared/graph/resolution-codec';
import type { Candidate, LensContext, LensName, Resolution } from '../../shared/lens/types';
import { PREDICATE, SUBJECT, T0_MS, bytes32, confidenceArb, shuffleAll, worldArb, type World } from './helpers';

const lensArb = fc.constantFrom(...LENS_NAMES);

function contextArb(world: World): fc.Arbitrary<LensContext> {
  return fc
    .record({
      asOfOffset: fc.option(fc.nat({ max: 5200 }), { nil: undefined }),
      epoch: fc.constantFrom(undefined, null, 'e1'),
      includeSuperseded: fc.boolean(),
      minShare: fc.option(fc.double({ min: 0.01, max: 1, noNaN: true }), { nil: undefined }),
      ranks: fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }), {
        minLength: world.agents.length,
        maxLength: world.agents.length,
      }),
      defaultRank: fc.double({ min: 0, max: 1, noNaN: true }),
      source: fc.constantFrom('learned' as const, 'trust_pack' as const),
    })
    .map(({ ranks, defaultRank, source, ...rest }) => {
      const map = new Map<string, number>();
      ranks.forEach((r, i) => {
        if (r !== undefined) map.set(world.agents[i].toString('hex'), r);
      });
      return { ...rest, trust: { ranks: map, source, defaultRank } };
    });
}

const scenario = (opts: Parameters<typeof worldArb>[0]) =>
  worldArb(opts).chain((world) => fc.tuple(fc.constant(world), contextArb(world), lensArb));

function run(lens: LensName, candidates: readonly Candidate[], ctx: LensContext = {}): Resolution {
  return resolve(lens, SUBJECT, PREDICATE, candidates, ctx);
}

/** What a reader sees of a resolution, without the explanations and summary. */
function answer(r: Resolution) {
  return {
    outcome: r.outcome,
    object: r.object,
    winnerId: r.winnerId?.toString('hex') ?? null,
    score: r.score,
    share: r.share,
    contested: r.contested,
    alternatives: r.alternatives.map((a) => ({ ...a, assertionIds: a.assertionIds.map((id) => id.toString('hex')) })),
  };
}

describe('lens properties', () => {
  it('the answer does not depend on the order of candidates, signers or votes (byte-identical)', () => {
    fc.assert(
      fc.property(scenario({ withSuperseded: true, withEpochs: true }), fc.integer(), ([world, ctx, lens], seed) => {
        const a = encodeResolution(run(lens, world.candidates, ctx));
        const b = encodeResolution(run(lens, shuffleAll(world.candidates, seed), ctx));
        expect(b.equals(a)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('as_of_offset answers exactly as if the log had ended there', () => {
    fc.assert(
      fc.property(scenario({ withSuperseded: true, withEpochs: true }), fc.nat({ max: 5200 }), ([world, ctx, lens], asOf) => {
        const cut: Candidate[] = world.candidates
          .filter((c) => c.offset < asOf)
          .map(({ supersededAtOffset, ...c }) => ({
            ...c,
            votes: c.votes.filter((v) => v.offset < asOf),
            superseded: c.superseded && (supersededAtOffset === undefined || supersededAtOffset < asOf),
          }));
        const withAsOf = run(lens, world.candidates, { ...ctx, asOfOffset: asOf });
        const filtered = run(lens, cut, { ...ctx, asOfOffset: undefined });
        expect(encodeResolution(withAsOf).equals(encodeResolution(filtered))).toBe(true);
      }),
    );
  });

  it('superseded assertions are skipped and explained, unless includeSuperseded', () => {
    fc.assert(
      fc.property(scenario({ withSuperseded: true }), ([world, ctx, lens]) => {
        const base = { ...ctx, asOfOffset: undefined, epoch: null };
        const skipped = run(lens, world.candidates, { ...base, includeSuperseded: false });
        const live = world.candidates.filter((c) => !c.superseded);
        expect(answer(skipped)).toEqual(answer(run(lens, live, base)));
        const excluded = skipped.explanations.filter((e) => e.excludedReason !== null);
        expect(excluded.map((e) => e.assertionId.toString('hex')).sort()).toEqual(
          world.candidates.filter((c) => c.superseded).map((c) => c.id.toString('hex')).sort(),
        );
        expect(excluded.every((e) => e.excludedReason === 'superseded' && e.superseded && e.score === 0)).toBe(true);

        const included = run(lens, world.candidates, { ...base, includeSuperseded: true });
        const unmarked = world.candidates.map((c) => ({ ...c, superseded: false }));
        expect(answer(included)).toEqual(answer(run(lens, unmarked, base)));
        expect(included.explanations.every((e) => e.excludedReason === null)).toBe(true);
      }),
    );
  });

  it('an epoch query counts only that epoch and explains the rest as other_epoch', () => {
    fc.assert(
      fc.property(scenario({ withEpochs: true }), ([world, ctx, lens]) => {
        const base = { ...ctx, asOfOffset: undefined };
        const scoped = run(lens, world.candidates, { ...base, epoch: 'e1' });
        const mine = world.candidates.filter((c) => c.assertion.epoch === 'e1');
        expect(answer(scoped)).toEqual(answer(run(lens, mine, { ...base, epoch: null })));
        const others = scoped.explanations.filter((e) => e.excludedReason === 'other_epoch');
        expect(others).toHaveLength(world.candidates.length - mine.length);
      }),
    );
  });

  it('explain: false gives the same answer without explanations', () => {
    fc.assert(
      fc.property(scenario({ withSuperseded: true, withEpochs: true }), ([world, ctx, lens]) => {
        const full = run(lens, world.candidates, ctx);
        const lean = run(lens, world.candidates, { ...ctx, explain: false });
        expect(lean.explanations).toEqual([]);
        expect(lean).toEqual({ ...full, explanations: [] });
      }),
    );
  });

  it('summary: false gives the same answer with an empty summary', () => {
    fc.assert(
      fc.property(scenario({ withSuperseded: true, withEpochs: true }), ([world, ctx, lens]) => {
        const full = run(lens, world.candidates, ctx);
        const bare = run(lens, world.candidates, { ...ctx, summary: false });
        expect(full.summary).not.toBe('');
        expect(bare).toEqual({ ...full, summary: '' });
      }),
    );
  });

  it('every candidate given is explained exactly once', () => {
    fc.assert(
      fc.property(scenario({ withSuperseded: true, withEpochs: true }), ([world, ctx, lens]) => {
        const r = run(lens, world.candidates, { ...ctx, asOfOffset: undefined });
        expect(r.explanations.map((e) => e.assertionId.toString('hex')).sort()).toEqual(
          world.candidates.map((c) => c.id.toString('hex')).sort(),
        );
        const listed = r.alternatives.flatMap((a) => a.assertionIds.map((id) => id.toString('hex')));
        expect(listed.sort()).toEqual(
          r.explanations.filter((e) => e.excludedReason === null).map((e) => e.assertionId.toString('hex')).sort(),
        );
      }),
    );
  });

  it('shares sum to 1 over the alternatives (or are all 0), best first', () => {
    fc.assert(
      fc.property(scenario({ withSuperseded: true }), ([world, ctx, lens]) => {
        const r = run(lens, world.candidates, ctx);
        const total = r.alternatives.reduce((s, a) => s + a.share, 0);
        if (r.alternatives.some((a) => a.score > 0)) expect(total).toBeCloseTo(1, 9);
        else expect(total).toBe(0);
        for (let i = 1; i < r.alternatives.length; i++) {
          expect(r.alternatives[i - 1].score).toBeGreaterThanOrEqual(r.alternatives[i].score);
        }
        if (r.outcome === 'resolved') {
          expect(r.object).toEqual(r.alternatives[0].object);
          expect(r.winnerId).toEqual(r.alternatives[0].assertionIds[0]);
        }
      }),
    );
  });

  describe('adding support to the winner never makes it lose', () => {
    const resolvedScenario = scenario({ withSuperseded: true }).map(([w, ctx, lens]) => {
      const c = { ...ctx, asOfOffset: undefined, epoch: null };
      return { world: w, ctx: c, lens, before: run(lens, w.candidates, c) };
    });

    function winnerCandidates(r: Resolution, candidates: readonly Candidate[]): Candidate[] {
      const ids = new Set(r.alternatives[0].assertionIds.map((id) => id.toString('hex')));
      return candidates.filter((c) => ids.has(c.id.toString('hex')));
    }

    it('another distinct signer with its own source', () => {
      fc.assert(
        fc.property(resolvedScenario, bytes32, bytes32, bytes32, confidenceArb, (s, id, signer, source, confidence) => {
          fc.pre(s.before.outcome === 'resolved');
          const template = winnerCandidates(s.before, s.world.candidates)[0];
          const extra: Candidate = {
            id,
            assertion: {
              ...template.assertion,
              confidence,
              sourceHash: source,
              assertedAtMs: T0_MS + 1000, // newest, for Recency
              signatures: [{ publicKey: signer, signature: Buffer.alloc(64) }],
            },
            signers: [signer],
            offset: 9000,
            votes: [],
            superseded: false,
          };
          const after = run(s.lens, [...s.world.candidates, extra], s.ctx);
          expect(after.outcome).toBe('resolved');
          expect(after.object).toEqual(s.before.object);
        }),
      );
    });

    it('a higher confidence on one of its claims', () => {
      fc.assert(
        fc.property(resolvedScenario, fc.nat(), confidenceArb, (s, pick, raise) => {
          fc.pre(s.before.outcome === 'resolved');
          const mine = winnerCandidates(s.before, s.world.candidates);
          const target = mine[pick % mine.length];
          const higher = target.assertion.confidence + (1 - target.assertion.confidence) * raise;
          const candidates = s.world.candidates.map((c) =>
            c === target ? { ...c, assertion: { ...c.assertion, confidence: higher } } : c,
          );
          const after = run(s.lens, candidates, s.ctx);
          expect(after.outcome).toBe('resolved');
          expect(after.object).toEqual(s.before.object);
        }),
      );
    });

    it('a positive vote from a new voter', () => {
      fc.assert(
        fc.property(resolvedScenario, fc.nat(), bytes32, fc.double({ min: 0, max: 1, noNaN: true }), (s, pick, voter, value) => {
          fc.pre(s.before.outcome === 'resolved');
          const mine = winnerCandidates(s.before, s.world.candidates);
          const target = mine[pick % mine.length];
          const candidates = s.world.candidates.map((c) =>
            c === target ? { ...c, votes: [...c.votes, { voter, value, castAtMs: T0_MS, offset: 9000 }] } : c,
          );
          const after = run(s.lens, candidates, s.ctx);
          expect(after.outcome).toBe('resolved');
          expect(after.object).toEqual(s.before.object);
        }),
      );
    });
  });
});
