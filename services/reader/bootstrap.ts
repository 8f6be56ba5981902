/**
 * Before the store opens: decide whether this reader resumes, or starts from
 * a snapshot (docs/SNAPSHOTS.md, "Bootstrap").
 *
 *   an interrupted restore (`{data}/restoring/`)     → wiped, then as empty
 *   store holds data, source still has its cursor   → resume as always
 *   store holds data, the log was trimmed past it   → with a bootstrap source: wipe and bootstrap;
 *                                                     without: ReaderTrimmedError naming both offsets
 *   store empty, a bootstrap source                 → restore the snapshot, then tail from its offset
 *                                                     (a peer that does not answer, UNAVAILABLE, on a
 *                                                     log that still starts at 0: replay instead)
 *   store empty, no source, the log trimmed above 0 → ReaderTrimmedError
 *   store empty, no source                          → replay the log from 0
 *
 * The restore finishes before the server binds, so SERVING (and the ready
 * line) can only follow it.
 */
import { mkdir, rm } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import { join } from 'node:path';
import { ReaderServiceClient, type SnapshotResponse } from '../../shared/gen/stemedb/v1/reader';
import { makeClient } from '../../shared/grpc/client';
import { ClientTlsReloader, clientTlsChannelOptions } from '../../shared/grpc/tls';
import type { ClientTlsFiles } from '../../shared/grpc/tls-options';
import { SnapshotReceiver } from '../../shared/snapshot/receive';
import { clearInterruptedRestore, restoreSnapshot, storeIsEmpty, wipeStore } from '../../shared/snapshot/restore';
import { openHybridStore } from '../../shared/storage/hybrid-store';
import type { Logger } from '../../shared/telemetry/logger';
import { withSpan } from '../../shared/telemetry/tracing';
import type { BootstrapSource, ReaderConfig } from './config';
import { ReaderTrimmedError, StoreLogMismatchError } from './errors';
import { logPositionOf, recordStoreLogId, storeLogId, type LogPosition } from './log-identity';

/** No peer is listening or ready (a Service without ready endpoints). */
const PEER_UNREACHABLE = grpc.status.UNAVAILABLE;

/** Where a peer's snapshot lands before it is verified and restored. */
export const BOOTSTRAP_DOWNLOAD_DIR = 'bootstrap-download';

export interface PreparedStore {
  /** 'resume', or the offset the snapshot restored the store to. */
  readonly bootstrappedAt: number | 'resume';
  /** The writer's log id as far as known ('' when not). */
  readonly logId: string;
}

/** Runs the table above for `config`; the store directory is then ready to open. */
export async function prepareStore(config: ReaderConfig, logger: Logger): Promise<PreparedStore> {
  const dataDir = config.dataDir;
  await mkdir(dataDir, { recursive: true });
  if (await clearInterruptedRestore(dataDir)) logger.warn('a restore was interrupted; its partial store was deleted', { data_dir: dataDir });
  const position = await positionOrUnknown(config, logger);
  const known = storeLogId(dataDir);
  if (known !== '' && position.logId !== '' && known !== position.logId) throw new StoreLogMismatchError(dataDir, known, position.logId, position.source);
  const logId = position.logId !== '' ? position.logId : known;
  if (!(await storeIsEmpty(dataDir))) {
    const applied = await appliedOffsetOf(dataDir);
    if (applied >= position.firstOffset) {
      await recordStoreLogId(dataDir, logId);
      return { bootstrappedAt: 'resume', logId };
    }
    if (config.bootstrap === undefined) throw new ReaderTrimmedError(dataDir, applied, position.firstOffset, position.source);
    logger.warn('the log was trimmed past this store; deleting it to bootstrap from a snapshot', { data_dir: dataDir, applied_offset: applied, first_offset: position.firstOffset, source: position.source });
    await wipeStore(dataDir);
  }
  if (config.bootstrap === undefined) {
    if (position.firstOffset > 0) throw new ReaderTrimmedError(dataDir, 0, position.firstOffset, position.source);
    await recordStoreLogId(dataDir, logId);
    return { bootstrappedAt: 'resume', logId };
  }
  let offset: number;
  try {
    offset = await bootstrap(config.bootstrap, dataDir, position, logger);
  } catch (err) {
    // The first reader of a deployment has no peer to copy: while the log is whole, replay it.
    if (config.bootstrap.kind !== 'peer' || position.firstOffset > 0 || (err as { code?: unknown }).code !== PEER_UNREACHABLE) throw err;
    logger.warn('no peer reader answered for a snapshot; the log is whole, so replaying it from 0', { peer: config.bootstrap.address, error: err instanceof Error ? err.message : String(err) });
    await recordStoreLogId(dataDir, logId);
    return { bootstrappedAt: 'resume', logId };
  }
  const restoredLogId = position.logId !== '' ? position.logId : storeLogId(dataDir);
  return { bootstrappedAt: offset, logId: restoredLogId };
}

