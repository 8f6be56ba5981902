/**
 * Group commit, pipelined (docs/WAL.md, "Appends, group commit, durability").
 * Appends queue up; a batch takes everything queued (up to `batchBytesMax`), is
 * written with one write at its known position and made durable with one
 * fdatasync, both on the thread pool, so the event loop keeps reading, decoding
 * and admitting calls meanwhile. While batch n's fdatasync is in flight, batch
 * n+1 may already be written; it is acknowledged only by an fdatasync that
 * started after its write completed, and never before batch n. The first failed
 * write or fdatasync puts the log in a failed state: that batch, every batch
 * after it and every later append reject with WalUnavailableError, and nothing
 * more is acknowledged (after a failed fsync the page cache cannot be trusted,
 * so no retry).
 */
import { stemeMetrics } from '../telemetry/metrics';
import { WalUnavailableError } from './errors';
import type { WalFileIo } from './file-io';
import { openFlight, type Flight, type PendingAppend } from './group-commit-flight';
import { GROUP_COMMIT_AHEAD_BATCHES_MAX } from './limits';

export type { PendingAppend } from './group-commit-flight';

/** `fsync`: acknowledge after fdatasync. `none`: after the write reached the OS (tests, benchmarks). */
export type Durability = 'fsync' | 'none';

/** Where a batch goes: the WAL's active segment (rotating first if needed). */
export interface BatchTarget {
  /** Whether a batch of `bytes` at global offset `offset` would rotate the segment first (then it waits until nothing is in flight). */
  rotates(offset: number, bytes: number): boolean;
  /** The descriptor and file position for `bytes` starting at global offset `offset`. */
  place(offset: number, bytes: number): { fd: number; position: number };
  /** The batch ending at `endOffset` is written (and durable when durability is `fsync`). */
  committed(endOffset: number): void;
  /** Called after each batch's write and fdatasync, before anyone is answered: throws if the file it went to is no longer the log's. */
  verify(fd: number): void;
}

export interface GroupCommitStats {
  /** Records acknowledged. */
  appends: number;
  /** Batches written. */
  batches: number;
  /** fdatasync calls made for batches. */
  fsyncs: number;
  /** Framed bytes written. */
  bytesWritten: number;
}

export interface GroupCommitConfig {
  readonly dir: string;
  readonly durability: Durability;
  readonly delayMs: number;
  readonly batchBytesMax: number;
  readonly io: WalFileIo;
  readonly target: BatchTarget;
  /** Told once, when the log enters the failed state. */
  readonly onFailure: (err: WalUnavailableError) => void;
}

export class GroupCommit {
  private queue: PendingAppend[] = [];
  /** The batch whose write is in flight (at most one: writes go out in order). */
  private writing: Flight | undefined;
  /** Written batches not yet covered by an fdatasync, oldest first. */
  private unsynced: Flight[] = [];
  /** The batch whose fdatasync is in flight. */
  private syncing: Flight | undefined;
  /** Thread-pool operations not yet returned (the fd must stay open for them, even after a failure). */
  private ioInFlight = 0;
  private scheduled = false;
  private failure: WalUnavailableError | undefined;
  private idleWaiters: (() => void)[] = [];
  readonly stats: GroupCommitStats = { appends: 0, batches: 0, fsyncs: 0, bytesWritten: 0 };

  constructor(private readonly config: GroupCommitConfig) {}

  get failed(): WalUnavailableError | undefined {
    return this.failure;
  }

  enqueue(p: PendingAppend): void {
    if (this.failure !== undefined) {
      p.reject(this.failure);
      return;
    }
    this.queue.push(p);
    this.schedule();
  }

  /** Resolves once nothing is queued or in flight (thread-pool operations included). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((res) => this.idleWaiters.push(res));
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && !this.busy();
  }

  private busy(): boolean {
    return this.writing !== undefined || this.unsynced.length > 0 || this.syncing !== undefined || this.ioInFlight > 0;
  }

  /** A new batch may start when no write is in flight and fewer than the limit wait for their fdatasync. */
  private canStart(): boolean {
    return this.writing === undefined && this.unsynced.length < GROUP_COMMIT_AHEAD_BATCHES_MAX;
  }

