/**
 * The one-paragraph account of a resolution: what was considered, what was
 * excluded, what won by how much, and whether it is contested.
 */
import { fmt, plural, shortHex } from './format';
import { formatObject } from './object-value';
import { CONTEST_MARGIN } from './params';
import type { Alternative, LensName, Outcome } from './types';

/** How many candidates the lens saw and why it skipped some: all the summary needs of them. */
export interface ConsideredCounts {
  /** Candidates before `asOfOffset` (live and excluded). */
  readonly visible: number;
  readonly superseded: number;
  readonly otherEpoch: number;
}

export interface SummaryInput {
  readonly lens: LensName;
  readonly subject: string;
  readonly predicate: string;
  readonly outcome: Outcome;
  readonly winnerId: Buffer | null;
  readonly contested: boolean;
  readonly alternatives: readonly Alternative[];
  readonly considered: ConsideredCounts;
  readonly minShare: number | undefined;
  readonly method: string;
}

const LENS_TITLE: Readonly<Record<LensName, string>> = {
  consensus: 'Consensus',
  recency: 'Recency',
  authority: 'Authority',
  threshold: 'Threshold',
};

export function describeResolution(r: SummaryInput): string {
  const parts = [
    `${LENS_TITLE[r.lens]} lens on ${JSON.stringify(r.subject)} / ${JSON.stringify(r.predicate)}: ${considered(r.considered)}.`,
    r.method,
    `${outcomeSentence(r)}`,
  ];
  const runnerUp = r.alternatives[1];
  if (runnerUp !== undefined) {
    parts.push(
      `Runner-up ${formatObject(runnerUp.object)} with score ${fmt(runnerUp.score)} (share ${fmt(runnerUp.share)})` +
        `${r.alternatives.length > 2 ? `, of ${r.alternatives.length} values in all` : ''}.`,
    );
  }
  if (r.contested) parts.push(`Contested: the top two shares are within ${CONTEST_MARGIN}.`);
  return parts.join(' ');
}

function considered(p: ConsideredCounts): string {
  const { superseded, otherEpoch } = p;
  const skipped: string[] = [];
  if (superseded > 0) skipped.push(`${superseded} superseded`);
  if (otherEpoch > 0) skipped.push(`${otherEpoch} of another epoch`);
  return `${plural(p.visible, 'candidate')}${skipped.length > 0 ? `, skipped ${skipped.join(' and ')}` : ''}`;
}

function outcomeSentence(r: SummaryInput): string {
  const top = r.alternatives[0];
  if (r.outcome === 'no_candidates' || top === undefined) return 'No live candidate, so nothing to resolve.';
  if (r.outcome === 'resolved') {
    return (
      `Resolved to ${formatObject(top.object)} with score ${fmt(top.score)} (share ${fmt(top.share)}), ` +
      `best claim ${shortHex((r.winnerId ?? Buffer.alloc(0)).toString('hex'))}.`
    );
  }
  if (top.score <= 0) return 'Unresolved: no value has any support.';
  return (
    `Unresolved: the top value ${formatObject(top.object)} has share ${fmt(top.share)}, ` +
    `below the minimum ${fmt(r.minShare ?? 0)}.`
  );
}
