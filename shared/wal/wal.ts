/**
 * The write-ahead log: one writer process per directory (exclusive lock), global
 * byte offsets over rotating segment files, group-commit appends, verified reads,
 * a live tail, recovery on open and whole-segment retention. docs/WAL.md has the
 * format and the rules; this file composes the pieces.
 */
import { closeSync, existsSync, mkdirSync, openSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createLogger, type Logger } from '../telemetry/logger';
import { withSpan } from '../telemetry/tracing';
import { blake3 } from './checksum';
import { WalClosedError, WalLimitError } from './errors';
import { fsyncDir, NODE_FILE_IO } from './file-io';
import { encodeRecord, type WalRecord } from './format';
import { GroupCommit, type GroupCommitStats } from './group-commit';
import { HeadWaiters } from './head-waiters';
import { OFFSET_MAX, RECORD_BYTES_MAX, RECORD_HEADER_BYTES, SEGMENT_HEADER_BYTES } from './limits';
import { acquireLock, type DirLock } from './lock';
import { readRecord, readRecords, type ReadView } from './log-read';
import { resolveOptions, type ResolvedWalOptions, type WalOptions } from './options';
import { createSegment, recover, type RecoveryReport } from './recovery';
import { SegmentFiles } from './segment-files';
import type { SegmentEntry, SegmentInfo } from './segments';
import { tailRecords, type TailOptions } from './tail';

/** Where an append landed: its offset and the offset just after it. */
export interface AppendResult {
  readonly offset: number;
  readonly nextOffset: number;
}

/** Where an appendBatch landed: contiguous records, `offsets[i]` for `payloads[i]`. */
export interface AppendBatchResult extends AppendResult {
  readonly offsets: readonly number[];
}

export class Wal implements ReadView {
  readonly dir: string;
  /** What recovery found and repaired when this log was opened. */
  readonly recoveryReport: RecoveryReport;
  private readonly entries: SegmentEntry[];
  private readonly files: SegmentFiles;
  private readonly waiters = new HeadWaiters();
  private readonly commit: GroupCommit;
  private activeFd: number;
  private durableHead: number;
  /** Offset the next append gets: offsets are assigned in call order. */
  private nextAssigned: number;
  private closing: Promise<void> | undefined;

  private constructor(
    dir: string,
    private readonly options: ResolvedWalOptions,
    private readonly lock: DirLock,
    private readonly logger: Logger,
    recovered: { segments: SegmentEntry[]; report: RecoveryReport },
    opts: WalOptions,
  ) {
    this.dir = dir;
    this.entries = recovered.segments;
    this.recoveryReport = recovered.report;
    this.files = new SegmentFiles(dir);
    this.durableHead = this.active.endOffset;
    this.nextAssigned = this.durableHead;
    this.activeFd = openSync(join(dir, this.active.fileName), 'r+');
    this.commit = new GroupCommit({
      dir,
      durability: options.durability,
      delayMs: options.groupCommitDelayMs,
      batchBytesMax: options.batchBytesMax,
      io: opts.fileIo ?? NODE_FILE_IO,
      target: { place: (offset, bytes) => this.place(offset, bytes), committed: (end) => this.committed(end) },
      onFailure: (err) => this.logger.error('wal write failed; refusing all further appends', { dir, err: err.cause, head_offset: this.durableHead }),
    });
  }

