/**
 * The writer-wide memory budget of Tail (docs/OPERATIONS.md, "Tail memory"):
 * at most TAIL_STREAMS_MAX streams at once (one more is refused with
 * RESOURCE_EXHAUSTED, `tail_streams`), and the payload bytes every stream has
 * read from the log but not yet handed to HTTP/2 stay within
 * TAIL_BUFFERED_BYTES_MAX. A stream never waits for the budget: each batch is
 * cut to the stream's fair share of it and to what is left (never below
 * TAIL_BATCH_BYTES_FLOOR), so paused consumers cannot starve a live one, and
 * a stream keeps at most TAIL_MESSAGES_UNSENT_MAX messages unsent, so a
 * consumer that stops reading pauses its stream (back-pressure) holding at
 * most that much.
 */
import { OverloadedError } from '../../shared/grpc/errors';
import { OVERLOAD_RETRY_AFTER_MS, TAIL_BATCH_BYTES_FLOOR, TAIL_BUFFERED_BYTES_MAX, TAIL_STREAMS_MAX } from './limits';

export interface TailBudgetLimits {
  /** @default TAIL_STREAMS_MAX */
  readonly streamsMax?: number;
  /** @default TAIL_BUFFERED_BYTES_MAX */
  readonly bytesMax?: number;
  /** @default TAIL_BATCH_BYTES_FLOOR */
  readonly batchBytesFloor?: number;
}

export class TailBudget {
  private streams = 0;
  private held = 0;
  private heldMax = 0;
  readonly streamsMax: number;
  readonly bytesMax: number;
  readonly batchBytesFloor: number;

  constructor(limits: TailBudgetLimits = {}) {
    this.streamsMax = limits.streamsMax ?? TAIL_STREAMS_MAX;
    this.bytesMax = limits.bytesMax ?? TAIL_BUFFERED_BYTES_MAX;
    this.batchBytesFloor = limits.batchBytesFloor ?? TAIL_BATCH_BYTES_FLOOR;
  }

  /** Streams open and bytes held right now, and the most bytes ever held (tests, metrics). */
  stats(): { streams: number; bytes: number; bytesMax: number } {
    return { streams: this.streams, bytes: this.held, bytesMax: this.heldMax };
  }

  /** Opens a stream, or throws OverloadedError (RESOURCE_EXHAUSTED) at the cap. `close()` it when the stream ends. */
  open(): TailStreamBudget {
    if (this.streams >= this.streamsMax) throw new OverloadedError('tail_streams', this.streams, this.streamsMax, OVERLOAD_RETRY_AFTER_MS);
    this.streams += 1;
    return new TailStreamBudget(this);
  }

  /** @internal */
  closeStream(): void {
    this.streams -= 1;
  }

  /** @internal The batch size granted for a request of `wanted` bytes, already counted as held. */
  grant(wanted: number): number {
    const share = Math.floor(this.bytesMax / Math.max(1, this.streams));
    const left = this.bytesMax - this.held;
    const bytes = Math.min(wanted, Math.max(this.batchBytesFloor, Math.min(share, left)));
    this.held += bytes;
    this.heldMax = Math.max(this.heldMax, this.held);
    return bytes;
  }

  /** @internal */
  giveBack(bytes: number): void {
    this.held -= bytes;
  }
}

/** The budget one Tail read holds until its message has been sent. */
export interface TailSlot {
  /** The batch bytes granted: read at most this much (a single larger record still comes alone). */
  readonly bytes: number;
  /** Holds exactly `actual` payload bytes from now on (what the read returned). */
  resize(actual: number): void;
  /** Gives the bytes back; idempotent. */
  release(): void;
}

/** One Tail stream's part of the budget. */
export class TailStreamBudget {
  private closed = false;

  constructor(private readonly budget: TailBudget) {}

  /**
   * Takes a batch's worth (at most `wanted` bytes) for one read; the returned
   * `release` gives it back once the message built from it has been sent (or
   * was never written). Call `release` exactly once.
   */
  take(wanted: number): TailSlot {
    let bytes = this.budget.grant(wanted);
    let released = false;
    return {
      bytes,
      resize: (actual) => {
        if (released) return;
        this.budget.giveBack(bytes - actual); // a lone record larger than the batch is sent whole
        bytes = actual;
      },
      release: () => {
        if (released) return;
        released = true;
        this.budget.giveBack(bytes);
      },
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.budget.closeStream();
  }
}
