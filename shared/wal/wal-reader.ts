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
import { WalClosedError, WalCorruptionError, WalOffsetError } from './errors';
import { segmentFileName, type WalRecord } from './format';
import { abortError } from './head-waiters';
import { BATCH_BYTES_MAX_DEFAULT, READER_POLL_INTERVAL_MS, SEGMENT_HEADER_BYTES } from './limits';
import { readManifest } from './manifest';
import { checkHeader, classifyBadFrame, classifyBadHeader, type Damage, type FrameVerdict } from './verdict';
import { readRecord, readRecords, type ReadView } from './log-read';
import { scanRecords } from './segment-scan';
import { SegmentFiles } from './segment-files';
import { listSegmentFiles, type SegmentEntry, type SegmentInfo } from './segments';
import { tailChunks, tailRecords, type TailOptions } from './tail';

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
  /** Corruption or a missing segment found by the last refresh. */
  private damage: Damage | undefined;
  /** Damage in the active segment seen by the last refresh, not yet confirmed by a second. */
  private suspect: Damage | undefined;

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
   * Damage the recovery rule calls corruption (a bad record before the tail, a
   * segment missing against the manifest or between two others) is remembered:
   * reads that reach it throw WalCorruptionError instead of waiting forever.
   */
  refresh(): number {
    if (this.closed) throw new WalClosedError(this.dir);
    let damage = this.scan();
    // A missing segment may be a rotation between the listing and the manifest read: look once more.
    if (damage?.kind === 'missing') damage = this.scan();
    // Damage in the active segment's frames counts once two refreshes agree: a read racing the
    // writer's copy into the page cache can see a later page written before an earlier one.
    const inActive = damage !== undefined && damage.kind === 'corruption' && damage.file === this.entries[this.entries.length - 1]?.fileName;
    const confirmed = !inActive || (this.suspect?.file === damage!.file && this.suspect.offset === damage!.offset);
    this.suspect = inActive ? damage : undefined;
    this.damage = confirmed ? damage : undefined;
    return this.headOffset;
  }

  private scan(): Damage | undefined {
    const onDisk = listSegmentFiles(this.dir);
    const manifest = readManifest(this.dir);
    const m = manifest.kind === 'ok' ? manifest.manifest : undefined;
    const files = m === undefined ? onDisk : onDisk.filter((f) => f.baseOffset >= m.firstBase);
    let listed: Damage | undefined;
    if (m !== undefined && files[0]?.baseOffset !== m.firstBase) listed = missingAt(m.firstBase, `the manifest's first segment ${segmentFileName(m.firstBase)} is missing`);
    else if (m !== undefined && !files.some((f) => f.baseOffset >= m.lastBase)) listed = missingAt(m.lastBase, `the manifest's last segment ${segmentFileName(m.lastBase)} is missing`);
    let damage: Damage | undefined;
    const known = new Map(this.entries.map((e) => [e.fileName, e]));
    const next: SegmentEntry[] = [];
    for (let i = 0; i < files.length && damage === undefined; i++) {
      const f = files[i]!;
      const prev = next[next.length - 1];
      // Stop at a gap: the records after it cannot be reached by offset, and they are damage, not "not yet written".
      if (prev !== undefined && prev.endOffset !== f.baseOffset) {
        damage = missingAt(prev.endOffset, `segment ${segmentFileName(prev.endOffset)} is missing: the previous segment ends at ${prev.endOffset}, ${f.fileName} starts at ${f.baseOffset}`);
        break;
      }
      const isLast = i === files.length - 1;
      const admitted = known.get(f.fileName) ?? this.admitSegment(f.fileName, f.baseOffset, isLast, m !== undefined && f.baseOffset <= m.lastBase);
      if ('kind' in admitted) {
        // A torn creation (a log from before temp+rename) is "not there yet"; any other bad header is damage.
        if (admitted.kind === 'corruption') damage = { kind: 'corruption', file: f.fileName, offset: f.baseOffset, reason: admitted.reason };
        break;
      }
      const entry = admitted;
      next.push(entry);
      if (this.sealed.has(f.fileName)) continue;
      const bad = this.extend(entry, isLast, m?.batchBytesMax ?? BATCH_BYTES_MAX_DEFAULT);
      if (bad === undefined) {
        if (!isLast) this.sealed.add(f.fileName);
        continue;
      }
      if (bad.kind === 'corruption') damage = { kind: 'corruption', file: f.fileName, offset: entry.endOffset, reason: bad.reason };
      break; // torn: the rest is not there yet
    }
    for (const e of this.entries) {
      if (next.includes(e)) continue;
      this.files.forget(e.fileName);
      this.sealed.delete(e.fileName);
    }
    this.entries = next;
    return listed ?? damage;
  }

  /** A new segment's entry, or the recovery rule's verdict on its header. */
  private admitSegment(fileName: string, baseOffset: number, isLast: boolean, named: boolean): SegmentEntry | FrameVerdict {
    const fd = this.files.fd(fileName);
    const header = checkHeader(fd, baseOffset);
    if (!header.ok) return classifyBadHeader(fd, fstatSync(fd).size, header.reason, isLast, named);
    return { baseOffset, endOffset: baseOffset, fileName };
  }

  /** Verify records past the segment's known end; the recovery rule's verdict when it stopped at a bad frame. */
  private extend(entry: SegmentEntry, isLast: boolean, batchBytesMax: number): FrameVerdict | undefined {
    const fd = this.files.fd(entry.fileName);
    const size = fstatSync(fd).size;
    const from = SEGMENT_HEADER_BYTES + entry.endOffset - entry.baseOffset;
    if (size <= from) return size === from ? undefined : { kind: 'corruption', reason: `segment shrank to ${size} bytes below its verified end` };
    const scan = scanRecords(fd, size, entry.baseOffset, from);
    entry.endOffset = entry.baseOffset + scan.endPosition - SEGMENT_HEADER_BYTES;
    if (scan.problem === undefined) return undefined;
    return classifyBadFrame(fd, size, entry.baseOffset, scan.problem.position, scan.problem.reason, isLast, batchBytesMax);
  }

  /** Damage at or below `offset` that a read must report instead of waiting for more. */
  private throwIfDamaged(offset: number): void {
    const d = this.damage;
    if (d === undefined) return;
    if (offset >= d.offset || (d.kind === 'missing' && d.offset < this.firstOffset)) throw new WalCorruptionError(this.dir, d.file, d.offset, d.reason);
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
      if (offset >= this.headOffset || offset < this.firstOffset) this.throwIfDamaged(offset);
      return fn();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && !(err instanceof WalOffsetError && err.kind === 'before_first')) throw err;
      this.refresh();
      if (offset >= this.headOffset || offset < this.firstOffset) this.throwIfDamaged(offset);
      return fn();
    }
  }

  /** Resolves when the log holds a verified record ending at or past `offset`. */
  async waitFor(offset: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (this.refresh() >= offset) return;
      this.throwIfDamaged(offset - 1);
      await this.nextChange(signal);
    }
  }

  tail(fromOffset: number, options: TailOptions = {}): AsyncGenerator<WalRecord, void, undefined> {
    return tailRecords(this, fromOffset, options);
  }

  /** The same records as `tail`, one array per log read. */
  tailChunks(fromOffset: number, options: TailOptions = {}): AsyncGenerator<WalRecord[], void, undefined> {
    return tailChunks(this, fromOffset, options);
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

function missingAt(offset: number, reason: string): Damage {
  return { kind: 'missing', file: segmentFileName(offset), offset, reason };
}
