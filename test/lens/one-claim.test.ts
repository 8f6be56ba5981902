/**
 * The one-claim shortcut (shared/lens one-claim.ts) against the general
 * decision path it stands in for: on random single-candidate inputs — any
 * object value (-0 included), confidences and votes at their edges,
 * superseded, withdrawn and other-epoch claims, and invalid ones — it either
 * declines, or gives the decision `decideByGroups` gives bit for bit (the MV
 * bytes included), or throws the error the general path throws.
 */
import fc from 'fast-check';
import { decideByGroups, type ResolutionDecision } from '../../shared/lens/decision';
import { decideOneClaim } from '../../shared/lens/one-claim';
import { encodeStoredDecision } from '../../shared/graph/stored-resolution';
import type { Candidate } from '../../shared/lens/types';
import { PREDICATE, SUBJECT, objectArb, worldArb } from './helpers';

/** A decision as comparable text: doubles by their bits (sign of zero included), ids in hex. */
function bits(d: ResolutionDecision): string {
  const f64 = (x: number): string => Buffer.from(new Float64Array([x]).buffer).toString('hex');
  const alts = d.alternatives.map(
    (a) => `${JSON.stringify(a.object, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))} ${f64(a.score)} ${f64(a.share)} ${a.assertionIds.map((id) => id.toString('hex')).join(',')}`,
  );
  return JSON.stringify({ s: d.subject, p: d.predicate, lens: d.lens, outcome: d.outcome, contested: d.contested, alts });
}

function outcomeOf(f: () => ResolutionDecision | undefined): { value?: ResolutionDecision; error?: string } {
  try {
    return { value: f() };
  } catch (err) {
    return { error: String(err) };
  }
}

/** What can make a single claim invalid, or sit at an edge. */
const mutationArb = fc.constantFrom('none', 'none', 'none', 'confidence', 'vote', 'subject', 'offset', 'signers', 'zero');

/** The shape the shortcut takes (one signer, no withdrawal, votes 0–1) most of the time, and others. */
const shapeArb = fc.record({ oneSigner: fc.boolean(), votes: fc.nat({ max: 2 }), withdrawals: fc.boolean() });

function mutate(c: Candidate, m: string, object: Candidate['assertion']['object'], shape: { oneSigner: boolean; votes: number; withdrawals: boolean }): Candidate {
  const signers = shape.oneSigner ? c.signers.slice(0, 1) : c.signers;
  const { withdrawals, ...rest } = c;
  const kept = shape.withdrawals && withdrawals !== undefined ? { withdrawals: withdrawals.filter((w) => signers.some((s) => s.equals(w.agent))) } : {};
  const base: Candidate = { ...rest, ...kept, assertion: { ...c.assertion, object }, signers, votes: c.votes.slice(0, shape.votes) };
  switch (m) {
    case 'confidence':
      return { ...base, assertion: { ...base.assertion, confidence: 1.5 } };
    case 'vote':
      return base.votes.length === 0 ? base : { ...base, votes: [{ ...base.votes[0]!, value: Number.NaN }, ...base.votes.slice(1)] };
    case 'subject':
      return { ...base, assertion: { ...base.assertion, subject: 'other' } };
    case 'offset':
      return { ...base, offset: -1 };
    case 'signers':
      return { ...base, signers: [] };
    case 'zero':
      return { ...base, assertion: { ...base.assertion, confidence: -0 }, votes: base.votes.slice(0, 1).map((v) => ({ ...v, value: -0 })) };
    default:
      return base;
  }
}

describe('decideOneClaim', () => {
  it('declines, or decides exactly as the general path (decision, MV bytes, errors)', () => {
    let shortcut = 0;
    const runs = 3000;
    fc.assert(
      fc.property(
        worldArb({ candidatesMax: 1, withSuperseded: true, withEpochs: true, withWithdrawals: true }).filter((w) => w.candidates.length === 1),
        objectArb,
        mutationArb,
        shapeArb,
        (world, object, m, shape) => {
          const candidates = [mutate(world.candidates[0]!, m, object, shape)];
          const fast = outcomeOf(() => decideOneClaim(SUBJECT, PREDICATE, candidates));
          if (fast.error === undefined && fast.value === undefined) return; // declined: the general path decides
          shortcut++;
          const general = outcomeOf(() => decideByGroups(SUBJECT, PREDICATE, candidates));
          expect(fast.error).toBe(general.error);
          if (fast.value === undefined) return;
          expect(bits(fast.value)).toBe(bits(general.value!));
          const counts = { superseded: candidates[0]!.superseded ? 1 : 0 };
          expect(encodeStoredDecision(fast.value, counts).equals(encodeStoredDecision(general.value!, counts))).toBe(true);
        },
      ),
      { numRuns: runs },
    );
    // The property means something only if the shortcut ran on many of the inputs.
    expect(shortcut).toBeGreaterThan(runs / 5);
  });

  it('declines whenever there is more than the one simple claim', () => {
    const claim = fc.sample(worldArb({ candidatesMax: 2 }).filter((w) => w.candidates.length === 2), { numRuns: 1, seed: 7 })[0]!.candidates;
    expect(decideOneClaim(SUBJECT, PREDICATE, claim)).toBeUndefined();
    expect(decideOneClaim(SUBJECT, PREDICATE, [])).toBeUndefined();
    const one = { ...claim[0]!, signers: [claim[0]!.signers[0]!, Buffer.alloc(32, 9)] };
    expect(decideOneClaim(SUBJECT, PREDICATE, [one])).toBeUndefined();
  });
});
