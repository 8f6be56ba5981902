/**
 * Which log a reader's source serves and where it starts, and which log the
 * reader's store was built from (docs/SNAPSHOTS.md, "Log identity").
 *
 * The log id is the 16-byte id in the WAL's MANIFEST. A WAL directory source
 * reads it from there. Over gRPC it comes from the writer's Head response
 * (`log_id`); a source that does not say leaves it '' (unknown), and the
 * checks that need both ids are skipped and logged.
 * The store's log id is kept beside the store in `{data}/log-id` (32 hex
 * digits and a newline), written when first learned and copied from a
 * restored snapshot's manifest.
 */
import { existsSync, readFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { WriterServiceClient, type HeadResponse } from '../../shared/gen/stemedb/v1/writer';
import { callUnary, makeClient } from '../../shared/grpc/client';
import { ClientTlsReloader, clientTlsChannelOptions } from '../../shared/grpc/tls';
import { WalReader } from '../../shared/wal';
import { readManifest } from '../../shared/wal/manifest';
import type { ReaderSource } from './config';
import { STARTUP_HEAD_DEADLINE_MS } from './limits';

export const LOG_ID_FILE = 'log-id';
const LOG_ID_PATTERN = /^[0-9a-f]{32}$/;

export interface LogPosition {
  /** Lowest offset the log still holds (raised by retention). */
  readonly firstOffset: number;
  readonly headOffset: number;
  /** 32 hex digits, or '' when the source does not say. */
  readonly logId: string;
  /** "writer HOST:PORT" or "wal DIR". */
  readonly source: string;
}

/** The log id a Head response carries (32 hex digits), or '' when it is not one. */
export function logIdOfHead(head: HeadResponse): string {
  const text = head.logId.toLowerCase();
  return LOG_ID_PATTERN.test(text) ? text : '';
}

/** Asks the source where its log starts and ends, and its id. Throws when the source cannot be reached. */
export async function logPositionOf(source: ReaderSource): Promise<LogPosition> {
  if (source.kind === 'wal') {
    const reader = await WalReader.open({ dir: source.dir });
    try {
      const manifest = readManifest(source.dir);
      return { firstOffset: reader.firstOffset, headOffset: reader.headOffset, logId: manifest.kind === 'ok' ? manifest.manifest.logId : '', source: `wal ${source.dir}` };
    } finally {
      await reader.close();
    }
  }
  const tls = source.tls === undefined ? undefined : new ClientTlsReloader(source.tls);
  const client = makeClient(WriterServiceClient, source.address, { channelOptions: clientTlsChannelOptions(tls?.files), ...(tls === undefined ? {} : { credentials: tls.credentials }) });
  try {
    const head = await callUnary(client.head.bind(client), {}, { deadlineMs: STARTUP_HEAD_DEADLINE_MS });
    return { firstOffset: Number(head.firstOffset), headOffset: Number(head.headOffset), logId: logIdOfHead(head), source: `writer ${source.address}` };
  } finally {
    client.close();
  }
}

/** The log id recorded beside the store, '' when none is. */
export function storeLogId(dataDir: string): string {
  const path = join(dataDir, LOG_ID_FILE);
  if (!existsSync(path)) return '';
  const text = readFileSync(path, 'utf8').trim();
  return LOG_ID_PATTERN.test(text) ? text : '';
}

/** Records the store's log id durably (write, fsync, rename). */
export async function recordStoreLogId(dataDir: string, logId: string): Promise<void> {
  if (!LOG_ID_PATTERN.test(logId)) return;
  const tmp = join(dataDir, `${LOG_ID_FILE}.tmp`);
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(`${logId}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, join(dataDir, LOG_ID_FILE));
}
