/**
 * Tells long-lived calls (Watch) that ingest committed a batch. Listeners are
 * called synchronously from the Ingestor's onBatch hook and must only set a
 * flag or wake a waiter: the work happens in the listener's own call.
 */
import { BATCH_LISTENERS_MAX } from './limits';

export class BatchBell {
  private readonly listeners = new Set<() => void>();

  constructor(readonly listenersMax = BATCH_LISTENERS_MAX) {}

  get size(): number {
    return this.listeners.size;
  }

  /** A batch was committed. */
  ring(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** Call `listener` after every batch until the returned function is called; undefined when full. */
  subscribe(listener: () => void): (() => void) | undefined {
    if (this.listeners.size >= this.listenersMax) return undefined;
    const own = (): void => listener(); // a distinct entry even when the same function subscribes twice
    this.listeners.add(own);
    return () => void this.listeners.delete(own);
  }
}