async function positionOrUnknown(config: ReaderConfig, logger: Logger): Promise<LogPosition> {
  try {
    return await logPositionOf(config.source);
  } catch (err) {
    const source = config.source.kind === 'writer' ? `writer ${config.source.address}` : `wal ${config.source.dir}`;
    logger.warn('cannot ask the log source where it starts; assuming it holds the whole log', { source, error: err instanceof Error ? err.message : String(err) });
    return { firstOffset: 0, headOffset: -1, logId: '', source };
  }
}

async function appliedOffsetOf(dataDir: string): Promise<number> {
  const store = await openHybridStore(dataDir);
  try {
    const { rocks, lmdb } = store.cursors();
    return Math.min(rocks, lmdb);
  } finally {
    await store.close();
  }
}

/** Restores the snapshot `source` names into the empty store; returns its offset. */
async function bootstrap(source: BootstrapSource, dataDir: string, position: LogPosition, logger: Logger): Promise<number> {
  const from = source.kind === 'peer' ? `peer ${source.address}` : `snapshot ${source.dir}`;
  return withSpan('reader.bootstrap', { from, data_dir: dataDir }, async (span) => {
    const started = performance.now();
    const download = join(dataDir, BOOTSTRAP_DOWNLOAD_DIR);
    let dir = source.kind === 'snapshot' ? source.dir : download;
    try {
      if (source.kind === 'peer') {
        await rm(download, { recursive: true, force: true });
        await downloadSnapshot(source.address, download, source.tls);
        dir = download;
      }
      const { manifest, ms } = await restoreSnapshot(dir, dataDir, { logId: position.logId, logSource: position.source, firstOffset: position.firstOffset });
      if (position.logId === '' || manifest.logId === '') logger.warn('the log id of the snapshot or of the source is unknown; the snapshot could not be checked to be of this log', { snapshot_log_id: manifest.logId, source_log_id: position.logId, source: position.source });
      await recordStoreLogId(dataDir, position.logId !== '' ? position.logId : manifest.logId);
      const totalMs = performance.now() - started;
      span.setAttributes({ offset: manifest.offset, files: manifest.files.length, keys: manifest.keys, bytes: manifest.bytes, restore_ms: ms, ms: totalMs });
      logger.info('bootstrapped from a snapshot', { from, offset: manifest.offset, keys: manifest.keys, bytes: manifest.bytes, files: manifest.files.length, ms: Math.round(totalMs) });
      return manifest.offset;
    } finally {
      if (source.kind === 'peer') await rm(download, { recursive: true, force: true });
    }
  });
}

/** Streams a peer's snapshot into `dir` (new), checking the transfer rules; the caller verifies it. */
export async function downloadSnapshot(peer: string, dir: string, tlsFiles?: ClientTlsFiles): Promise<void> {
  const tls = tlsFiles === undefined ? undefined : new ClientTlsReloader(tlsFiles);
  const client = makeClient(ReaderServiceClient, peer, { channelOptions: clientTlsChannelOptions(tls?.files), ...(tls === undefined ? {} : { credentials: tls.credentials }) });
  const receiver = await SnapshotReceiver.into(dir, peer);
  const call = client.snapshot({});
  try {
    for await (const m of call as AsyncIterable<SnapshotResponse>) {
      await receiver.accept({ fileName: m.fileName, fileOffset: Number(m.fileOffset), data: m.data, fileEnd: m.fileEnd, manifest: m.manifest });
    }
    await receiver.end();
  } catch (err) {
    await receiver.abort();
    throw err;
  } finally {
    call.cancel();
    client.close();
  }
}
