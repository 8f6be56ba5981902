/**
 * Escalations, as the lenses define them: when a new resolution of a pair is an
 * escalation, and the top two alternatives an escalation carries. Pure: the
 * stored forms are shared/graph's.
 */
import type { ObjectValue } from '../domain/types';
import type { Resolution } from './types';

/** The resolution without per-candidate explanations: what Resolve (not Explain) returns. */
export function stripExplanations(r: Resolution): Resolution {
  return { ...r, explanations: [] };
}

/**
 * A pair escalates when its new resolution is contested and the previous one
 * (null when there was none) was not. Staying contested is not a new
 * escalation; becoming uncontested and contested again is.
 */
export function isEscalation(before: Resolution | null, after: Resolution): boolean {
  return after.contested && !(before?.contested ?? false);
}

/** The top two alternatives of a contested resolution, as an Escalation record carries them. */
export interface EscalationFacts {
  readonly subject: string;
  readonly predicate: string;
  readonly top: ObjectValue;
  readonly topShare: number;
  readonly runnerUp: ObjectValue;
  readonly runnerUpShare: number;
}

/** The escalation facts of `r` (a resolution or a decision: decision.ts), or null when it is not contested. */
export function escalationOf(r: Pick<Resolution, 'subject' | 'predicate' | 'contested' | 'alternatives'>): EscalationFacts | null {
  const [top, runnerUp] = r.alternatives;
  if (!r.contested || top === undefined || runnerUp === undefined) return null;
  return {
    subject: r.subject,
    predicate: r.predicate,
    top: top.object,
    topShare: top.share,
    runnerUp: runnerUp.object,
    runnerUpShare: runnerUp.share,
  };
}
