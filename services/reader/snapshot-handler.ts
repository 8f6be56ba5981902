/**
 * The Snapshot RPC: a consistent snapshot of this reader's store, streamed
 * to a peer that bootstraps from it (docs/SNAPSHOTS.md, "Transfer"). The
 * view is pinned between two ingest batches and read while ingest goes on;
 * every message waits for the client's flow control, so a slow peer holds
 * one chunk in memory, never the store. At most SNAPSHOT_STREAMS_MAX at once.
 */
import type { SnapshotRequest, SnapshotResponse } from '../../shared/gen/stemedb/v1/reader';
import { OverloadedError, UnavailableError } from '../../shared/grpc/errors';
import type { ServerStreamFn } from '../../shared/grpc/handlers';
import { writeSnapshot, type SnapshotSink } from '../../shared/snapshot/create';
import type { HybridStore } from '../../shared/storage/hybrid-store';
import type { Logger } from '../../shared/telemetry/logger';
import { withSpan } from '../../shared/telemetry/tracing';
import { SNAPSHOT_RETRY_AFTER_MS, SNAPSHOT_STREAMS_MAX } from './limits';

export interface SnapshotServing {
  readonly store: HybridStore;
  /** The writer's log id as this reader knows it ('' when unknown). */
  logId(): string;
  readonly logger: Logger;
  /** @default SNAPSHOT_STREAMS_MAX */
  readonly streamsMax?: number;
}

const EMPTY = Buffer.alloc(0);

export function snapshotHandler(serving: SnapshotServing): ServerStreamFn<SnapshotRequest, SnapshotResponse> {
  const max = serving.streamsMax ?? SNAPSHOT_STREAMS_MAX;
  let active = 0;
  return async (_request, out, ctx) => {
    if (active >= max) throw new OverloadedError('snapshot_streams', active, max, SNAPSHOT_RETRY_AFTER_MS);
    active++;
    try {
      await withSpan('snapshot.serve', { streams_active: active }, async (span) => {
        const started = performance.now();
        const view = await serving.store.pinView();
        const stopIfDraining = (): void => {
          if (ctx.draining.aborted) throw new UnavailableError('the reader is shutting down; the snapshot is incomplete, start it again on another reader');
        };
        let fileBytes = 0;
        const sink: SnapshotSink = {
          write: async (fileName, fileOffset, data) => {
            stopIfDraining();
            fileBytes = fileOffset + data.length;
            await out.write({ fileName, fileOffset: BigInt(fileOffset), data, fileEnd: false, manifest: EMPTY });
          },
          endFile: async (fileName) => {
            await out.write({ fileName, fileOffset: BigInt(fileBytes), data: EMPTY, fileEnd: true, manifest: EMPTY });
            fileBytes = 0;
          },
          finish: async (manifest) => {
            await out.write({ fileName: '', fileOffset: 0n, data: EMPTY, fileEnd: false, manifest });
          },
        };
        try {
          const manifest = await writeSnapshot(view, sink, { logId: serving.logId(), signal: ctx.signal });
          const ms = performance.now() - started;
          span.setAttributes({ offset: manifest.offset, files: manifest.files.length, keys: manifest.keys, bytes: manifest.bytes, pause_ms: view.pauseMs, wait_ms: view.waitMs, ms });
          serving.logger.info('snapshot served', { offset: manifest.offset, files: manifest.files.length, keys: manifest.keys, bytes: manifest.bytes, pause_ms: view.pauseMs, ms: Math.round(ms) });
        } finally {
          await view.release();
        }
      });
    } finally {
      active--;
    }
  };
}
