/**
 * The contested rule, the same for every lens: the top two alternatives both
 * have a non-zero share and their shares differ by at most CONTEST_MARGIN
 * (plus CONTEST_TOLERANCE, so that shares like 0.55 and 0.45, whose
 * floating-point difference is 0.10000000000000003, count as 0.1 apart).
 */
import { CONTEST_MARGIN, CONTEST_TOLERANCE } from './params';

/** `alternatives` best first, as in a Resolution. */
export function isContested(alternatives: readonly { readonly share: number }[]): boolean {
  if (alternatives.length < 2) return false;
  const top = alternatives[0].share;
  const runnerUp = alternatives[1].share;
  return top > 0 && runnerUp > 0 && top - runnerUp <= CONTEST_MARGIN + CONTEST_TOLERANCE;
}
