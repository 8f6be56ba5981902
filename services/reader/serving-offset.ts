/**
 * The offset an answer is served at. A "now" query is answered as of the
 * applied offset captured once, after any wait, so that a batch committing
 * while the answer is assembled can never leak into it: every store read of
 * the answer is bounded by that offset (GraphReader asOf), and the answer is
 * exactly what `as_of_offset = served_at_offset` returns later.
 */
import type { ReaderCore } from './core';
import { OffsetWaitError } from './errors';
import { OFFSET_WAIT_HEAD_DEADLINE_MS, OFFSET_WAIT_REPLY_MARGIN_MS } from './limits';
import { requiredOffset, type ReadQuery } from './query';

/**
 * How long a wait may last: the reader's bound, and short of the call's
 * deadline by the reply margin (a tenth of the time left for short deadlines).
 */
export function offsetWaitMs(waitMsMax: number, deadlineMs: number, nowMs: number): number {
  if (deadlineMs === Infinity) return waitMsMax;
  const leftMs = deadlineMs - nowMs;
  return Math.max(0, Math.min(waitMsMax, leftMs - Math.min(OFFSET_WAIT_REPLY_MARGIN_MS, leftMs / 10)));
}

/** The log head as the source says it now, or undefined (bounded: this only words an error). */
async function headOrUndefined(core: ReaderCore): Promise<number | undefined> {
  try {
    return await core.source.head(AbortSignal.timeout(OFFSET_WAIT_HEAD_DEADLINE_MS));
  } catch {
    return undefined;
  }
}

/**
 * Wait (event-driven, within the call's signal and the reader's bound) until
 * ingest can answer `q`, then return the offset to serve it at: its
 * `asOfOffset`, or the applied offset now. `fieldPrefix` is how the request
 * nests the offsets ('options.' or ''). A wait that gives up does so before
 * `deadlineMs`, with an OffsetWaitError naming the offset and the log head.
 */
export async function servingOffset(core: ReaderCore, q: Pick<ReadQuery, 'minOffset' | 'asOfOffset'>, fieldPrefix: string, signal: AbortSignal, deadlineMs = Infinity): Promise<number> {
  const target = requiredOffset(q);
  if (target > core.ingest.appliedOffset) {
    const byAsOf = q.asOfOffset !== undefined && q.asOfOffset >= target;
    const field = `${fieldPrefix}${byAsOf ? 'as_of_offset' : 'min_offset'}`;
    try {
      await core.waiters.waitFor(target, field, signal, offsetWaitMs(core.offsetWaitMsMax, deadlineMs, Date.now()));
    } catch (err) {
      if (!(err instanceof OffsetWaitError)) throw err;
      const requested = byAsOf ? q.asOfOffset! : q.minOffset!;
      throw new OffsetWaitError(field, target, core.ingest.appliedOffset, err.waitedMs, requested, await headOrUndefined(core));
    }
  }
  return q.asOfOffset ?? core.ingest.appliedOffset;
}
