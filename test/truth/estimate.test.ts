/**
 * The truth-discovery estimator: anchored by gold standards, copy-aware (a
 * source counts once per value), deterministic under any claim order, and
 * bounded (iterations, claims).
 */
import { PRIOR_RELIABILITY } from '../../shared/lens/trust-weight';
import { estimateReliability, type ClaimInput } from '../../shared/truth/estimate';
import { TruthInputError } from '../../shared/truth/errors';
import { LEARN_CLAIMS_MAX, LEARN_ITERATIONS_DEFAULT, LEARN_ITERATIONS_MAX } from '../../shared/truth/limits';
import { rng } from '../helpers/random';

/** 200 facts, true value 't'; `good` is right 90 % of the time, `weak` 30 %; 5 copiers repeat weak's claims (same source). */
function world(): { claims: ClaimInput[]; golds: { fact: string; value: string }[] } {
  const r = rng(99);
  const claims: ClaimInput[] = [];
  const golds = [];
  for (let f = 0; f < 200; f++) {
    const fact = `f${f}`;
    const say = (p: number): string => (r() < p ? 't' : `x${Math.floor(r() * 3)}`);
    const good = say(0.9);
    const mid = say(0.6);
    const weak = say(0.3);
    const at = claims.length;
    claims.push({ fact, value: good, source: `good-${f}`, signers: ['good'], confidence: 0.8, offset: at });
    claims.push({ fact, value: mid, source: `mid-${f}`, signers: ['mid'], confidence: 0.8, offset: at + 1 });
    claims.push({ fact, value: weak, source: `weak-${f}`, signers: ['weak'], confidence: 0.8, offset: at + 2 });
    // Louder, later copies of weak's claim (same source).
    for (let c = 0; c < 5; c++) claims.push({ fact, value: weak, source: `weak-${f}`, signers: [`copier${c}`], confidence: 0.9, offset: at + 3 + c });
    if (f % 20 === 0) golds.push({ fact, value: 't' });
  }
  return { claims, golds };
}

describe('truth discovery', () => {
  const { claims, golds } = world();
  const result = estimateReliability(claims, golds);
  const rel = new Map(result.agents.map((a) => [a.agent, a]));

  it('ranks agents by true reliability, copies of a weak source included', () => {
    expect(rel.get('good')!.reliability).toBeGreaterThan(rel.get('mid')!.reliability);
    expect(rel.get('mid')!.reliability).toBeGreaterThan(rel.get('weak')!.reliability);
    expect(rel.get('good')!.reliability).toBeGreaterThan(0.6);
    // Five copiers agreeing with weak (one source) do not make weak's values true.
    expect(rel.get('copier0')!.reliability).toBeLessThan(0.45);
    expect(rel.get('good')!).toMatchObject({ claims: 200, goldRight: expect.any(Number) });
    expect(result.iterations).toBeLessThanOrEqual(LEARN_ITERATIONS_DEFAULT);
  });

  it('a source counts once, at what its first citer said: louder copies change no other agent’s reliability', () => {
    const without = estimateReliability(claims.filter((c) => !c.signers[0]!.startsWith('copier')), golds);
    const good = (r: typeof without) => r.agents.find((a) => a.agent === 'good')!.reliability;
    expect(Math.abs(good(without) - good(result))).toBeLessThan(1e-9);
  });

  it('the same claims in any order give the same bits', () => {
    const r = rng(5);
    const shuffled = [...claims];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    expect(estimateReliability(shuffled, [...golds].reverse())).toEqual(result);
  });

  it('an agent that only contradicts credible agents ends at or below the prior (weight 0)', () => {
    const sybil: ClaimInput[] = Array.from({ length: 20 }, (_, f) => ({ fact: `f${f}`, value: 'lie', source: `s${f}`, signers: ['sybil'], confidence: 1, offset: 10_000 + f }));
    const r = estimateReliability([...claims, ...sybil], golds);
    expect(r.agents.find((a) => a.agent === 'sybil')!.reliability).toBeLessThanOrEqual(PRIOR_RELIABILITY);
  });

  it('bounds: iterations 1..LEARN_ITERATIONS_MAX, at most LEARN_CLAIMS_MAX claims, confidences in [0, 1]', () => {
    expect(estimateReliability(claims, golds, { iterations: 1 }).iterations).toBe(1);
    expect(estimateReliability(claims, golds, { iterations: LEARN_ITERATIONS_MAX }).iterations).toBeLessThanOrEqual(LEARN_ITERATIONS_MAX);
    expect(() => estimateReliability(claims, golds, { iterations: 0 })).toThrow(expect.objectContaining({ field: 'iterations' }));
    expect(() => estimateReliability(claims, golds, { iterations: LEARN_ITERATIONS_MAX + 1 })).toThrow(TruthInputError);
    const tooMany = new Array<ClaimInput>(LEARN_CLAIMS_MAX + 1);
    expect(() => estimateReliability(tooMany, [])).toThrow(expect.objectContaining({ field: 'claims' }));
    expect(() => estimateReliability([{ ...claims[0]!, confidence: 2 }], [])).toThrow(expect.objectContaining({ field: 'claims[0].confidence' }));
    expect(() => estimateReliability([{ ...claims[0]!, offset: -1 }], [])).toThrow(expect.objectContaining({ field: 'claims[0].offset' }));
  });
});
