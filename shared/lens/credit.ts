/**
 * Deduplication shared by the support-counting lenses: within one value, each
 * distinct signer (and, for Consensus, each distinct source) is credited to
 * exactly one assertion — its highest-confidence one, the smallest id on a tie.
 */
import type { LiveCandidate, ValueGroup } from './candidates';

/** Higher confidence first, then smaller id. */
function better(a: LiveCandidate, b: LiveCandidate): boolean {
  return a.confidence > b.confidence || (a.confidence === b.confidence && Buffer.compare(a.id, b.id) < 0);
}

/** For each signer (hex) of the value, the assertion it is credited through. */
export function bestBySigner(group: ValueGroup): Map<string, LiveCandidate> {
  const best = new Map<string, LiveCandidate>();
  for (const c of group.candidates) {
    for (const s of c.signers) {
      const cur = best.get(s);
      if (cur === undefined || better(c, cur)) best.set(s, c);
    }
  }
  return best;
}

/** For each source hash (hex) of the value, the assertion it is credited through. */
export function bestBySource(group: ValueGroup): Map<string, LiveCandidate> {
  const best = new Map<string, LiveCandidate>();
  for (const c of group.candidates) {
    const cur = best.get(c.sourceHex);
    if (cur === undefined || better(c, cur)) best.set(c.sourceHex, c);
  }
  return best;
}

/** The signers (hex, sorted) of `c` that are credited through `c`. */
export function creditedSigners(c: LiveCandidate, bySigner: ReadonlyMap<string, LiveCandidate>): string[] {
  return c.signers.filter((s) => bySigner.get(s) === c);
}

/** Highest score first, then smaller id: the "best first" order of a value's assertions. */
export function byScoreThenId<T extends { readonly score: number; readonly live: LiveCandidate }>(a: T, b: T): number {
  return b.score - a.score || Buffer.compare(a.live.id, b.live.id);
}
