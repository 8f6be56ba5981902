/**
 * A bounded async queue between one producer and one consumer: `push` waits
 * while the queue is full, `shift` while it is empty. `close()` ends it (a
 * waiting `shift` gets undefined once drained, a waiting `push` gets false);
 * `fail(err)` makes the consumer's next `shift` throw.
 */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private closed = false;
  private failure: unknown;
  private failed = false;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  /** Resolves true once queued, false if the queue was closed first. */
  async push(item: T): Promise<boolean> {
    while (!this.closed && this.items.length >= this.capacity) await new Promise<void>((res) => (this.wakeProducer = res));
    if (this.closed) return false;
    this.items.push(item);
    this.wake('consumer');
    return true;
  }

  /** The next item; undefined once the queue is closed and drained. Throws after `fail`. */
  async shift(): Promise<T | undefined> {
    for (;;) {
      if (this.items.length > 0) {
        const item = this.items.shift()!;
        this.wake('producer');
        return item;
      }
      if (this.failed) throw this.failure;
      if (this.closed) return undefined;
      await new Promise<void>((res) => (this.wakeConsumer = res));
    }
  }

  close(): void {
    this.closed = true;
    this.wake('consumer');
    this.wake('producer');
  }

  fail(err: unknown): void {
    this.failed = true;
    this.failure = err;
    this.close();
  }

  private wake(who: 'consumer' | 'producer'): void {
    const w = who === 'consumer' ? this.wakeConsumer : this.wakeProducer;
    if (who === 'consumer') this.wakeConsumer = undefined;
    else this.wakeProducer = undefined;
    w?.();
  }
}
