/**
 * The contested rule, the same for every lens: the top two alternatives both
 * have a non-zero share and their shares differ by at most CONTEST_MARGIN.
 */
import { CONTEST_MARGIN } from './params';

/** `alternatives` best first, as in a Resolution. */
export function isContested(alternatives: readonly { readonly share: number }[]): boolean {
  if (alternatives.length < 2) return false;
  const top = alternatives[0].share;
  const runnerUp = alternatives[1].share;
  return top > 0 && runnerUp > 0 && top - runnerUp <= CONTEST_MARGIN;
}
