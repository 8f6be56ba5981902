/** Options of `Wal.open` and their validation. */
import type { Logger } from '../telemetry/logger';
import { WalOptionError } from './errors';
import type { WalFileIo, WalFs } from './file-io';
import type { Durability } from './group-commit';
import { BATCH_BYTES_MAX_DEFAULT, GROUP_COMMIT_DELAY_MS_MAX, RECORD_HEADER_BYTES, SEGMENT_BYTES_MAX_DEFAULT, SEGMENT_BYTES_MIN } from './limits';

export interface WalOptions {
  /** The WAL directory; created if missing. One writer process at a time. */
  readonly dir: string;
  /** Rotate to a new segment file when the active one would pass this size (file bytes, header included). @default 64 MiB (SEGMENT_BYTES_MAX_DEFAULT) */
  readonly segmentBytesMax?: number;
  /** `fsync`: acknowledge after fdatasync. `none`: after the write reached the OS — for tests and benchmarks only. @default 'fsync' */
  readonly durability?: Durability;
  /** Extra time a batch waits for followers before it is flushed; 0 flushes at the end of the current event-loop turn. @default 0 */
  readonly groupCommitDelayMs?: number;
  /** Cap on the framed bytes of one batch; one append or appendBatch call must fit in it. @default 8 MiB (BATCH_BYTES_MAX_DEFAULT) */
  readonly batchBytesMax?: number;
  /** Where the recovery report and failures are logged. @default createLogger({ component: 'wal' }) */
  readonly logger?: Logger;
  /**
   * The file operations the log performs; tests inject faults or record them here.
   * The append path's four are enough; the others default to node:fs. @default NODE_FILE_IO
   */
  readonly fileIo?: WalFileIo & Partial<WalFs>;
  /**
   * Told after each rotation, once the new segment is named by the manifest
   * (inside the group commit: schedule work, do not do it here; retention
   * uses it to run after rotations). @default none
   */
  readonly onRotate?: (baseOffset: number) => void;
}

export interface ResolvedWalOptions {
  readonly segmentBytesMax: number;
  readonly durability: Durability;
  readonly groupCommitDelayMs: number;
  readonly batchBytesMax: number;
}

function integerAtLeast(option: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new WalOptionError(option, value, `must be an integer in [${min}, ${max}]`);
  return value;
}

export function resolveOptions(o: WalOptions): ResolvedWalOptions {
  const durability = o.durability ?? 'fsync';
  if (durability !== 'fsync' && durability !== 'none') throw new WalOptionError('durability', durability, "must be 'fsync' or 'none'");
  return {
    segmentBytesMax: integerAtLeast('segmentBytesMax', o.segmentBytesMax ?? SEGMENT_BYTES_MAX_DEFAULT, SEGMENT_BYTES_MIN),
    durability,
    groupCommitDelayMs: integerAtLeast('groupCommitDelayMs', o.groupCommitDelayMs ?? 0, 0, GROUP_COMMIT_DELAY_MS_MAX),
    batchBytesMax: integerAtLeast('batchBytesMax', o.batchBytesMax ?? BATCH_BYTES_MAX_DEFAULT, RECORD_HEADER_BYTES),
  };
}
