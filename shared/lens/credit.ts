/**
 * Deduplication shared by the support-counting lenses: within one value, each
 * distinct signer is credited to exactly one assertion — its highest-confidence
 * one, the smallest id on a tie — and each distinct source (Consensus) to the
 * best claim of its first citers (the signers of the earliest claim citing
 * it), so a later copy cannot raise what the source is worth by asserting it
 * louder.
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

/** Lower log offset first, then smaller id. */
function earlier(a: LiveCandidate, b: LiveCandidate): boolean {
  return a.candidate.offset < b.candidate.offset || (a.candidate.offset === b.candidate.offset && Buffer.compare(a.id, b.id) < 0);
}

/**
 * For each source hash (hex) of the value, the claim it is credited through:
 * the best claim (highest confidence, then smaller id) citing it among those
 * signed by a signer of its earliest claim (lowest offset, then smaller id) —
 * the source's first citers. A source is worth what they said; a later
 * copier citing it, however confident, is not one of them.
 */
export function firstCitersBySource(group: ValueGroup): Map<string, LiveCandidate> {
  const first = new Map<string, LiveCandidate>();
  for (const c of group.candidates) {
    if (c.signers.length === 0) continue; // only Authority's fallback passes claims whose signers were all revoked
    const cur = first.get(c.sourceHex);
    if (cur === undefined || earlier(c, cur)) first.set(c.sourceHex, c);
  }
  const best = new Map<string, LiveCandidate>();
  for (const c of group.candidates) {
    const citers = first.get(c.sourceHex)?.signers ?? [];
    if (!c.signers.some((s) => citers.includes(s))) continue;
    const cur = best.get(c.sourceHex);
    if (cur === undefined || better(c, cur)) best.set(c.sourceHex, c);
  }
  return best;
}

/**
 * Authority's order of credits for one source: higher weight × confidence
 * first, then smaller signer key, then smaller claim id (a total order, so
 * input order never picks the credited supporter).
 */
export function compareCredit(
  a: { readonly signer: string; readonly claim: LiveCandidate; readonly value: number },
  b: { readonly signer: string; readonly claim: LiveCandidate; readonly value: number },
): number {
  if (a.value !== b.value) return b.value - a.value;
  if (a.signer !== b.signer) return a.signer < b.signer ? -1 : 1;
  return Buffer.compare(a.claim.id, b.claim.id);
}

/** The signers (hex, sorted) of `c` that are credited through `c`. */
export function creditedSigners(c: LiveCandidate, bySigner: ReadonlyMap<string, LiveCandidate>): string[] {
  return c.signers.filter((s) => bySigner.get(s) === c);
}

/** Highest score first, then smaller id: the "best first" order of a value's assertions. */
export function byScoreThenId<T extends { readonly score: number; readonly live: LiveCandidate }>(a: T, b: T): number {
  return b.score - a.score || Buffer.compare(a.live.id, b.live.id);
}
