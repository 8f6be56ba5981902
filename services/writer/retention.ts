/**
 * Retention in the writer: on a timer and after every rotation, apply the
 * rule (retention-rule.ts) to the registered consumers' cursors and delete the
 * whole segments it allows. The registry is made durable first, then the WAL
 * moves its MANIFEST (first segment, retention floor) before unlinking, so
 * recovery, `wal check`, WalReader and Tail see a floor, never damage.
 *
 * Span `writer.retention` (segments_deleted, bytes_deleted, bound,
 * first_offset, retention_floor, consumers, consumers_expired); counters
 * `stemedb.retention.segments_deleted` and `stemedb.retention.bytes_deleted`;
 * gauges `stemedb.wal.first_offset` and `stemedb.retention.consumers_expired`.
 */
import { metrics, type Counter, type ObservableResult } from '@opentelemetry/api';
import { METER_NAME } from '../../shared/telemetry/metrics';
import type { Logger } from '../../shared/telemetry/logger';
import { withSpanSync } from '../../shared/telemetry/tracing';
import { SEGMENT_HEADER_BYTES, type SegmentInfo } from '../../shared/wal';
import type { ConsumerRegistry } from './consumer-registry';
import { consumerState, retentionDecision, type ConsumerState, type RetentionPolicy } from './retention-rule';

/** The parts of the WAL retention uses (`Wal` itself in production). */
export interface RetentionLog {
  readonly headOffset: number;
  readonly firstOffset: number;
  readonly retentionFloor: number;
  deleteSegmentsBelow(offset: number): SegmentInfo[];
}

export interface RetentionPass {
  readonly segmentsDeleted: number;
  /** File bytes of the deleted segments (headers included). */
  readonly bytesDeleted: number;
  readonly bound: number | undefined;
  readonly firstOffset: number;
  readonly expired: readonly string[];
}

interface RetentionMetrics {
  readonly segments: Counter;
  readonly bytes: Counter;
}

let instruments: RetentionMetrics | undefined;

function retentionMetrics(): RetentionMetrics {
  instruments ??= {
    segments: metrics.getMeter(METER_NAME).createCounter('stemedb.retention.segments_deleted', { unit: '{segment}', description: 'WAL segments deleted by retention' }),
    bytes: metrics.getMeter(METER_NAME).createCounter('stemedb.retention.bytes_deleted', { unit: 'By', description: 'WAL file bytes deleted by retention' }),
  };
  return instruments;
}

export class Retention {
  private timer: NodeJS.Timeout | undefined;
  private scheduled: NodeJS.Immediate | undefined;
  private stopped = false;
  private expiredIds = new Set<string>();
  private readonly unobserve: () => void;
  /** What the writer itself has yet to read (set once the id index is open): retention stays below it. */
  heldBelow: (() => number) | undefined;

  constructor(
    private readonly log: RetentionLog,
    readonly registry: ConsumerRegistry,
    readonly policy: RetentionPolicy,
    private readonly logger: Logger,
  ) {
    const meter = metrics.getMeter(METER_NAME);
    const first = meter.createObservableGauge('stemedb.wal.first_offset', { unit: 'By', description: 'Lowest readable offset of the log' });
    const expired = meter.createObservableGauge('stemedb.retention.consumers_expired', { unit: '{consumer}', description: 'Registered consumers that no longer hold retention back' });
    const observeFirst = (r: ObservableResult): void => r.observe(this.log.firstOffset);
    const observeExpired = (r: ObservableResult): void => r.observe(this.consumers().filter((c) => c.expired).length);
    first.addCallback(observeFirst);
    expired.addCallback(observeExpired);
    this.unobserve = () => {
      first.removeCallback(observeFirst);
      expired.removeCallback(observeExpired);
    };
  }

  /** Every registered consumer with its lag and expiry, by id. */
  consumers(): ConsumerState[] {
    return this.registry.entries().map((c) => consumerState(this.policy, this.log, c));
  }

  /** Run every `intervalMs` (when retention is on); the timer never keeps the process alive. */
  start(intervalMs: number): void {
    if (!this.policy.enabled || this.timer !== undefined) return;
    this.timer = setInterval(() => this.runSafely(), intervalMs);
    this.timer.unref();
    this.schedule();
  }

  /** Run soon (once, however often asked before it runs): after a rotation. */
  schedule(): void {
    if (!this.policy.enabled || this.stopped || this.scheduled !== undefined) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      this.runSafely();
    });
  }

  private runSafely(): void {
    if (this.stopped) return;
    try {
      this.runOnce();
    } catch (err) {
      this.logger.error('retention failed; the log is kept as it is', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** One pass: make the cursors durable, decide, delete. */
  runOnce(): RetentionPass {
    return withSpanSync('writer.retention', { head_offset: this.log.headOffset, consumers: this.registry.size }, (span) => {
      this.registry.persist();
      const decision = retentionDecision(this.policy, this.log, this.registry.entries(), this.heldBelow?.());
      const expired = decision.consumers.filter((c) => c.expired);
      this.noteExpiries(expired);
      let deleted: SegmentInfo[] = [];
      if (decision.bound !== undefined && !this.stopped) deleted = this.log.deleteSegmentsBelow(decision.bound);
      const bytesDeleted = deleted.reduce((n, s) => n + SEGMENT_HEADER_BYTES + s.endOffset - s.baseOffset, 0);
      if (deleted.length > 0) {
        retentionMetrics().segments.add(deleted.length);
        retentionMetrics().bytes.add(bytesDeleted);
      }
      const pass = { segmentsDeleted: deleted.length, bytesDeleted, bound: decision.bound, firstOffset: this.log.firstOffset, expired: expired.map((c) => c.consumerId) };
      span.setAttributes({
        segments_deleted: pass.segmentsDeleted,
        bytes_deleted: bytesDeleted,
        bound: decision.bound ?? -1,
        first_offset: pass.firstOffset,
        retention_floor: this.log.retentionFloor,
        consumers_expired: expired.length,
      });
      return pass;
    });
  }

  /** Log each consumer once when it expires and once when it holds retention again. */
  private noteExpiries(expired: readonly ConsumerState[]): void {
    const now = new Set(expired.map((c) => c.consumerId));
    for (const c of expired) {
      if (!this.expiredIds.has(c.consumerId)) {
        this.logger.warn('consumer expired: it no longer holds retention back and must bootstrap once its offset is deleted', { consumer_id: c.consumerId, applied_offset: c.appliedOffset, lag_bytes: c.lagBytes, lag_bytes_max: this.policy.lagBytesMax });
      }
    }
    for (const id of this.expiredIds) if (!now.has(id) && this.registry.get(id) !== undefined) this.logger.info('consumer caught up: it holds retention again', { consumer_id: id });
    this.expiredIds = now;
  }

  /** Stop the timer and any scheduled pass; write the cursors one last time. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.timer = undefined;
    this.scheduled = undefined;
    this.unobserve();
    this.registry.persist();
  }
}
