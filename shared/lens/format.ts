/** Deterministic number and id formatting for summaries and score details. */
import { DISPLAY_DECIMALS, DISPLAY_ID_HEX_CHARS } from './params';

/** A score, share or weight with DISPLAY_DECIMALS digits. */
export function fmt(x: number): string {
  return x.toFixed(DISPLAY_DECIMALS);
}

/** A signed number, e.g. `+1.000`, `-0.500`. */
export function fmtSigned(x: number): string {
  return (x >= 0 ? '+' : '') + fmt(x);
}

/** The first DISPLAY_ID_HEX_CHARS hex characters of an id or key, then `…`. */
export function shortHex(hex: string): string {
  return hex.length <= DISPLAY_ID_HEX_CHARS ? hex : `${hex.slice(0, DISPLAY_ID_HEX_CHARS)}…`;
}

/** `1 agent`, `2 agents`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
