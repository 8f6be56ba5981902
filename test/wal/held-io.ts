/**
 * A WalFileIo for group-commit tests: writes go to disk (node:fs, on the thread
 * pool) and are counted; every thread-pool fdatasync is held until the test
 * releases or fails it, and remembers how many writes had completed when it was
 * called. Tests wait on its events (`until`), never on sleeps.
 */
import type { WalFileIo } from '../../shared/wal';
import { NODE_FILE_IO } from '../../shared/wal/file-io';

export interface HeldSync {
  readonly fd: number;
  /** Writes completed when this fdatasync was called: the most it may make durable. */
  readonly writesDoneAtStart: number;
  /** Run the real fdatasync now and let the WAL see it return. */
  release(): void;
  /** The fdatasync fails with EIO. */
  fail(): void;
}

export class HeldIo implements WalFileIo {
  writesStarted = 0;
  writesDone = 0;
  /** Synchronous (event-loop) fdatasyncs: the append path makes none. */
  loopSyncs = 0;
  readonly syncs: HeldSync[] = [];
  /** When set, thread-pool writes wait too: each is released by calling the function queued here. */
  holdWrites = false;
  readonly heldWrites: (() => void)[] = [];
  private listeners: (() => void)[] = [];

  writeSync(fd: number, data: Buffer, position: number): void {
    this.writesStarted++;
    NODE_FILE_IO.writeSync(fd, data, position);
    this.writesDone++;
    this.changed();
  }

  datasyncSync(fd: number): void {
    this.loopSyncs++;
    NODE_FILE_IO.datasyncSync(fd);
  }

  async write(fd: number, data: Buffer, position: number): Promise<void> {
    this.writesStarted++;
    if (this.holdWrites) {
      const held = new Promise<void>((res) => this.heldWrites.push(res));
      this.changed();
      await held;
    } else {
      this.changed();
    }
    await NODE_FILE_IO.write(fd, data, position);
    this.writesDone++;
    this.changed();
  }

  datasync(fd: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.syncs.push({
        fd,
        writesDoneAtStart: this.writesDone,
        // The real fdatasync runs here, synchronously, so fdatasyncs return in the order the test releases them.
        release: () => {
          try {
            NODE_FILE_IO.datasyncSync(fd);
            resolve();
          } catch (err) {
            reject(err as Error);
          }
        },
        fail: () => reject(Object.assign(new Error('injected EIO on fdatasync'), { code: 'EIO' })),
      });
      this.changed();
    });
  }

  /** Resolves once `pred` holds (checked now and after every write or fdatasync call); rejects after `timeoutMs`. */
  until(pred: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      const check = (): void => {
        if (!pred()) return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
        resolve();
      };
      this.listeners.push(check);
    });
  }

  /** Forget the counts so far (opening a WAL writes its header and manifest through here). */
  resetCounts(): void {
    this.writesStarted = 0;
    this.writesDone = 0;
    this.loopSyncs = 0;
  }

  /** Re-check every `until` (for a predicate that also reads state outside the io). */
  poke(): void {
    this.changed();
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }
}

/** A promise with its outcome observable synchronously. */
export function tracked<T>(p: Promise<T>): { promise: Promise<T>; settled: () => 'pending' | 'resolved' | 'rejected' } {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  const promise = p.then(
    (v) => {
      state = 'resolved';
      return v;
    },
    (err: unknown) => {
      state = 'rejected';
      throw err;
    },
  );
  promise.catch(() => undefined);
  return { promise, settled: () => state };
}

/** Let the event loop run `n` full turns (any acknowledgement due now has happened after it). */
export async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((res) => setImmediate(res));
}
