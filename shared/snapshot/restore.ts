/**
 * Restoring a snapshot into an empty store (docs/SNAPSHOTS.md, "Restore"):
 * verify everything first; then write the entries into a staging store at
 * `{data}/restoring/` (checked again as they are read), make it durable, and
 * move its two backends into place. A failure at any point leaves the store
 * as it was (empty); a restore cut by a crash leaves `restoring/`, which the
 * next start clears before anything else (`clearInterruptedRestore`).
 */
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BatchOp } from '../storage/kv-store';
import { openHybridStore } from '../storage/hybrid-store';
import { withSpan } from '../telemetry/tracing';
import { SnapshotTargetNotEmptyError } from './errors';
import { RESTORE_BATCH_BYTES } from './limits';
import type { SnapshotManifest } from './manifest';
import { readEntries } from './read-files';
import { checkLogId, fsyncDir, verifySnapshot, type VerifyOptions } from './snapshot-dir';

/** The staging directory inside the data directory while a restore runs. */
export const RESTORE_STAGING_DIR = 'restoring';
const BACKEND_DIRS = ['rocksdb', 'lmdb'] as const;

/** True when the store directory holds no store, or an empty one at cursor 0. */
export async function storeIsEmpty(dataDir: string): Promise<boolean> {
  if (!BACKEND_DIRS.some((d) => existsSync(join(dataDir, d)))) return true;
  const store = await openHybridStore(dataDir);
  try {
    const { rocks, lmdb } = store.cursors();
    if (rocks !== 0 || lmdb !== 0) return false;
    for await (const _ of store.scanPrefix(Buffer.alloc(0), { limit: 1 })) return false;
    return true;
  } finally {
    await store.close();
  }
}

/** Deletes the store's backends (the caller decided the store must be rebuilt). */
export async function wipeStore(dataDir: string): Promise<void> {
  for (const d of [...BACKEND_DIRS, RESTORE_STAGING_DIR]) await rm(join(dataDir, d), { recursive: true, force: true });
}

/** A restore cut short by a crash leaves its staging directory and maybe half-moved backends: clear them. Returns whether it did. */
export async function clearInterruptedRestore(dataDir: string): Promise<boolean> {
  if (!existsSync(join(dataDir, RESTORE_STAGING_DIR))) return false;
  await wipeStore(dataDir);
  return true;
}

export interface RestoreResult {
  readonly manifest: SnapshotManifest;
  readonly ms: number;
}

/** Verifies `snapshotDir` and restores it into the empty store at `dataDir`; throws a typed Snapshot*Error, leaving `dataDir` empty. */
export async function restoreSnapshot(snapshotDir: string, dataDir: string, options: VerifyOptions = {}): Promise<RestoreResult> {
  return withSpan('snapshot.restore', { dir: snapshotDir, data_dir: dataDir }, async (span) => {
    const started = performance.now();
    const manifest = await verifySnapshot(snapshotDir, options);
    checkLogId(snapshotDir, manifest, options);
    if (!(await storeIsEmpty(dataDir))) {
      const store = await openHybridStore(dataDir);
      const applied = store.cursors().rocks;
      await store.close();
      throw new SnapshotTargetNotEmptyError(dataDir, applied);
    }
    const staging = join(dataDir, RESTORE_STAGING_DIR);
    try {
      await rm(staging, { recursive: true, force: true });
      await writeStaging(snapshotDir, manifest, staging);
      await install(staging, dataDir);
    } catch (err) {
      await wipeStore(dataDir);
      throw err;
    }
    const ms = performance.now() - started;
    span.setAttributes({ offset: manifest.offset, files: manifest.files.length, keys: manifest.keys, bytes: manifest.bytes, ms });
    return { manifest, ms };
  });
}

async function writeStaging(snapshotDir: string, manifest: SnapshotManifest, staging: string): Promise<void> {
  const store = await openHybridStore(staging);
  try {
    let ops: BatchOp[] = [];
    let bytes = 0;
    await readEntries(snapshotDir, manifest, async (_backend, key, value) => {
      ops.push({ type: 'put', key, value });
      bytes += key.length + value.length;
      if (bytes >= RESTORE_BATCH_BYTES) {
        await store.batch(ops);
        ops = [];
        bytes = 0;
      }
    });
    if (ops.length > 0) await store.batch(ops);
    await store.flush();
  } finally {
    await store.close();
  }
}

/** Moves the staged backends into the data directory; `restoring/` goes last, so its presence marks an unfinished restore. */
async function install(staging: string, dataDir: string): Promise<void> {
  for (const d of BACKEND_DIRS) {
    await rm(join(dataDir, d), { recursive: true, force: true });
    await rename(join(staging, d), join(dataDir, d));
  }
  await fsyncDir(dataDir);
  await rm(staging, { recursive: true, force: true });
  await fsyncDir(dataDir);
}
