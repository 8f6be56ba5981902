/** The tail loop shared by `Wal` and `WalReader`: read what is there, then sleep until more is. */
import { WalClosedError } from './errors';
import type { WalRecord } from './format';
import { TAIL_READ_BYTES_MAX } from './limits';

export interface TailSource {
  readFrom(offset: number, bytesMax: number): Promise<WalRecord[]>;
  waitFor(offset: number, signal?: AbortSignal): Promise<void>;
}

export interface TailOptions {
  /** Ends the iteration (without an error) when aborted. */
  readonly signal?: AbortSignal;
  /** Framed bytes read per batch. @default TAIL_READ_BYTES_MAX (1 MiB) */
  readonly bytesMax?: number;
}

/**
 * Every record from `fromOffset` on, in order, exactly once, following new appends
 * until the signal aborts or the log closes. `fromOffset` must be a record boundary
 * (or the head); otherwise the first read throws WalOffsetError.
 */
export async function* tailRecords(source: TailSource, fromOffset: number, options: TailOptions = {}): AsyncGenerator<WalRecord, void, undefined> {
  for await (const records of tailChunks(source, fromOffset, options)) yield* records;
}

/**
 * The same records as `tailRecords`, one array per log read (never empty):
 * for consumers that take records in batches, one iterator step per read
 * instead of one per record.
 */
export async function* tailChunks(source: TailSource, fromOffset: number, options: TailOptions = {}): AsyncGenerator<WalRecord[], void, undefined> {
  const { signal } = options;
  const bytesMax = options.bytesMax ?? TAIL_READ_BYTES_MAX;
  let cursor = fromOffset;
  while (!isAborted(signal)) {
    try {
      await source.waitFor(cursor + 1, signal);
    } catch (err) {
      if (isAborted(signal) || err instanceof WalClosedError) return;
      throw err;
    }
    const records = await source.readFrom(cursor, bytesMax);
    if (records.length === 0) continue;
    yield records;
    cursor = records[records.length - 1]!.nextOffset;
  }
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
