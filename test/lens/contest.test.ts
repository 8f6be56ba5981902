import { isContested, resolve } from '../../shared/lens';
import { CONTEST_MARGIN, CONTEST_TOLERANCE } from '../../shared/lens/params';
import { PREDICATE, SUBJECT, cand, text } from './helpers';

const shares = (...xs: number[]) => xs.map((share) => ({ share }));
const EPS = 1e-9;

describe('the contested rule', () => {
  it(`top two shares exactly ${CONTEST_MARGIN} apart are contested`, () => {
    expect(isContested(shares(0.55, 0.45))).toBe(true); // 0.10000000000000003 in floating point
    expect(isContested(shares(0.6, 0.5))).toBe(true);
  });

  it('one epsilon inside the margin is contested, one epsilon outside is not', () => {
    expect(isContested(shares(0.55, 0.45 + EPS))).toBe(true);
    expect(isContested(shares(0.55, 0.45 - EPS))).toBe(false);
    expect(EPS).toBeGreaterThan(CONTEST_TOLERANCE);
  });

  it('a zero share on either side, or fewer than two alternatives, is never contested', () => {
    expect(isContested(shares(0, 0))).toBe(false);
    expect(isContested(shares(0.05, 0))).toBe(false);
    expect(isContested(shares(1))).toBe(false);
    expect(isContested([])).toBe(false);
  });

  it('only the top two count, not the third', () => {
    expect(isContested(shares(0.7, 0.2, 0.1))).toBe(false);
    expect(isContested(shares(0.4, 0.35, 0.25))).toBe(true);
  });

  it('a lens applies the same rule at the margin ± epsilon', () => {
    const pair = (a: number, b: number) =>
      resolve('consensus', SUBJECT, PREDICATE, [
        cand({ id: 'm1', object: text('Alice'), confidence: a, signers: ['ana'], source: 's1' }),
        cand({ id: 'm2', object: text('Bob'), confidence: b, signers: ['ben'], source: 's2' }),
      ]);
    expect(pair(0.55, 0.45).contested).toBe(true);
    expect(pair(0.55, 0.45 + EPS).contested).toBe(true);
    expect(pair(0.55, 0.45 - EPS).contested).toBe(false);
    expect(pair(0.55, 0.45).summary).toContain('Contested');
  });
});
