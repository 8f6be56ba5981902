/**
 * The write-ahead log: one writer process per directory (exclusive lock), global
 * byte offsets over rotating segment files, group-commit appends, verified reads,
 * a live tail, recovery on open and whole-segment retention. docs/WAL.md has the
 * format and the rules; this file composes the pieces.
 */
import { existsSync, fstatSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createLogger, type Logger } from '../telemetry/logger';
import { withSpan } from '../telemetry/tracing';
import { blake3 } from './checksum';
import { WalClosedError, WalLimitError, WalVanishedError } from './errors';
import { completeIo, type WalFs } from './file-io';
import { encodeRecordInto, type ReadChecks, type WalRecord } from './format';
import { GroupCommit, type GroupCommitStats } from './group-commit';
import { HeadWaiters } from './head-waiters';
import { OFFSET_MAX, RECORD_BYTES_MAX, RECORD_HEADER_BYTES, SEGMENT_HEADER_BYTES } from './limits';
import { acquireLock, type DirLock } from './lock';
import { readRecord, readRecords, type ReadView } from './log-read';
import { resolveOptions, type ResolvedWalOptions, type WalOptions } from './options';
import { nextManifest, writeManifest, type Manifest } from './manifest';
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
  /** The directory's identity at open: a different inode (or none) means it was removed or replaced. */
  private readonly dirId: { dev: number; ino: number };
  /** The open active segment's identity. */
  private activeId: { dev: number; ino: number };
  private manifest: Manifest;
  private durableHead: number;
  /** Offset the next append gets: offsets are assigned in call order. */
  private nextAssigned: number;
  private closing: Promise<void> | undefined;
  private readonly onRotate: ((baseOffset: number) => void) | undefined;

  private constructor(
    dir: string,
    private readonly options: ResolvedWalOptions,
    private readonly lock: DirLock,
    private readonly logger: Logger,
    private readonly io: WalFs,
    recovered: { segments: SegmentEntry[]; manifest: Manifest; report: RecoveryReport },
    onRotate: ((baseOffset: number) => void) | undefined,
  ) {
    this.dir = dir;
    this.onRotate = onRotate;
    this.entries = recovered.segments;
    this.manifest = recovered.manifest;
    this.recoveryReport = recovered.report;
    this.files = new SegmentFiles(dir);
    this.durableHead = this.active.endOffset;
    this.nextAssigned = this.durableHead;
    const st = statSync(dir);
    this.dirId = { dev: st.dev, ino: st.ino };
    this.activeFd = io.openSync(join(dir, this.active.fileName), 'r+');
    this.activeId = fstatSync(this.activeFd);
    this.commit = new GroupCommit({
      dir,
      durability: options.durability,
      delayMs: options.groupCommitDelayMs,
      batchBytesMax: options.batchBytesMax,
      io,
      target: { rotates: (offset, bytes) => this.rotates(offset, bytes), place: (offset, bytes) => this.place(offset, bytes), committed: (end) => this.committed(end), verify: (fd) => this.verifyActive(fd) },
      onFailure: (err) => this.logger.error('wal write failed; refusing all further appends', { dir, err: err.cause, head_offset: this.durableHead }),
    });
  }

  /** Take the directory's lock, run recovery, and open for appends. */
  static async open(options: WalOptions): Promise<Wal> {
    const resolved = resolveOptions(options);
    const dir = resolve(options.dir);
    const logger = options.logger ?? createLogger({ component: 'wal' });
    const io = completeIo(options.fileIo);
    if (!existsSync(dir)) {
      mkdirSync(dirname(dir), { recursive: true });
      io.mkdirSync(dir);
      io.fsyncDirSync(dirname(dir));
    }
    const lock = acquireLock(dir, io);
    try {
      const recovered = recover(dir, logger, { io, batchBytesMax: resolved.batchBytesMax });
      return new Wal(dir, resolved, lock, logger, io, recovered, options.onRotate);
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

  /** The log's identity: 32 hex digits, made when the log was created (kept in the manifest). */
  get logId(): string {
    return this.manifest.logId;
  }

  /** The highest offset retention was asked to trim below (the manifest's floor; 0 when it never ran). */
  get retentionFloor(): number {
    return this.manifest.retentionFloor;
  }

  /** The rotation size this log was opened with (file bytes, header included). */
  get segmentBytesMax(): number {
    return this.options.segmentBytesMax;
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
      // The call's frames back to back in one buffer: what the group commit writes.
      const data = Buffer.allocUnsafe(bytes);
      let at = offset;
      let pos = 0;
      for (const p of payloads) {
        offsets.push(at);
        pos = encodeRecordInto(data, pos, at, p, blake3(p));
        at += RECORD_HEADER_BYTES + p.length;
      }
      this.nextAssigned = at;
      span.setAttributes({ offset, bytes });
      if (payloads.length > 0) await new Promise<void>((resolve, reject) => this.commit.enqueue({ data, records: payloads.length, offset, nextOffset: at, resolve, reject }));
      return { offset, nextOffset: at, offsets };
    });
  }

  private checkWritable(): void {
    if (this.closing !== undefined) throw new WalClosedError(this.dir);
    const failed = this.commit.failed;
    if (failed !== undefined) throw failed;
  }

  /** Whether a batch of `bytes` at `offset` overflows the active segment (which holds at least one record first). */
  private rotates(offset: number, bytes: number): boolean {
    const fileBytes = SEGMENT_HEADER_BYTES + offset - this.active.baseOffset;
    return fileBytes > SEGMENT_HEADER_BYTES && fileBytes + bytes > this.options.segmentBytesMax;
  }

  /** The file position for a batch at `offset`, rotating first when it would overflow the segment. */
  private place(offset: number, bytes: number): { fd: number; position: number } {
    if (this.rotates(offset, bytes)) this.rotate(offset);
    return { fd: this.activeFd, position: SEGMENT_HEADER_BYTES + offset - this.active.baseOffset };
  }

  /**
   * Rotation: the new segment is created (temp name, fsync, rename, directory
   * fsync), then the manifest names it, and only then is anything written to it.
   */
  private rotate(baseOffset: number): void {
    this.verifyActive(this.activeFd);
    const durable = this.options.durability === 'fsync';
    const entry = createSegment(this.io, this.dir, baseOffset, durable);
    this.setManifest({ lastBase: baseOffset }, durable);
    const fd = this.io.openSync(join(this.dir, entry.fileName), 'r+');
    this.io.closeSync(this.activeFd);
    this.activeFd = fd;
    this.activeId = fstatSync(fd);
    this.entries.push(entry);
    this.logger.debug('wal segment rotated', { file: entry.fileName, base_offset: baseOffset });
    try {
      this.onRotate?.(baseOffset);
    } catch (err) {
      // A listener's failure is not the log's: the rotation is done and stays.
      this.logger.warn('wal rotation listener failed', { base_offset: baseOffset, error: err instanceof Error ? err.message : String(err) });
    }
  }

  private setManifest(changes: Parameters<typeof nextManifest>[1], durable = true): void {
    const next = nextManifest(this.manifest, changes);
    writeManifest(this.io, this.dir, next, durable);
    this.manifest = next;
  }

  /**
   * After every batch and before a rotation: the segment's name must still point
   * at the open file (one stat, compared with the inode taken when it was
   * opened; an open file's inode cannot be reused). Otherwise the log fails —
   * nothing written to a removed or replaced file may be acknowledged — with the
   * reason worked out from a few more stat calls.
   */
  private verifyActive(fd: number): void {
    const file = this.active.fileName;
    const named = statOrUndefined(join(this.dir, file));
    if (named !== undefined && named.ino === this.activeId.ino && named.dev === this.activeId.dev) return;
    throw new WalVanishedError(this.dir, file, this.vanishedBecause(fd, named));
  }

  private vanishedBecause(fd: number, named: { dev: number; ino: number } | undefined): string {
    if (fstatSync(fd).nlink === 0) return 'the active segment was unlinked';
    const dirSt = statOrUndefined(this.dir);
    if (dirSt === undefined) return 'the WAL directory is gone';
    if (dirSt.ino !== this.dirId.ino || dirSt.dev !== this.dirId.dev) return 'the WAL directory was replaced';
    return named === undefined ? 'the active segment is no longer in the directory' : 'the active segment was replaced';
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
  async readFrom(offset: number, bytesMax: number, checks: ReadChecks = {}): Promise<WalRecord[]> {
    return readRecords(this.files, this, offset, bytesMax, checks);
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
    let n = 0;
    while (n < this.entries.length - 1 && this.entries[n]!.endOffset <= offset) n++;
    if (n === 0) return [];
    // The manifest moves first: a crash before the unlinks leaves segments below its first, which the next open deletes.
    this.setManifest({ firstBase: this.entries[n]!.baseOffset, retentionFloor: Math.max(this.manifest.retentionFloor, offset) });
    const deleted: SegmentInfo[] = [];
    for (const seg of this.entries.splice(0, n)) {
      this.files.forget(seg.fileName);
      this.io.unlinkSync(join(this.dir, seg.fileName));
      deleted.push({ ...seg });
    }
    this.io.fsyncDirSync(this.dir);
    this.logger.info('wal segments deleted by retention', { below: offset, segments: deleted.length, first_offset: this.firstOffset, retention_floor: this.manifest.retentionFloor });
    return deleted;
  }

  /** Stop accepting appends, drain the in-flight group commit, release the lock. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.commit.idle();
      this.waiters.close(new WalClosedError(this.dir));
      this.files.closeAll();
      this.io.closeSync(this.activeFd);
      this.lock.release();
    })();
    return this.closing;
  }
}

function statOrUndefined(path: string): { dev: number; ino: number } | undefined {
  try {
    return statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}
