/**
 * Read-only access to a WAL directory that another process writes (no lock). The
 * reader learns the log from the files: it verifies every record it admits (CRC32C
 * and BLAKE3), so a partially written record at the end of the active segment is
 * simply "not there yet". It refreshes the segment list and the end of the active
 * segment whenever it is asked for an offset past what it knows, and its tail
 * follows the files with fs.watch plus a bounded fallback poll.
 *
 * Caveat (docs/WAL.md): the reader cannot see the writer's fdatasync, so a record
 * it admits is complete and intact but may not yet be durable against power loss.
 */
import { fstatSync, watch, type FSWatcher } from 'node:fs';
import { resolve } from 'node:path';
import { createLogger, type Logger } from '../telemetry/logger';
import { WalClosedError, WalOffsetError } from './errors';
import { readFullySync } from './file-io';
import { decodeSegmentHeader, type WalRecord } from './format';
import { abortError } from './head-waiters';
import { READER_POLL_INTERVAL_MS, SEGMENT_HEADER_BYTES } from './limits';
import { readRecord, readRecords, type ReadView } from './log-read';
import { scanRecords } from './segment-scan';
import { SegmentFiles } from './segment-files';
import { listSegmentFiles, type SegmentEntry, type SegmentInfo } from './segments';
import { tailRecords, type TailOptions } from './tail';

export interface WalReaderOptions {
  /** The WAL directory another process writes. */
  readonly dir: string;
  /** @default createLogger({ component: 'wal-reader' }) */
  readonly logger?: Logger;
}

export class WalReader implements ReadView {
  readonly dir: string;
  private entries: SegmentEntry[] = [];
  /** Segments verified to their end with a later segment present: the writer never touches them again. */
  private readonly sealed = new Set<string>();
  private readonly files: SegmentFiles;
  private readonly logger: Logger;
  private watcher: FSWatcher | undefined;
  private changeWaiters: (() => void)[] = [];
  private closed = false;

  private constructor(options: WalReaderOptions) {
    this.dir = resolve(options.dir);
    this.files = new SegmentFiles(this.dir);
    this.logger = options.logger ?? createLogger({ component: 'wal-reader' });
  }

  /** Open a reader over `dir` (which must exist) and learn the current end of the log. */
  static async open(options: WalReaderOptions): Promise<WalReader> {
    const reader = new WalReader(options);
    reader.refresh();
    return reader;
  }

  get segmentList(): readonly SegmentInfo[] {
    return this.entries;
  }

  /** End of the verified records this reader knows of (call `refresh()` to learn more). */
  get headOffset(): number {
    return this.entries.length === 0 ? 0 : this.entries[this.entries.length - 1]!.endOffset;
  }

  get firstOffset(): number {
    return this.entries.length === 0 ? 0 : this.entries[0]!.baseOffset;
  }

  segments(): SegmentInfo[] {
    return this.entries.map((e) => ({ ...e }));
  }

  /**
   * Re-read the directory: drop segments deleted by retention, add new ones, and
   * verify records appended since the last refresh. Returns the new head offset.
   */
  refresh(): number {
    if (this.closed) throw new WalClosedError(this.dir);
    const onDisk = listSegmentFiles(this.dir);
    const known = new Map(this.entries.map((e) => [e.fileName, e]));
    const next: SegmentEntry[] = [];
    for (let i = 0; i < onDisk.length; i++) {
      const f = onDisk[i]!;
      const prev = next[next.length - 1];
      // Stop at a gap: the records after it cannot be reached by offset.
      if (prev !== undefined && prev.endOffset !== f.baseOffset) break;
      const entry = known.get(f.fileName) ?? this.admitSegment(f.fileName, f.baseOffset);
      if (entry === undefined) break; // header not (fully) written yet
      next.push(entry);
      if (this.sealed.has(f.fileName)) continue;
      const complete = this.extend(entry);
      const sealed = i < onDisk.length - 1;
      if (complete && sealed) this.sealed.add(f.fileName);
      if (!complete && !sealed) break;
    }
    for (const e of this.entries) {
      if (next.includes(e)) continue;
      this.files.forget(e.fileName);
      this.sealed.delete(e.fileName);
    }
    this.entries = next;
    return this.headOffset;
  }

