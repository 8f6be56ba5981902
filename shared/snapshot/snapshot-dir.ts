/**
 * Snapshots as directories: `createSnapshot` (a store → DIR), `DirSink` (the
 * sink that writes files durably, also used to land a peer's stream), and
 * `verifySnapshot` (every check of docs/SNAPSHOTS.md, nothing written).
 */
import { mkdir, open, readdir, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { HybridStore } from '../storage/hybrid-store';
import { withSpan } from '../telemetry/tracing';
import type { SnapshotSink, WriteSnapshotOptions } from './create';
import { writeSnapshot } from './create';
import { SnapshotBehindLogError, SnapshotLogMismatchError, SnapshotOutputError } from './errors';
import { MANIFEST_FILE } from './format';
import type { SnapshotManifest } from './manifest';
import { readEntries, readManifestOf } from './read-files';

/** fsync a directory so the names created in it are durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes a snapshot's files into `dir` (which must be new or empty); the manifest goes last, atomically. */
export class DirSink implements SnapshotSink {
  private current: { name: string; handle: FileHandle; at: number } | undefined;

  private constructor(readonly dir: string) {}

  static async create(dir: string): Promise<DirSink> {
    await mkdir(dir, { recursive: true });
    const present = await readdir(dir);
    if (present.length > 0) throw new SnapshotOutputError(dir, `not empty (${present.slice(0, 3).join(', ')}${present.length > 3 ? ', ...' : ''}); give a new or empty directory`);
    return new DirSink(dir);
  }

  async write(file: string, fileOffset: number, data: Buffer): Promise<void> {
    if (this.current?.name !== file) {
      if (this.current !== undefined) throw new SnapshotOutputError(this.dir, `${file} started before ${this.current.name} ended`);
      this.current = { name: file, handle: await open(join(this.dir, file), 'wx'), at: 0 };
    }
    if (fileOffset !== this.current.at) throw new SnapshotOutputError(this.dir, `${file}: a piece at byte ${fileOffset}, expected ${this.current.at}`);
    await this.current.handle.write(data, 0, data.length, fileOffset);
    this.current.at += data.length;
  }

  async endFile(file: string): Promise<void> {
    if (this.current?.name !== file) {
      if (this.current !== undefined) throw new SnapshotOutputError(this.dir, `${file} ended while ${this.current.name} is open`);
      this.current = { name: file, handle: await open(join(this.dir, file), 'wx'), at: 0 }; // a file with no pieces
    }
    const { handle } = this.current;
    this.current = undefined;
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async finish(manifestBytes: Buffer): Promise<void> {
    if (this.current !== undefined) throw new SnapshotOutputError(this.dir, `the manifest arrived while ${this.current.name} is open`);
    const tmp = join(this.dir, `${MANIFEST_FILE}.tmp`);
    const handle = await open(tmp, 'wx');
    try {
      await handle.write(manifestBytes, 0, manifestBytes.length, 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(this.dir, MANIFEST_FILE));
    await fsyncDir(this.dir);
  }

  /** Closes a file left open by a failed transfer. */
  async abort(): Promise<void> {
    const open = this.current;
    this.current = undefined;
    await open?.handle.close();
  }
}

/** Snapshots `store` at its applied offset into `outDir` (new or empty), while ingest may keep applying. */
export async function createSnapshot(store: HybridStore, outDir: string, options: WriteSnapshotOptions): Promise<SnapshotManifest> {
  return withSpan('snapshot.create', { dir: outDir }, async (span) => {
    const started = performance.now();
    const sink = await DirSink.create(outDir);
    const view = await store.pinView();
    try {
      const manifest = await writeSnapshot(view, sink, options);
      span.setAttributes({ offset: manifest.offset, files: manifest.files.length, keys: manifest.keys, bytes: manifest.bytes, pause_ms: view.pauseMs, wait_ms: view.waitMs, ms: performance.now() - started });
      return manifest;
    } catch (err) {
      await sink.abort();
      throw err;
    } finally {
      await view.release();
    }
  });
}

export interface VerifyOptions {
  /** The log the snapshot must be of (32 hex digits); '' or undefined skips the check. */
  readonly logId?: string;
  /** Where `logId` came from, for the error ("writer HOST:PORT", "wal DIR"). */
  readonly logSource?: string;
  /** The log's first offset: a snapshot below it cannot be caught up. @default 0 */
  readonly firstOffset?: number;
}

/**
 * Every check of a snapshot directory, nothing written: the manifest
 * (version, canonical form, self-hash), exactly its files, each file's
 * header, size, BLAKE3, entries and order, the cursors, and the log id when
 * both sides know it. Returns the manifest; throws a typed Snapshot*Error.
 */
export async function verifySnapshot(dir: string, options: VerifyOptions = {}): Promise<SnapshotManifest> {
  const manifest = await readManifestOf(dir);
  checkLogId(dir, manifest, options);
  await readEntries(dir, manifest, () => undefined);
  return manifest;
}

/** Refuses a snapshot of another log (both ids known and different), or one older than the log's first offset. */
export function checkLogId(dir: string, manifest: SnapshotManifest, options: VerifyOptions): void {
  if (manifest.offset < (options.firstOffset ?? 0)) throw new SnapshotBehindLogError(dir, manifest.offset, options.firstOffset ?? 0, options.logSource ?? 'the log');
  const expected = options.logId ?? '';
  if (expected !== '' && manifest.logId !== '' && expected !== manifest.logId) {
    throw new SnapshotLogMismatchError(dir, manifest.logId, expected, options.logSource ?? 'the log');
  }
}
