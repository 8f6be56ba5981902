/**
 * The writer-wide bound on records in flight (RECORDS_IN_FLIGHT_MAX): every
 * append takes its records here before admission and gives them back once it
 * is acknowledged or has failed. A call that does not fit is refused at once
 * with OverloadedError (RESOURCE_EXHAUSTED), never queued.
 */
import { OverloadedError } from '../../shared/grpc/errors';
import { OVERLOAD_RETRY_AFTER_MS, RECORDS_IN_FLIGHT_MAX } from './limits';

export class AppendLoad {
  private held = 0;

  constructor(readonly max: number = RECORDS_IN_FLIGHT_MAX) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`append load: max must be a positive integer (got ${max})`);
  }

  /** Records in flight right now. */
  get inFlight(): number {
    return this.held;
  }

  /**
   * Run `fn` holding `records` slots; throws OverloadedError without calling it
   * when they do not fit. A single call larger than the whole bound never fits.
   */
  async run<T>(records: number, fn: () => Promise<T>): Promise<T> {
    this.take(records);
    try {
      return await fn();
    } finally {
      this.release(records);
    }
  }

  /** Take `records` slots, or throw OverloadedError taking none; each take is matched by one `release`. */
  take(records: number): void {
    if (this.held + records > this.max) throw new OverloadedError('records_in_flight', this.held, this.max, OVERLOAD_RETRY_AFTER_MS);
    this.held += records;
  }

  release(records: number): void {
    this.held -= records;
  }
}
