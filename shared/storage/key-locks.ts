/**
 * Per-key mutual exclusion within one process, for backends whose
 * read-modify-write is not a single atomic operation (RocksDB through
 * level-rocksdb: a get, then a put).
 *
 * An operation registers all its keys at once, synchronously, then waits for
 * the operations registered on those keys before it. Waits therefore follow
 * registration order and can never form a cycle. With no contention no promise
 * is awaited, so plain writes pay a Map lookup per key.
 *
 * A batch of thousands of keys would pay thousands of lookups (7% of ingest's
 * main thread, measured), so it runs *exclusive* instead (`runExclusive`): it
 * conflicts with every operation, waits for all registered before it, and every
 * operation registered after it waits for it. That orders more than it must
 * (two batches with no key in common run one after the other), which costs
 * nothing where batches come one at a time from one committer.
 */
export class KeyLocks {
  private readonly tails = new Map<string, Promise<void>>();
  /** The last exclusive operation, until it finishes. */
  private exclusive: Promise<void> | undefined;
  /** Per-key operations registered since the last exclusive one (their `done`). */
  private sinceExclusive = new Set<Promise<void>>();

  /** Runs `fn` once every earlier operation on any of `keys` (and every earlier exclusive one) has finished. */
  async run<T>(keys: readonly Buffer[], fn: () => Promise<T>): Promise<T> {
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const ids = new Set<string>();
    for (const key of keys) ids.add(key.toString('latin1'));
    const before: Promise<void>[] = [];
    if (this.exclusive !== undefined) before.push(this.exclusive);
    for (const id of ids) {
      const prev = this.tails.get(id);
      if (prev !== undefined) before.push(prev);
      this.tails.set(id, done);
    }
    const registered = this.sinceExclusive;
    registered.add(done);
    try {
      if (before.length > 0) await Promise.all(before);
      return await fn();
    } finally {
      release();
      registered.delete(done);
      for (const id of ids) if (this.tails.get(id) === done) this.tails.delete(id);
    }
  }

  /** Runs `fn` once every operation registered before it has finished; every later one waits for it. */
  async runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const before = [...this.sinceExclusive];
    if (this.exclusive !== undefined) before.push(this.exclusive);
    this.sinceExclusive = new Set();
    this.exclusive = done;
    try {
      if (before.length > 0) await Promise.all(before);
      return await fn();
    } finally {
      release();
      if (this.exclusive === done) this.exclusive = undefined;
    }
  }

  /** Keys with an operation running or waiting, plus a running or waiting exclusive one (for tests and leak checks). */
  get size(): number {
    return this.tails.size + (this.exclusive === undefined ? 0 : 1);
  }
}
