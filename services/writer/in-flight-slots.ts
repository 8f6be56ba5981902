/**
 * A counting semaphore over units (an AppendStream's records): `acquire`
 * waits until fewer than `max` are held and takes one; `add` takes more
 * without waiting (the rest of a request already read), so the count may pass
 * `max` by what one request holds beyond its first unit.
 */
export class InFlightSlots {
  private held = 0;
  private highWater = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly max: number) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`slots: max must be a positive integer (got ${max})`);
  }

  /** Units held right now. */
  get inUse(): number {
    return this.held;
  }

  /** The most units ever held at once. */
  get inUseMax(): number {
    return this.highWater;
  }

  /** Resolves once the caller holds one unit, taken while fewer than `max` were held. */
  acquire(): Promise<void> {
    if (this.held < this.max && this.waiting.length === 0) {
      this.add(1);
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.waiting.push(() => {
        this.add(1);
        resolve();
      }),
    );
  }

  /** Takes `units` more at once, without waiting. */
  add(units: number): void {
    this.held += units;
    this.highWater = Math.max(this.highWater, this.held);
  }

  release(units = 1): void {
    this.held -= units;
    while (this.held < this.max && this.waiting.length > 0) this.waiting.shift()!();
  }
}