  /** Take the directory's lock, run recovery, and open for appends. */
  static async open(options: WalOptions): Promise<Wal> {
    const resolved = resolveOptions(options);
    const dir = resolve(options.dir);
    const logger = options.logger ?? createLogger({ component: 'wal' });
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true });
      fsyncDir(dirname(dir));
    }
    const lock = acquireLock(dir);
    try {
      const recovered = recover(dir, logger);
      return new Wal(dir, resolved, lock, logger, recovered, options);
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  private get active(): SegmentEntry {
    return this.entries[this.entries.length - 1]!;
  }

  /** The live segment list (for reads inside the package). */
  get segmentList(): readonly SegmentInfo[] {
    return this.entries;
  }

  /** The durable end of the log: readers and tails see records below it only. */
  get headOffset(): number {
    return this.durableHead;
  }

  /** The lowest readable offset (rises when retention deletes segments). */
  get firstOffset(): number {
    return this.entries[0]!.baseOffset;
  }

  /** A snapshot of the segments, oldest first; the last is the active one. */
  segments(): SegmentInfo[] {
    return this.entries.map((e) => ({ ...e }));
  }

  stats(): GroupCommitStats {
    return { ...this.commit.stats };
  }

  /** Append one payload; resolves once it is durable (per the durability mode). */
  async append(payload: Uint8Array): Promise<AppendResult> {
    const r = await this.appendBatch([payload]);
    return { offset: r.offset, nextOffset: r.nextOffset };
  }

  /** Append payloads contiguously in one group commit (one write); all or nothing is acknowledged. */
  appendBatch(payloads: readonly Uint8Array[]): Promise<AppendBatchResult> {
    return withSpan('wal.append', { records: payloads.length }, async (span) => {
      this.checkWritable();
      let bytes = 0;
      for (const p of payloads) {
        if (p.length > RECORD_BYTES_MAX) throw new WalLimitError('payload bytes', p.length, RECORD_BYTES_MAX);
        bytes += RECORD_HEADER_BYTES + p.length;
      }
      if (bytes > this.options.batchBytesMax) throw new WalLimitError('framed bytes of one append', bytes, this.options.batchBytesMax);
      if (this.nextAssigned + bytes > OFFSET_MAX) throw new WalLimitError('offset', this.nextAssigned + bytes, OFFSET_MAX);
      const offset = this.nextAssigned;
      const offsets: number[] = [];
      const frames: Buffer[] = [];
      let at = offset;
      for (const p of payloads) {
        offsets.push(at);
        frames.push(encodeRecord(at, p, blake3(p)));
        at += RECORD_HEADER_BYTES + p.length;
      }
      this.nextAssigned = at;
      span.setAttributes({ offset, bytes });
      if (payloads.length > 0) await new Promise<void>((resolve, reject) => this.commit.enqueue({ frames, bytes, offset, nextOffset: at, resolve, reject }));
      return { offset, nextOffset: at, offsets };
    });
  }

  private checkWritable(): void {
    if (this.closing !== undefined) throw new WalClosedError(this.dir);
    const failed = this.commit.failed;
    if (failed !== undefined) throw failed;
  }

  /** The file position for a batch at `offset`, rotating first when it would overflow the segment. */
  private place(offset: number, bytes: number): { fd: number; position: number } {
    const fileBytes = SEGMENT_HEADER_BYTES + offset - this.active.baseOffset;
    if (fileBytes > SEGMENT_HEADER_BYTES && fileBytes + bytes > this.options.segmentBytesMax) this.rotate(offset);
    return { fd: this.activeFd, position: SEGMENT_HEADER_BYTES + offset - this.active.baseOffset };
  }

  private rotate(baseOffset: number): void {
    const entry = createSegment(this.dir, baseOffset, this.options.durability === 'fsync');
    const fd = openSync(join(this.dir, entry.fileName), 'r+');
    closeSync(this.activeFd);
    this.activeFd = fd;
    this.entries.push(entry);
    this.logger.debug('wal segment rotated', { file: entry.fileName, base_offset: baseOffset });
  }

  private committed(endOffset: number): void {
    this.active.endOffset = endOffset;
    this.durableHead = endOffset;
    this.waiters.advance(endOffset);
  }

  /** The record at `offset`, verified. WalOffsetError when `offset` is not a readable record start. */
  async read(offset: number): Promise<WalRecord> {
    return readRecord(this.files, this, offset);
  }

  /** Records from `offset` in order, up to `bytesMax` framed bytes (at least one when any is there). */
  async readFrom(offset: number, bytesMax: number): Promise<WalRecord[]> {
    return readRecords(this.files, this, offset, bytesMax);
  }

  /** Resolves when the durable head reaches `offset`; rejects on abort or close. */
  waitFor(offset: number, signal?: AbortSignal): Promise<void> {
    return this.waiters.wait(offset, this.durableHead, signal);
  }

  /** Every record from `fromOffset`, following new appends as they become durable. */
  tail(fromOffset: number, options: TailOptions = {}): AsyncGenerator<WalRecord, void, undefined> {
    return tailRecords(this, fromOffset, options);
  }

  /**
   * Retention: delete every segment that lies entirely below `offset`, never the
   * active one. Returns the deleted segments; `firstOffset` moves up accordingly.
   */
  deleteSegmentsBelow(offset: number): SegmentInfo[] {
    const deleted: SegmentInfo[] = [];
    while (this.entries.length > 1 && this.entries[0]!.endOffset <= offset) {
      const seg = this.entries.shift()!;
      this.files.forget(seg.fileName);
      unlinkSync(join(this.dir, seg.fileName));
      deleted.push({ ...seg });
    }
    if (deleted.length > 0) {
      fsyncDir(this.dir);
      this.logger.info('wal segments deleted by retention', { below: offset, segments: deleted.length, first_offset: this.firstOffset });
    }
    return deleted;
  }

  /** Stop accepting appends, drain the in-flight group commit, release the lock. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.commit.idle();
      this.waiters.close(new WalClosedError(this.dir));
      this.files.closeAll();
      closeSync(this.activeFd);
      this.lock.release();
    })();
    return this.closing;
  }
}
