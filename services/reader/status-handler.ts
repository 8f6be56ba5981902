/** Status: where ingest is, where the log's head and first offset are, what the reader tails and its consumer registration. */
import type { StatusRequest, StatusResponse } from '../../shared/gen/stemedb/v1/reader';
import type { UnaryFn } from '../../shared/grpc/handlers';
import type { ReaderCore } from './core';
import { STATUS_HEAD_DEADLINE_MS } from './limits';

/** The log's head as last learned from the source (for Status and the ingest-lag gauge). */
export class HeadTracker {
  private last: number | undefined;

  constructor(private readonly core: Pick<ReaderCore, 'source' | 'logger'>) {}

  /** The last head learned, or undefined. */
  get known(): number | undefined {
    return this.last;
  }

  /** Ask the source (bounded by STATUS_HEAD_DEADLINE_MS); undefined when it cannot say. */
  async refresh(signal?: AbortSignal): Promise<number | undefined> {
    const timeout = AbortSignal.timeout(STATUS_HEAD_DEADLINE_MS);
    try {
      this.last = await this.core.source.head(signal === undefined ? timeout : AbortSignal.any([signal, timeout]));
      return this.last;
    } catch (err) {
      this.core.logger.debug('log head unknown', { source: this.core.source.describe(), error: err instanceof Error ? err.message : String(err) });
      return undefined;
    }
  }
}

/** Lag in bytes, 0 when the head is unknown (or behind, e.g. a restarted writer). */
export function lagBytes(head: number | undefined, applied: number): number {
  return head === undefined ? 0 : Math.max(0, head - applied);
}

export function statusHandler(core: ReaderCore, heads: HeadTracker): UnaryFn<StatusRequest, StatusResponse> {
  return async (_request, ctx) => {
    const head = await heads.refresh(ctx.signal);
    const applied = core.ingest.appliedOffset;
    const counters = core.ingest.counters;
    const registration = core.source.registration?.();
    return {
      appliedOffset: BigInt(applied),
      writerHeadOffset: BigInt(head ?? -1),
      lagBytes: BigInt(lagBytes(head, applied)),
      recordsApplied: BigInt(counters.applied),
      recordsRejected: BigInt(counters.rejected),
      source: core.source.describe(),
      writerFirstOffset: BigInt(registration?.writerFirstOffset ?? -1),
      consumer:
        registration === undefined
          ? undefined
          : { consumerId: registration.consumerId, reportedOffset: BigInt(registration.reportedOffset), reportedAtMs: BigInt(registration.reportedAtMs), expired: registration.expired },
    };
  };
}
