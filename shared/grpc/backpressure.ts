/**
 * Flow control for server streams. `call.write()` on a grpc-js stream always
 * accepts the message and only *returns false* once the call's buffer is at its
 * high-water mark; a producer that ignores that grows memory without bound for
 * a slow consumer. These helpers wait for 'drain' instead, so at most
 * `STREAM_BUFFERED_MESSAGES_MAX` messages are ever queued per call.
 */
import type { EventEmitter } from 'node:events';
import { CancelledError } from './errors';

/** The writable side of any grpc-js server stream (server-streaming or bidi). */
export type WritableCall<T> = EventEmitter & {
  write(message: T, callback?: (error?: Error | null) => void): boolean;
  readonly writableLength: number;
  readonly writableEnded: boolean;
  readonly destroyed: boolean;
  readonly cancelled: boolean;
};

/** Counters kept per stream, for tests, metrics and logs. */
export interface BackpressureStats {
  /** Messages handed to the call. */
  written: number;
  /** Times the producer waited for 'drain'. */
  drainWaits: number;
  /** Most messages ever queued in the call's buffer at once. */
  bufferedMax: number;
  /** True while the producer is parked waiting for 'drain'. */
  waiting: boolean;
}

export function newBackpressureStats(): BackpressureStats {
  return { written: 0, drainWaits: 0, bufferedMax: 0, waiting: false };
}

function ended(call: WritableCall<unknown>): boolean {
  return call.cancelled || call.destroyed || call.writableEnded;
}

function waitForDrain(call: WritableCall<unknown>, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      call.removeListener('drain', onDrain);
      call.removeListener('close', onGone);
      call.removeListener('cancelled', onGone);
      signal?.removeEventListener('abort', onAbort);
    };
    const onDrain = (): void => {
      cleanup();
      resolve();
    };
    const onGone = (): void => {
      cleanup();
      reject(new CancelledError('the call ended while waiting to write'));
    };
    const onAbort = (): void => {
      cleanup();
      reject(signal!.reason);
    };
    call.once('drain', onDrain);
    call.once('close', onGone);
    call.once('cancelled', onGone);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Write one message; resolves once the call can take more (at once when
 * `write` returned true, else on 'drain'). Rejects when the call is cancelled
 * or ends, or with `signal.reason` when `signal` aborts first.
 */
export async function writeWithBackpressure<T>(call: WritableCall<T>, message: T, signal?: AbortSignal, stats?: BackpressureStats, onSent?: () => void): Promise<void> {
  if (signal?.aborted === true) throw signal.reason;
  if (ended(call)) throw new CancelledError('the call has ended');
  // The callback runs once grpc-js has handed the message to HTTP/2 (or the call died).
  const more = onSent === undefined ? call.write(message) : call.write(message, () => onSent());
  if (stats !== undefined) {
    stats.written += 1;
    stats.bufferedMax = Math.max(stats.bufferedMax, call.writableLength);
  }
  if (more) return;
  if (stats === undefined) return waitForDrain(call, signal);
  stats.drainWaits += 1;
  stats.waiting = true;
  try {
    await waitForDrain(call, signal);
  } finally {
    stats.waiting = false;
  }
}

/**
 * A stream's writing end with its signal and counters bound: what stream
 * handlers receive. Writes are queued one behind the other, so producers that
 * write concurrently (receipts completing out of band) keep their order and the
 * buffer bound; once a write fails, every later write fails with the same error.
 */
export class StreamWriter<T> {
  readonly stats: BackpressureStats = newBackpressureStats();
  private last: Promise<void> = Promise.resolve();
  constructor(
    private readonly call: WritableCall<T>,
    private readonly signal: AbortSignal,
  ) {}

  /** Write one message after those already queued, waiting while the client is not reading. */
  write(message: T): Promise<void> {
    this.last = this.last.then(() => writeWithBackpressure(this.call, message, this.signal, this.stats));
    return this.last;
  }

  /**
   * Like `write`, and `onSent` runs once the message has left the call's
   * buffer (handed to HTTP/2, which sends it as the client's flow-control
   * window allows) or the call has ended: when the memory the message holds
   * is no longer the handler's to account for. Runs exactly once, even if the
   * write fails.
   */
  writeTracked(message: T, onSent: () => void): Promise<void> {
    let done = false;
    const once = (): void => {
      if (!done) {
        done = true;
        onSent();
      }
    };
    this.last = this.last.then(() => writeWithBackpressure(this.call, message, this.signal, this.stats, once));
    this.last.catch(once);
    return this.last;
  }
}
