/**
 * Per-agent append quotas: a token bucket per agent (every signer of a new
 * record is charged one record; a replay charges no one), refilled continuously at `recordsPerSec` up to `burstRecords`.
 * A rate of 0 turns quotas off. The bucket map is bounded: past
 * QUOTA_AGENTS_TRACKED_MAX the least recently seen agent is forgotten (its
 * next request starts with a full bucket), so a flood of fresh keys cannot
 * grow memory.
 */
import { QuotaExceededError } from '../../shared/grpc/errors';
import type { QuotaConfig } from './config';
import { QUOTA_AGENTS_TRACKED_MAX } from './limits';

interface Bucket {
  tokens: number;
  refilledAtMs: number;
}

/** The quota name clients see in RESOURCE_EXHAUSTED errors. */
export const QUOTA_NAME = 'records_per_second';

export class AgentQuota {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly config: QuotaConfig,
    private readonly now: () => number = Date.now,
    private readonly agentsMax: number = QUOTA_AGENTS_TRACKED_MAX,
  ) {}

  get enabled(): boolean {
    return this.config.recordsPerSec > 0;
  }

  /** Agents with a bucket right now (for tests and metrics). */
  get trackedAgents(): number {
    return this.buckets.size;
  }

  /**
   * Take `costs` (records per agent, keyed by raw public key) all at once, or
   * none: throws QuotaExceededError for the first agent that lacks tokens.
   */
  take(costs: ReadonlyMap<string, number>): void {
    if (!this.enabled) return;
    const nowMs = this.now();
    const refilled: Array<[string, Bucket, number]> = [];
    for (const [agent, cost] of costs) {
      const bucket = this.refill(agent, nowMs);
      if (bucket.tokens < cost) {
        const retryAfterMs = cost > this.config.burstRecords ? undefined : ((cost - bucket.tokens) * 1000) / this.config.recordsPerSec;
        throw new QuotaExceededError(Buffer.from(agent, 'latin1').toString('hex'), QUOTA_NAME, this.config.recordsPerSec, retryAfterMs);
      }
      refilled.push([agent, bucket, cost]);
    }
    for (const [, bucket, cost] of refilled) bucket.tokens -= cost;
  }

  /** Take one record's worth for `agent`. */
  takeOne(agent: Buffer): void {
    if (this.enabled) this.take(new Map([[agent.toString('latin1'), 1]]));
  }

  private refill(agent: string, nowMs: number): Bucket {
    let bucket = this.buckets.get(agent);
    if (bucket === undefined) {
      bucket = { tokens: this.config.burstRecords, refilledAtMs: nowMs };
      if (this.buckets.size >= this.agentsMax) this.buckets.delete(this.buckets.keys().next().value!);
    } else {
      // Map order is recency order: move this agent to the end.
      this.buckets.delete(agent);
      const elapsedMs = Math.max(0, nowMs - bucket.refilledAtMs);
      bucket.tokens = Math.min(this.config.burstRecords, bucket.tokens + (elapsedMs * this.config.recordsPerSec) / 1000);
      bucket.refilledAtMs = nowMs;
    }
    this.buckets.set(agent, bucket);
    return bucket;
  }
}

