/**
 * The per-call context handed to handlers: an AbortSignal that fires when the
 * call's deadline passes (reason `DeadlineError`) or the client cancels or goes
 * away (reason `CancelledError`), plus the call's metadata and a logger.
 */
import type { EventEmitter } from 'node:events';
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '../telemetry/logger';
import { CancelledError, DeadlineError } from './errors';
import { DEADLINE_CANCEL_SLACK_MS } from './limits';

export interface CallContext {
  /** Fires on deadline (reason `DeadlineError`) or cancellation (reason `CancelledError`). */
  readonly signal: AbortSignal;
  /** Absolute deadline in ms since the epoch; `Infinity` when the client set none. */
  readonly deadlineMs: number;
  readonly metadata: grpc.Metadata;
  /** The RPC path, e.g. `/stemedb.v1.WriterService/Append`. */
  readonly method: string;
  /** The client's `ip:port`, for logs. */
  readonly peer: string;
  readonly logger: Logger;
  /** Throws the signal's reason once the call is aborted: `signal.throwIfAborted()` without making the signal. */
  throwIfAborted(): void;
}

export interface StreamContext extends CallContext {
  /**
   * Fires when the server begins a graceful shutdown (reason `UnavailableError`):
   * stop taking new work, finish what is in flight, and return.
   */
  readonly draining: AbortSignal;
}

/** The parts of a grpc-js server call the context needs (every call kind has them). */
export type ServerCallLike = EventEmitter & {
  readonly cancelled: boolean;
  readonly metadata: grpc.Metadata;
  getDeadline(): grpc.Deadline;
  getPath(): string;
  getPeer(): string;
};

/**
 * Watches a call's deadline and cancellation; `reason` is set on whichever
 * comes first. The AbortSignal is made only when someone asks for it (most
 * unary handlers never do: they check `aborted`), so a call that ends
 * normally costs no AbortController, no EventTarget listener and no closure
 * beyond the two bound below.
 */
export class CallWatch {
  readonly deadlineMs: number;
  private abortedBy: Error | undefined;
  private controller: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private readonly call: ServerCallLike,
    /** Told once, synchronously, when the call is aborted (not after `dispose`). */
    private readonly onAbort?: (reason: Error) => void,
  ) {
    this.deadlineMs = deadlineMsOf(call);
    if (call.cancelled) {
      this.onCancelled();
      return;
    }
    const leftMs = this.deadlineMs - Date.now();
    if (leftMs <= 0) {
      this.abort(new DeadlineError(this.deadlineMs));
      return;
    }
    call.on('cancelled', this.onCancelled);
    if (this.deadlineMs === Infinity) return;
    this.timer = setTimeout(this.onDeadline, leftMs);
    this.timer.unref();
  }

  /** Whether the deadline passed or the client went away. */
  get aborted(): boolean {
    return this.abortedBy !== undefined;
  }

  /** `DeadlineError` or `CancelledError` once aborted, else undefined. */
  get reason(): Error | undefined {
    return this.abortedBy;
  }

  /** Fires on deadline or cancellation (made on first use, already aborted if the call is). */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortedBy !== undefined) this.controller.abort(this.abortedBy);
    }
    return this.controller.signal;
  }

  /** Stop watching (call once the handler has answered). */
  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.call.removeListener('cancelled', this.onCancelled);
  }

  // grpc-js reports a passed deadline as 'cancelled' too, and so does a client whose
  // own deadline timer fired first: tell them apart by the clock, with slack for the
  // client's head start (see DEADLINE_CANCEL_SLACK_MS).
  private readonly onCancelled = (): void =>
    this.abort(Date.now() >= this.deadlineMs - DEADLINE_CANCEL_SLACK_MS ? new DeadlineError(this.deadlineMs) : new CancelledError());

  private readonly onDeadline = (): void => this.abort(new DeadlineError(this.deadlineMs));

  private abort(reason: Error): void {
    if (this.abortedBy !== undefined || this.disposed) return;
    this.abortedBy = reason;
    this.controller?.abort(reason);
    this.onAbort?.(reason);
  }
}

export function deadlineMsOf(call: ServerCallLike): number {
  const d = call.getDeadline();
  const ms = d instanceof Date ? d.getTime() : d;
  return Number.isFinite(ms) ? ms : Infinity;
}

/** Watch a call's deadline and cancellation; the signal aborts on whichever comes first. */
export function watchCall(call: ServerCallLike, onAbort?: (reason: Error) => void): CallWatch {
  return new CallWatch(call, onAbort);
}
