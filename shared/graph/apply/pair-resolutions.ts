/**
 * The materialized lens over one batch: each touched pair is fully resolved
 * once per batch (its MV, written at the end), while the escalation rule —
 * a pair escalates at the offset of the record that made it contested — is
 * checked after every record that touched it, as per-record application
 * would.
 *
 * The check is incremental: a pair whose candidates all claim one value has
 * at most one alternative, so it cannot be contested (shared/lens contest.ts)
 * and needs no resolution; only a pair with two or more values is resolved
 * right away, and that resolution is kept for its MV when no later record of
 * the batch touches the pair again. Escalations and MV are therefore exactly
 * those of resolving after every record, whatever the batch boundaries
 * (`test/ingest/pair-resolutions.test.ts` compares the two on random logs).
 */
import { compareObjects, decideConsensus, type ResolutionDecision } from '../../lens/index';
import type { Candidate } from '../../lens/types';
import { materializedCounts } from '../stored-resolution';
import { writeOps } from '../write-ops';
import type { BatchState } from './batch-state';
import type { PairModel } from './pair-model';

interface PairProgress {
  /** The pair's candidates after the last record that touched it (an immutable snapshot). */
  candidates: readonly Candidate[];
  /** Their decision, when the contested check needed one. */
  resolution: ResolutionDecision | undefined;
}

/** True when no resolution of `candidates` can have two alternatives: at most one distinct value is claimed. */
export function singleValued(candidates: readonly Candidate[]): boolean {
  if (candidates.length < 2) return true;
  // Equal under compareObjects is the lens's grouping (equal objectKey), without a key string per candidate.
  const first = candidates[0]!.assertion.object;
  for (let i = 1; i < candidates.length; i++) {
    if (compareObjects(candidates[i]!.assertion.object, first) !== 0) return false;
  }
  return true;
}

/**
 * A pair's decision under the materialized lens (Consensus, default context):
 * what the MV stores and the escalation check reads — the outcome, contested
 * flag and alternatives of the full resolution, without its explanations or
 * summary (a read rebuilds the summary).
 */
export function materializedResolution(pair: PairModel, candidates: readonly Candidate[]): ResolutionDecision {
  return decideConsensus(pair.subject, pair.predicate, candidates);
}

export class PairResolutions {
  private readonly progress = new Map<PairModel, PairProgress>();
  /** Full resolutions run in this batch (for tests and the ingest span). */
  resolutions = 0;

  /**
   * After the record at `offset`, which touched `pairs`: records an
   * escalation for each pair it made contested, and updates the pairs' flags.
   */
  afterRecord(state: BatchState, pairs: Iterable<PairModel>, offset: number): void {
    for (const pair of pairs) {
      const candidates = pair.lensCandidates();
      let resolution: ResolutionDecision | undefined;
      let contested = false;
      if (!singleValued(candidates)) {
        resolution = this.resolveNow(pair, candidates);
        contested = resolution.contested;
      }
      if (contested && !pair.contested) state.writeAll(writeOps.escalation(resolution!, offset));
      pair.contested = contested;
      const kept = this.progress.get(pair);
      if (kept === undefined) this.progress.set(pair, { candidates, resolution });
      else {
        kept.candidates = candidates;
        kept.resolution = resolution;
      }
    }
  }

  /** Writes the MV of every pair touched in the batch: one resolution each, reused when the check already made it. */
  finish(state: BatchState): void {
    for (const [pair, { candidates, resolution }] of this.progress) {
      state.write(writeOps.materialized(resolution ?? this.resolveNow(pair, candidates), materializedCounts(candidates)));
    }
  }

  private resolveNow(pair: PairModel, candidates: readonly Candidate[]): ResolutionDecision {
    this.resolutions++;
    return materializedResolution(pair, candidates);
  }
}
