/** A counting semaphore: at most `max` holders; `acquire` waits for a free slot. */
export class InFlightSlots {
  private held = 0;
  private highWater = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly max: number) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`slots: max must be a positive integer (got ${max})`);
  }

  /** Slots held right now. */
  get inUse(): number {
    return this.held;
  }

  /** The most slots ever held at once. */
  get inUseMax(): number {
    return this.highWater;
  }

  /** Resolves once a slot is held by the caller. */
  acquire(): Promise<void> {
    if (this.held < this.max) {
      this.take();
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => resolve()));
  }

  release(): void {
    const next = this.waiting.shift();
    // Hand the slot straight to the next waiter: the count stays the same.
    if (next !== undefined) next();
    else this.held -= 1;
  }

  private take(): void {
    this.held += 1;
    this.highWater = Math.max(this.highWater, this.held);
  }
}
