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

export interface CallWatch {
  readonly signal: AbortSignal;
  readonly deadlineMs: number;
  /** Stop watching (call once the handler has answered). */
  dispose(): void;
}

export function deadlineMsOf(call: ServerCallLike): number {
  const d = call.getDeadline();
  const ms = d instanceof Date ? d.getTime() : d;
  return Number.isFinite(ms) ? ms : Infinity;
}

/** Watch a call's deadline and cancellation; the signal aborts on whichever comes first. */
export function watchCall(call: ServerCallLike): CallWatch {
  const controller = new AbortController();
  const deadlineMs = deadlineMsOf(call);
  // grpc-js reports a passed deadline as 'cancelled' too, and so does a client whose
  // own deadline timer fired first: tell them apart by the clock, with slack for the
  // client's head start (see DEADLINE_CANCEL_SLACK_MS).
  const onCancelled = (): void =>
    controller.abort(Date.now() >= deadlineMs - DEADLINE_CANCEL_SLACK_MS ? new DeadlineError(deadlineMs) : new CancelledError());
  let timer: NodeJS.Timeout | undefined;
  if (call.cancelled) onCancelled();
  else call.once('cancelled', onCancelled);
  if (deadlineMs !== Infinity && !controller.signal.aborted) {
    const leftMs = deadlineMs - Date.now();
    if (leftMs <= 0) controller.abort(new DeadlineError(deadlineMs));
    else {
      timer = setTimeout(() => controller.abort(new DeadlineError(deadlineMs)), leftMs);
      timer.unref();
    }
  }
  return {
    signal: controller.signal,
    deadlineMs,
    dispose: () => {
      if (timer !== undefined) clearTimeout(timer);
      call.removeListener('cancelled', onCancelled);
    },
  };
}
