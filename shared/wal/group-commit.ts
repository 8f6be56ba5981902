/**
 * Group commit, leader/follower style. Appends queue up; one flush at a time takes
 * everything queued (up to `batchBytesMax`) and writes it with one write at the
 * known position, then one fdatasync. Appends that arrive meanwhile form the next
 * batch. Each caller is answered only once its own batch is durable. The first
 * failed write or fdatasync puts the log in a failed state: that batch and every
 * later append reject with WalUnavailableError, and nothing more is acknowledged
 * (after a failed fsync the page cache cannot be trusted, so no retry).
 */
import type { Span } from '@opentelemetry/api';
import { stemeMetrics } from '../telemetry/metrics';
import { withSpan, withSpanSync } from '../telemetry/tracing';
import { WalUnavailableError } from './errors';
import type { WalFileIo } from './file-io';
import { SYNC_FLUSH_BYTES_MAX } from './limits';

/** `fsync`: acknowledge after fdatasync. `none`: after the write reached the OS (tests, benchmarks). */
export type Durability = 'fsync' | 'none';

/** One append or appendBatch call: its frames are written contiguously in one batch. */
export interface PendingAppend {
  readonly frames: Buffer[];
  readonly bytes: number;
  readonly offset: number;
  readonly nextOffset: number;
  resolve(): void;
  reject(err: unknown): void;
}

/** Where a batch goes: the WAL's active segment (rotating first if needed). */
export interface BatchTarget {
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
  private flushing = false;
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

  /** Resolves once nothing is queued or in flight. */
  idle(): Promise<void> {
    if (!this.flushing && this.queue.length === 0) return Promise.resolve();
    return new Promise((res) => this.idleWaiters.push(res));
  }

  private schedule(): void {
    if (this.flushing || this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    // setImmediate runs after the poll phase, so every append that arrived in this
    // turn of the event loop (and during a synchronous flush) joins the batch.
    if (this.config.delayMs > 0) setTimeout(this.run, this.config.delayMs);
    else setImmediate(this.run);
  }

  private takeBatch(): PendingAppend[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || bytes + this.queue[n]!.bytes <= this.config.batchBytesMax)) {
      bytes += this.queue[n]!.bytes;
      n++;
    }
    const batch = this.queue.slice(0, n);
    this.queue = this.queue.slice(n);
    return batch;
  }

  private readonly run = (): void => {
    this.scheduled = false;
    if (this.flushing || this.queue.length === 0) return;
    const batch = this.takeBatch();
    const first = batch[0]!;
    const last = batch[batch.length - 1]!;
    const data = Buffer.concat(batch.flatMap((p) => p.frames));
    const records = batch.reduce((n, p) => n + p.frames.length, 0);
    const attrs = { records, bytes: data.length, offset: first.offset };
    this.flushing = true;
    if (data.length <= SYNC_FLUSH_BYTES_MAX) {
      try {
        withSpanSync('wal.group_commit', attrs, (span) => {
          const { fd, position } = this.config.target.place(first.offset, data.length);
          this.config.io.writeSync(fd, data, position);
          if (this.config.durability === 'fsync') timed(span, () => this.config.io.datasyncSync(fd));
          this.config.target.verify(fd);
        });
        this.done(batch, records, data.length, last.nextOffset);
      } catch (err) {
        this.fail(batch, err);
      }
    } else {
      withSpan('wal.group_commit', attrs, async (span) => {
        const { fd, position } = this.config.target.place(first.offset, data.length);
        await this.config.io.write(fd, data, position);
        if (this.config.durability === 'fsync') {
          const t0 = performance.now();
          await this.config.io.datasync(fd);
          recordFsync(span, performance.now() - t0);
        }
        this.config.target.verify(fd);
      }).then(
        () => this.done(batch, records, data.length, last.nextOffset),
        (err: unknown) => this.fail(batch, err),
      );
    }
  };

  private done(batch: PendingAppend[], records: number, bytes: number, endOffset: number): void {
    stemeMetrics().groupCommitRecords.record(records);
    this.stats.batches += 1;
    this.stats.appends += records;
    this.stats.bytesWritten += bytes;
    if (this.config.durability === 'fsync') this.stats.fsyncs += 1;
    this.config.target.committed(endOffset);
    this.flushing = false;
    for (const p of batch) p.resolve();
    this.afterFlush();
  }

  private fail(batch: PendingAppend[], err: unknown): void {
    this.failure = new WalUnavailableError(this.config.dir, err);
    this.flushing = false;
    this.config.onFailure(this.failure);
    const rejected = [...batch, ...this.queue];
    this.queue = [];
    for (const p of rejected) p.reject(this.failure);
    this.afterFlush();
  }

  private afterFlush(): void {
    if (this.queue.length > 0) this.schedule();
    else {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}

function timed(span: Span, fn: () => void): void {
  const t0 = performance.now();
  fn();
  recordFsync(span, performance.now() - t0);
}

/** fdatasync time on the batch's span (fsync_us) and in the fsync latency histogram. */
function recordFsync(span: Span, ms: number): void {
  const us = Math.round(ms * 1000);
  span.setAttribute('fsync_us', us);
  stemeMetrics().fsyncLatencyUs.record(us);
}
