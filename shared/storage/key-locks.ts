/**
 * Per-key mutual exclusion within one process, for backends whose
 * read-modify-write is not a single atomic operation (RocksDB through
 * level-rocksdb: a get, then a put).
 *
 * An operation registers all its keys at once, synchronously, then waits for
 * the operations registered on those keys before it. Waits therefore follow
 * registration order and can never form a cycle. With no contention no promise
 * is awaited, so plain writes pay a Map lookup per key.
 */
export class KeyLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier operation on any of `keys` has finished. */
  async run<T>(keys: readonly Buffer[], fn: () => Promise<T>): Promise<T> {
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const ids = new Set<string>();
    for (const key of keys) ids.add(key.toString('latin1'));
    const before: Promise<void>[] = [];
    for (const id of ids) {
      const prev = this.tails.get(id);
      if (prev !== undefined) before.push(prev);
      this.tails.set(id, done);
    }
    try {
      if (before.length > 0) await Promise.all(before);
      return await fn();
    } finally {
      release();
      for (const id of ids) if (this.tails.get(id) === done) this.tails.delete(id);
    }
  }

  /** Keys with an operation running or waiting (for tests and leak checks). */
  get size(): number {
    return this.tails.size;
  }
}