  private schedule(): void {
    if (this.scheduled || this.failure !== undefined || this.queue.length === 0 || !this.canStart()) return;
    this.scheduled = true;
    // setImmediate runs after the poll phase, so every append that arrived in this
    // turn of the event loop joins the batch.
    if (this.config.delayMs > 0) setTimeout(this.run, this.config.delayMs);
    else setImmediate(this.run);
  }

  /** How many queued appends the next batch takes, and their bytes. */
  private nextBatchSize(): { n: number; bytes: number } {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || bytes + this.queue[n]!.data.length <= this.config.batchBytesMax)) {
      bytes += this.queue[n]!.data.length;
      n++;
    }
    return { n, bytes };
  }

  private readonly run = (): void => {
    this.scheduled = false;
    if (this.failure !== undefined || this.queue.length === 0 || !this.canStart()) return;
    const { n, bytes } = this.nextBatchSize();
    // A rotation closes the active segment's descriptor: it waits until nothing is in flight on it (the drain reschedules).
    if (this.busy() && this.config.target.rotates(this.queue[0]!.offset, bytes)) return;
    this.startWrite(openFlight(this.queue.splice(0, n)));
  };

  private startWrite(flight: Flight): void {
    this.writing = flight;
    let placed: { fd: number; position: number };
    try {
      placed = this.config.target.place(flight.offset, flight.data.length);
    } catch (err) {
      this.fail(err);
      return;
    }
    flight.fd = placed.fd;
    this.ioInFlight++;
    this.config.io.write(placed.fd, flight.data, placed.position).then(
      () => this.written(flight),
      (err: unknown) => this.returned(err),
    );
  }

  private written(flight: Flight): void {
    this.ioInFlight--;
    if (this.failure !== undefined) return this.settleIdle();
    if (this.config.durability === 'fsync') {
      this.writing = undefined;
      this.unsynced.push(flight);
      this.startSync();
    } else {
      if (!this.verifies(flight)) return;
      this.writing = undefined;
      this.acknowledge(flight, false);
    }
    this.schedule();
  }

  /** The next fdatasync covers the oldest written batch; it starts only after that batch's write completed. */
  private startSync(): void {
    if (this.syncing !== undefined || this.unsynced.length === 0) return;
    const flight = this.unsynced.shift()!;
    this.syncing = flight;
    this.ioInFlight++;
    const t0 = performance.now();
    this.config.io.datasync(flight.fd).then(
      () => this.synced(flight, performance.now() - t0),
      (err: unknown) => this.returned(err),
    );
  }

  private synced(flight: Flight, ms: number): void {
    this.ioInFlight--;
    if (this.failure !== undefined) return this.settleIdle();
    flight.fsynced(ms);
    if (!this.verifies(flight)) return;
    this.syncing = undefined;
    this.acknowledge(flight, true);
    this.startSync();
    this.schedule();
  }

  /** The file check before an acknowledgement (the batch went to the log's file); a failure fails the log. */
  private verifies(flight: Flight): boolean {
    try {
      this.config.target.verify(flight.fd);
      return true;
    } catch (err) {
      this.fail(err);
      return false;
    }
  }

  /** A thread-pool operation failed: the log fails (or, already failed, one fewer operation is out). */
  private returned(err: unknown): void {
    this.ioInFlight--;
    if (this.failure !== undefined) return this.settleIdle();
    this.fail(err);
  }

  private acknowledge(flight: Flight, fsynced: boolean): void {
    stemeMetrics().groupCommitRecords.record(flight.records);
    this.stats.batches += 1;
    this.stats.appends += flight.records;
    this.stats.bytesWritten += flight.data.length;
    if (fsynced) this.stats.fsyncs += 1;
    this.config.target.committed(flight.endOffset);
    flight.resolve();
    this.settleIdle();
  }

  /** The failed state: every batch in flight or queued rejects, oldest first, and nothing more is acknowledged. */
  private fail(err: unknown): void {
    this.failure = new WalUnavailableError(this.config.dir, err);
    this.config.onFailure(this.failure);
    const flights = [this.syncing, ...this.unsynced, this.writing].filter((f): f is Flight => f !== undefined);
    const queued = this.queue;
    this.syncing = undefined;
    this.unsynced = [];
    this.writing = undefined;
    this.queue = [];
    for (const f of flights) f.reject(this.failure, err);
    for (const p of queued) p.reject(this.failure);
    this.settleIdle();
  }

  private settleIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
