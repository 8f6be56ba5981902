/**
 * Read-your-writes without polling: a query that needs ingest to have applied
 * the log through some offset parks here, and the Ingestor's `onBatch` hook
 * (`notify`) wakes exactly the waiters its batch satisfied. A wait ends with
 * the call's signal (deadline, cancellation), the reader's own bound
 * (OffsetWaitError), or shutdown (UnavailableError).
 */
import { SizeLimitError, UnavailableError } from '../../shared/grpc/errors';
import { OffsetWaitError } from './errors';
import { OFFSET_WAITERS_MAX } from './limits';

interface Waiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export class OffsetWaiters {
  private readonly waiters = new Set<Waiter>();
  private closedReason: UnavailableError | undefined;

  constructor(
    /** The ingestor's applied offset now. */
    private readonly applied: () => number,
    private readonly waitersMax = OFFSET_WAITERS_MAX,
  ) {}

  /** Parked waits (for tests and Status). */
  get size(): number {
    return this.waiters.size;
  }

  /**
   * Resolves once the applied offset is >= `target`; rejects with
   * `signal.reason` when the signal aborts first, or with an OffsetWaitError
   * naming `field` after `waitMsMax` (never when undefined).
   */
  waitFor(target: number, field: string, signal: AbortSignal, waitMsMax: number | undefined): Promise<void> {
    if (this.applied() >= target) return Promise.resolve();
    if (this.closedReason !== undefined) return Promise.reject(this.closedReason);
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.waiters.size >= this.waitersMax) return Promise.reject(new SizeLimitError(field, this.waiters.size + 1, this.waitersMax, 'queries waiting for ingest'));
    const startedMs = Date.now();
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.waiters.delete(waiter);
      };
      const waiter: Waiter = {
        target,
        resolve: () => {
          done();
          resolve();
        },
        reject: (err) => {
          done();
          reject(err);
        },
      };
      const onAbort = (): void => waiter.reject(signal.reason);
      const timer = waitMsMax === undefined ? undefined : setTimeout(() => waiter.reject(new OffsetWaitError(field, target, this.applied(), Date.now() - startedMs)), waitMsMax);
      timer?.unref();
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** Ingest committed a batch: wake every waiter it satisfied. */
  notify(): void {
    const applied = this.applied();
    for (const w of [...this.waiters]) if (applied >= w.target) w.resolve();
  }

  /** Shutdown: fail every parked wait and every later one with UNAVAILABLE. */
  close(reason = 'the reader is shutting down'): void {
    this.closedReason = new UnavailableError(reason);
    for (const w of [...this.waiters]) w.reject(this.closedReason);
  }
}
