/**
 * Writes a snapshot of a pinned store view (shared/storage/store-view.ts) to a
 * sink — a directory (`snapshot-dir.ts`) or a peer's Snapshot stream — as data
 * files of SNAPSHOT_CHUNK_BYTES pieces, then the sealed manifest last. Every
 * byte is hashed as it goes; nothing is decoded.
 */
import { blake3Hasher, type Blake3Hasher } from '../domain/hash';
import type { Entry } from '../storage/kv-store';
import { STORE_FORMAT_VERSION } from '../storage/store-format';
import type { StoreView } from '../storage/store-view';
import { SnapshotLimitError } from './errors';
import { dataFileName, encodeEntry, encodeFileHeader, type SnapshotBackend } from './format';
import { SNAPSHOT_BYTES_MAX, SNAPSHOT_CHUNK_BYTES, SNAPSHOT_FILE_BYTES_MAX, SNAPSHOT_FILES_MAX, SNAPSHOT_FORMAT_VERSION } from './limits';
import { sealManifest, SNAPSHOT_FORMAT_NAME, type SnapshotFile, type SnapshotManifest } from './manifest';

/** Where a snapshot's bytes go, in order: each file's pieces, then the manifest. */
export interface SnapshotSink {
  /** `data` is the bytes of `file` from `fileOffset` on (at most SNAPSHOT_CHUNK_BYTES). */
  write(file: string, fileOffset: number, data: Buffer): Promise<void>;
  /** Every piece of `file` has been written. */
  endFile(file: string): Promise<void>;
  /** The manifest's exact bytes, after every file. */
  finish(manifestBytes: Buffer, manifest: SnapshotManifest): Promise<void>;
}

export interface WriteSnapshotOptions {
  /** The writer's log id (32 hex digits), '' when unknown. */
  readonly logId: string;
  /** @default SNAPSHOT_FILE_BYTES_MAX */
  readonly fileBytesMax?: number;
  /** @default SNAPSHOT_BYTES_MAX */
  readonly bytesMax?: number;
  readonly signal?: AbortSignal;
  /** The manifest's createdAt (reproducible test vectors). @default now */
  readonly createdAt?: string;
}

/** One data file being written: its pieces are buffered up to a chunk, hashed and handed to the sink. */
class FileBuilder {
  readonly hasher: Blake3Hasher = blake3Hasher();
  bytes = 0;
  keys = 0;
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private sent = 0;

  constructor(
    readonly name: string,
    readonly backend: SnapshotBackend,
    private readonly sink: SnapshotSink,
    header: Buffer,
  ) {
    this.add(header);
  }

  add(bytes: Buffer): void {
    this.hasher.update(bytes);
    this.buffered.push(bytes);
    this.bufferedBytes += bytes.length;
    this.bytes += bytes.length;
  }

  get full(): boolean {
    return this.bufferedBytes >= SNAPSHOT_CHUNK_BYTES;
  }

  /** Sends whole chunks (all of the buffer when `all`). */
  async drain(all: boolean): Promise<void> {
    if (this.bufferedBytes === 0 || (!all && !this.full)) return;
    let data = Buffer.concat(this.buffered, this.bufferedBytes);
    this.buffered = [];
    this.bufferedBytes = 0;
    while (data.length >= SNAPSHOT_CHUNK_BYTES || (all && data.length > 0)) {
      const piece = data.subarray(0, SNAPSHOT_CHUNK_BYTES);
      await this.sink.write(this.name, this.sent, piece);
      this.sent += piece.length;
      data = data.subarray(piece.length);
    }
    if (data.length > 0) {
      this.buffered.push(data);
      this.bufferedBytes = data.length;
    }
  }

  async end(): Promise<SnapshotFile> {
    await this.drain(true);
    await this.sink.endFile(this.name);
    return { name: this.name, backend: this.backend, keys: this.keys, bytes: this.bytes, blake3: this.hasher.digest().toString('hex') };
  }
}

/** Writes `view` to `sink` and returns the sealed manifest (also handed to the sink). */
export async function writeSnapshot(view: StoreView, sink: SnapshotSink, options: WriteSnapshotOptions): Promise<SnapshotManifest> {
  const files: SnapshotFile[] = [];
  const budget = { bytes: 0, max: options.bytesMax ?? SNAPSHOT_BYTES_MAX };
  for (const backend of ['rocksdb', 'lmdb'] as const) {
    const entries = backend === 'rocksdb' ? view.rocks : view.lmdb;
    files.push(...(await writeBackend(backend, entries, sink, files.length, budget, options)));
  }
  const { manifest, bytes } = sealManifest({
    format: SNAPSHOT_FORMAT_NAME,
    version: SNAPSHOT_FORMAT_VERSION,
    storeFormat: STORE_FORMAT_VERSION,
    offset: view.appliedThrough,
    logId: options.logId,
    createdAt: options.createdAt ?? new Date().toISOString(),
    keys: files.reduce((n, f) => n + f.keys, 0),
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    files,
  });
  await sink.finish(bytes, manifest);
  return manifest;
}

async function writeBackend(
  backend: SnapshotBackend,
  entries: AsyncIterable<Entry>,
  sink: SnapshotSink,
  filesBefore: number,
  budget: { bytes: number; max: number },
  options: WriteSnapshotOptions,
): Promise<SnapshotFile[]> {
  const fileBytesMax = options.fileBytesMax ?? SNAPSHOT_FILE_BYTES_MAX;
  const done: SnapshotFile[] = [];
  const open = (sequence: number): FileBuilder => {
    if (filesBefore + done.length + 1 > SNAPSHOT_FILES_MAX) throw new SnapshotLimitError('SNAPSHOT_FILES_MAX', SNAPSHOT_FILES_MAX, filesBefore + done.length + 1, 'snapshot data files');
    return new FileBuilder(dataFileName(backend, sequence), backend, sink, encodeFileHeader(backend, sequence));
  };
  let file = open(0);
  for await (const [key, value] of entries) {
    options.signal?.throwIfAborted();
    const entry = encodeEntry(key, value);
    if (file.keys > 0 && file.bytes + entry.length > fileBytesMax) {
      budget.bytes += file.bytes;
      done.push(await file.end());
      file = open(done.length);
    }
    if (budget.bytes + file.bytes + entry.length > budget.max) throw new SnapshotLimitError('SNAPSHOT_BYTES_MAX', budget.max, budget.bytes + file.bytes + entry.length, 'snapshot size');
    file.add(entry);
    file.keys += 1;
    if (file.full) await file.drain(false);
  }
  budget.bytes += file.bytes;
  done.push(await file.end());
  return done;
}
