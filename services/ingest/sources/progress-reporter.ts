/**
 * A reader's registration as a consumer of the writer: it reports the offset
 * the reader has applied the log through with WriterService.ReportProgress,
 * once before every Tail connection (which registers a new consumer) and then
 * every PROGRESS_REPORT_INTERVAL_MS while the applied offset moves. The
 * writer's retention never deletes a segment above that cursor unless the
 * consumer lags past the writer's bound (docs/OPERATIONS.md, "Retention").
 *
 * A transient failure (writer restarting, deadline) is retried at the next
 * report. INVALID_ARGUMENT (a bad consumer id) and PERMISSION_DENIED are
 * configuration mistakes and fail the source; RESOURCE_EXHAUSTED (the writer
 * registers no more consumers) is logged and retried; UNIMPLEMENTED (a writer
 * without retention support) turns reporting off.
 */
import * as grpc from '@grpc/grpc-js';
import type { ReportProgressResponse, WriterServiceClient } from '../../../shared/gen/stemedb/v1/writer';
import { callUnary } from '../../../shared/grpc/client';
import type { Logger } from '../../../shared/telemetry/logger';
import { PROGRESS_REPORT_DEADLINE_MS, PROGRESS_REPORT_INTERVAL_MS } from '../limits';
import type { SourceRegistration } from '../wal-source';

/** The consumer's registration was refused for a reason retrying cannot fix. */
export class ConsumerRegistrationError extends Error {
  override readonly name = 'ConsumerRegistrationError';
  constructor(
    readonly address: string,
    readonly consumerId: string,
    readonly reason: string,
  ) {
    super(`writer ${address} refused consumer '${consumerId}': ${reason}`);
  }
}

const FATAL: ReadonlySet<grpc.status> = new Set([grpc.status.INVALID_ARGUMENT, grpc.status.PERMISSION_DENIED, grpc.status.UNAUTHENTICATED]);

export class ProgressReporter {
  private applied: number | undefined;
  private acknowledged: { offset: number; atMs: number; expired: boolean } | undefined;
  private firstOffset: number | undefined;
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private disabled = false;
  /** A fatal refusal, thrown by the next `register`. */
  private refused: ConsumerRegistrationError | undefined;

  constructor(
    private readonly client: () => WriterServiceClient,
    private readonly address: string,
    readonly consumerId: string,
    private readonly logger: Logger,
    private readonly intervalMs: number = PROGRESS_REPORT_INTERVAL_MS,
  ) {}

  /** Before a Tail connection: report the applied offset (registers the consumer); throws only when refused for good. */
  async register(): Promise<void> {
    await this.send();
    if (this.refused !== undefined) throw this.refused;
    if (this.timer === undefined && !this.disabled) {
      this.timer = setInterval(() => void this.tick(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** The consumer has applied every record below `offset` (reported at the next tick). */
  committed(offset: number): void {
    this.applied = offset;
  }

  /** What the writer last acknowledged, for Status. */
  registration(): SourceRegistration {
    return {
      consumerId: this.consumerId,
      reportedOffset: this.acknowledged?.offset ?? -1,
      reportedAtMs: this.acknowledged?.atMs ?? 0,
      expired: this.acknowledged?.expired ?? false,
      ...(this.firstOffset === undefined ? {} : { writerFirstOffset: this.firstOffset }),
    };
  }

  /** The writer's first offset as last learned from a report. */
  get writerFirstOffset(): number | undefined {
    return this.firstOffset;
  }

  private async tick(): Promise<void> {
    if (this.applied === undefined || this.applied === this.acknowledged?.offset) return;
    await this.send();
  }

  private send(): Promise<void> {
    if (this.disabled || this.applied === undefined) return Promise.resolve();
    this.inFlight ??= this.call(this.applied).finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async call(offset: number): Promise<void> {
    const client = this.client();
    try {
      const res: ReportProgressResponse = await callUnary(client.reportProgress.bind(client), { consumerId: this.consumerId, appliedOffset: BigInt(offset) }, { deadlineMs: PROGRESS_REPORT_DEADLINE_MS });
      const expired = res.cursor?.expired ?? false;
      if (expired && this.acknowledged?.expired !== true) this.logger.warn('the writer reports this consumer expired: retention no longer waits for it', { writer: this.address, consumer_id: this.consumerId, applied_offset: offset, first_offset: Number(res.firstOffset) });
      this.acknowledged = { offset, atMs: Date.now(), expired };
      this.firstOffset = Number(res.firstOffset);
    } catch (err) {
      const e = err as Partial<grpc.ServiceError>;
      if (e.code === grpc.status.UNIMPLEMENTED) {
        this.disabled = true;
        this.stop();
        this.logger.warn('the writer does not take progress reports; this reader holds no retention', { writer: this.address, consumer_id: this.consumerId });
      } else if (typeof e.code === 'number' && FATAL.has(e.code)) {
        this.refused = new ConsumerRegistrationError(this.address, this.consumerId, e.details ?? e.message ?? String(err));
        this.stop();
      } else {
        this.logger.debug('progress report failed; retrying at the next report', { writer: this.address, consumer_id: this.consumerId, applied_offset: offset, error: e.message ?? String(err) });
        if (e.code === grpc.status.RESOURCE_EXHAUSTED) this.logger.error('the writer refused to register this consumer (too many consumers); it holds no retention', { writer: this.address, consumer_id: this.consumerId, error: e.details ?? e.message });
      }
    }
  }

  /** Stop reporting (the source closes); an in-flight report finishes on its own. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
