/**
 * The offset an answer is served at. A "now" query is answered as of the
 * applied offset captured once, after any wait, so that a batch committing
 * while the answer is assembled can never leak into it: every store read of
 * the answer is bounded by that offset (GraphReader asOf), and the answer is
 * exactly what `as_of_offset = served_at_offset` returns later.
 */
import type { ReaderCore } from './core';
import { requiredOffset, type ReadQuery } from './query';

/**
 * Wait (event-driven, within the call's signal and the reader's bound) until
 * ingest can answer `q`, then return the offset to serve it at: its
 * `asOfOffset`, or the applied offset now. `fieldPrefix` is how the request
 * nests the offsets ('options.' or '').
 */
export async function servingOffset(core: ReaderCore, q: Pick<ReadQuery, 'minOffset' | 'asOfOffset'>, fieldPrefix: string, signal: AbortSignal): Promise<number> {
  const target = requiredOffset(q);
  if (target > core.ingest.appliedOffset) {
    const byAsOf = q.asOfOffset !== undefined && q.asOfOffset >= target;
    await core.waiters.waitFor(target, `${fieldPrefix}${byAsOf ? 'as_of_offset' : 'min_offset'}`, signal, core.offsetWaitMsMax);
  }
  return q.asOfOffset ?? core.ingest.appliedOffset;
}
