/**
 * The parts of the WAL the writer's handlers use. `Wal` (shared/wal) is the
 * real one; tests pass fakes (e.g. a log whose appends never complete, to
 * check AppendStream's flow control).
 */
import type { AppendBatchResult, AppendResult, ReadChecks, SegmentInfo, WalRecord } from '../../shared/wal';

export interface WriterLog {
  append(payload: Uint8Array): Promise<AppendResult>;
  appendBatch(payloads: readonly Uint8Array[]): Promise<AppendBatchResult>;
  readFrom(offset: number, bytesMax: number, checks?: ReadChecks): Promise<WalRecord[]>;
  waitFor(offset: number, signal?: AbortSignal): Promise<void>;
  readonly headOffset: number;
  readonly firstOffset: number;
  segments(): SegmentInfo[];
  /** The log's identity (Head); fakes may go without. */
  readonly logId?: string;
  /** The MANIFEST's retention floor (Head). */
  readonly retentionFloor?: number;
  /** The rotation size (Head). */
  readonly segmentBytesMax?: number;
}

/** Whether `err` means the log cannot take writes (then nothing was acknowledged). */
export function isLogUnwritable(err: unknown): boolean {
  const name = err instanceof Error ? err.name : '';
  return name === 'WalUnavailableError' || name === 'WalClosedError';
}

/** Run a log write; when the log is unwritable, tell `onLogUnwritable` before the error becomes UNAVAILABLE. */
export async function writeToLog<T>(deps: { onLogUnwritable(err: unknown): void }, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isLogUnwritable(err)) deps.onLogUnwritable(err);
    throw err;
  }
}