  private admitSegment(fileName: string, baseOffset: number): SegmentEntry | undefined {
    const fd = this.files.fd(fileName);
    const h = Buffer.alloc(SEGMENT_HEADER_BYTES);
    const decoded = decodeSegmentHeader(h.subarray(0, readFullySync(fd, h, 0)));
    if (!decoded.ok || decoded.baseOffset !== baseOffset) return undefined;
    return { baseOffset, endOffset: baseOffset, fileName };
  }

  /** Verify records past the segment's known end; false when it stopped at an incomplete or bad frame. */
  private extend(entry: SegmentEntry): boolean {
    const fd = this.files.fd(entry.fileName);
    const size = fstatSync(fd).size;
    const from = SEGMENT_HEADER_BYTES + entry.endOffset - entry.baseOffset;
    if (size <= from) return size === from;
    const scan = scanRecords(fd, size, entry.baseOffset, from);
    entry.endOffset = entry.baseOffset + scan.endPosition - SEGMENT_HEADER_BYTES;
    return scan.problem === undefined;
  }

  async read(offset: number): Promise<WalRecord> {
    return this.withRefresh(offset, () => readRecord(this.files, this, offset));
  }

  async readFrom(offset: number, bytesMax: number): Promise<WalRecord[]> {
    return this.withRefresh(offset, () => readRecords(this.files, this, offset, bytesMax));
  }

  /** Past what we know, or a segment file deleted under us: refresh once and retry. */
  private withRefresh<T>(offset: number, fn: () => T): T {
    if (offset >= this.headOffset) this.refresh();
    try {
      return fn();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && !(err instanceof WalOffsetError && err.kind === 'before_first')) throw err;
      this.refresh();
      return fn();
    }
  }

  /** Resolves when the log holds a verified record ending at or past `offset`. */
  async waitFor(offset: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (this.refresh() >= offset) return;
      await this.nextChange(signal);
    }
  }

  tail(fromOffset: number, options: TailOptions = {}): AsyncGenerator<WalRecord, void, undefined> {
    return tailRecords(this, fromOffset, options);
  }

  /** Resolves on the next fs.watch event in the directory or after READER_POLL_INTERVAL_MS, whichever is first. */
  private nextChange(signal?: AbortSignal): Promise<void> {
    if (this.closed) return Promise.reject(new WalClosedError(this.dir));
    if (signal?.aborted === true) return Promise.reject(abortError(signal));
    this.ensureWatcher();
    return new Promise<void>((res, rej) => {
      const finish = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.changeWaiters = this.changeWaiters.filter((w) => w !== wake);
      };
      const wake = (): void => {
        finish();
        if (this.closed) rej(new WalClosedError(this.dir));
        else res();
      };
      const onAbort = (): void => {
        finish();
        rej(abortError(signal!));
      };
      const timer = setTimeout(wake, READER_POLL_INTERVAL_MS);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.changeWaiters.push(wake);
    });
  }

  private ensureWatcher(): void {
    if (this.watcher !== undefined) return;
    try {
      this.watcher = watch(this.dir, { persistent: false }, () => this.wakeAll());
      this.watcher.on('error', (err) => {
        this.logger.warn('wal reader watch failed; polling only', { dir: this.dir, err });
        this.watcher?.close();
      });
    } catch (err) {
      this.logger.warn('wal reader cannot watch the directory; polling only', { dir: this.dir, err });
    }
  }

  private wakeAll(): void {
    for (const w of [...this.changeWaiters]) w();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watcher?.close();
    this.wakeAll();
    this.files.closeAll();
  }
}

