/**
 * Supersession belongs to authors. An assertion C with `parent_hash = P`
 * withdraws the support of exactly those agents that signed both P and C,
 * each from the offset where the later of its two signatures arrived. P stops
 * counting for each agent that withdrew, and is superseded once every signer
 * of P has withdrawn. A co-signature of P gives nobody the right to withdraw
 * anyone but itself.
 *
 * These functions read and extend the withdrawal list of a stored assertion
 * (stored-record.ts); everything is as of an offset, so time travel sees each
 * withdrawal exactly from its offset on.
 */
import { signersOf, type StoredRecord, type Withdrawal } from './stored-record';

/** The withdrawals that hold before `asOfOffset` (all when undefined), in (offset, agent) order. */
export function withdrawalsOf(s: StoredRecord, asOfOffset?: number): Withdrawal[] {
  const all = s.withdrawals ?? [];
  return asOfOffset === undefined ? [...all] : all.filter((w) => w.offset < asOfOffset);
}

/**
 * The offset from which every signer (as of `asOfOffset`) has withdrawn, or
 * null while one of them still supports the record. A record stored without a
 * withdrawal list keeps the `supersededAtOffset` it was stored with.
 */
export function fullySupersededAt(s: StoredRecord, asOfOffset?: number): number | null {
  if (s.withdrawals === undefined || s.withdrawals.length === 0) {
    const at = s.supersededAtOffset;
    return at === null || (asOfOffset !== undefined && at >= asOfOffset) ? null : at;
  }
  const withdrawnAt = new Map<string, number>();
  for (const w of withdrawalsOf(s, asOfOffset)) withdrawnAt.set(w.agent.toString('hex'), w.offset);
  let at = -1;
  for (const signer of signersOf(s, asOfOffset)) {
    const w = withdrawnAt.get(signer.publicKey.toString('hex'));
    if (w === undefined) return null;
    at = Math.max(at, w);
  }
  return at < 0 ? null : at;
}

/**
 * The stored record with `w` added and `supersededAtOffset` re-derived, or
 * null when `w.agent` already withdrew: earlier, or at the same offset through
 * a child with a smaller id (so the list never depends on the order children
 * are found in). The caller has checked that the agent signed both records.
 */
export function withWithdrawal<R extends StoredRecord>(s: R, w: Withdrawal): R | null {
  const list = s.withdrawals ?? [];
  const current = list.find((x) => x.agent.equals(w.agent));
  if (current !== undefined && (current.offset < w.offset || (current.offset === w.offset && Buffer.compare(current.childId, w.childId) <= 0))) return null;
  const withdrawals = [...list.filter((x) => x !== current), w].sort((a, b) => a.offset - b.offset || Buffer.compare(a.agent, b.agent));
  const next = { ...s, withdrawals };
  return { ...next, supersededAtOffset: fullySupersededAt(next) };
}

/** `s` with `supersededAtOffset` re-derived after its signer set changed (a new co-signer has not withdrawn). */
export function withSupersessionRederived<R extends StoredRecord>(s: R): R {
  if (s.withdrawals === undefined || s.withdrawals.length === 0) return s;
  return { ...s, supersededAtOffset: fullySupersededAt(s) };
}
