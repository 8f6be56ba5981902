/**
 * Promises waiting for the durable head to reach an offset: what `waitFor` and the
 * in-process tail sleep on. They wake as soon as a batch completes, without polling.
 */

interface Waiter {
  readonly offset: number;
  resolve(): void;
  reject(err: unknown): void;
}

export class HeadWaiters {
  private waiters: Waiter[] = [];
  private closedWith: Error | undefined;

  /** Resolves when `advance(head)` reports head >= `offset`; rejects on abort or close. */
  wait(offset: number, head: number, signal?: AbortSignal): Promise<void> {
    if (head >= offset) return Promise.resolve();
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith);
    if (signal?.aborted === true) return Promise.reject(abortError(signal));
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(abortError(signal!));
      };
      const waiter: Waiter = {
        offset,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  advance(head: number): void {
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    const ready: Waiter[] = [];
    for (const w of this.waiters) (w.offset <= head ? ready : still).push(w);
    this.waiters = still;
    for (const w of ready) w.resolve();
  }

  /** Reject every waiter (and all later ones) with `err`. */
  close(err: Error): void {
    this.closedWith = err;
    const all = this.waiters;
    this.waiters = [];
    for (const w of all) w.reject(err);
  }
}

export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('the operation was aborted');
  err.name = 'AbortError';
  return err;
}
