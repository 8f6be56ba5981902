/**
 * The retention rule (docs/OPERATIONS.md, "Retention"), pure: given the log's
 * head and first offset and the consumers' cursors, the offset below which
 * whole segments may be deleted, and which consumers are expired.
 *
 *   expired(c) = c.applied < first  or  head − c.applied > lagBytesMax
 *   bound      = min(head − keepBytes, min over non-expired c of c.applied, held)
 *
 * `held` is what the writer itself still has to read (its id index's covered
 * offset): it never expires.
 *
 * The WAL then deletes every segment whose end offset is <= bound, never the
 * active one (`Wal.deleteSegmentsBelow`). With no consumer registered only the
 * keep bound applies. Retention off: nothing is deleted and no consumer is
 * expired unless its cursor is already below the first offset.
 */
import type { ConsumerEntry } from './consumer-file';

export interface RetentionPolicy {
  /** Off: the log is never trimmed. */
  readonly enabled: boolean;
  /** Bytes behind the head that are always kept. */
  readonly keepBytes: number;
  /** A consumer further behind the head than this stops holding retention back. */
  readonly lagBytesMax: number;
}

export interface ConsumerState extends ConsumerEntry {
  readonly lagBytes: number;
  readonly expired: boolean;
}

export interface RetentionDecision {
  /** Delete whole segments ending at or below this offset; undefined: delete nothing. */
  readonly bound: number | undefined;
  readonly consumers: readonly ConsumerState[];
}

export function consumerState(policy: RetentionPolicy, log: { headOffset: number; firstOffset: number }, c: ConsumerEntry): ConsumerState {
  const lagBytes = Math.max(0, log.headOffset - c.appliedOffset);
  const expired = c.appliedOffset < log.firstOffset || (policy.enabled && lagBytes > policy.lagBytesMax);
  return { ...c, lagBytes, expired };
}

export function retentionDecision(policy: RetentionPolicy, log: { headOffset: number; firstOffset: number }, cursors: readonly ConsumerEntry[], held?: number): RetentionDecision {
  const consumers = cursors.map((c) => consumerState(policy, log, c));
  if (!policy.enabled) return { bound: undefined, consumers };
  let bound = Math.min(log.headOffset - policy.keepBytes, held ?? Number.MAX_SAFE_INTEGER);
  for (const c of consumers) if (!c.expired && c.appliedOffset < bound) bound = c.appliedOffset;
  return { bound: bound > log.firstOffset ? bound : undefined, consumers };
}
