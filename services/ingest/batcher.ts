/**
 * Groups a record stream into batches: a batch closes at `recordsMax`
 * records, at `bytesMax` payload bytes, or `delayMs` after its first record
 * when no more records are at hand (live tailing), whichever comes first.
 *
 * The stream is taken a chunk at a time when the source offers chunks
 * (wal-source.ts, RecordChunks: a Tail message or a log read), so waiting for
 * more costs one iterator step and one race against the deadline per chunk,
 * not per record. A chunk that does not fit is split: its rest starts the
 * next batch. At most one chunk is held besides the batch being filled.
 */
import { recordChunks, type SourceRecord } from './wal-source';

export interface BatchLimits {
  readonly recordsMax: number;
  readonly bytesMax: number;
  readonly delayMs: number;
}

const TIMED_OUT = Symbol('timed-out');

/** A batch being filled; `take` moves records from a chunk while it has room and returns where it stopped. */
class Filling {
  readonly records: SourceRecord[] = [];
  private bytes = 0;

  constructor(private readonly limits: BatchLimits) {}

  full(): boolean {
    return this.records.length >= this.limits.recordsMax || this.bytes >= this.limits.bytesMax;
  }

  take(chunk: readonly SourceRecord[], from: number): number {
    let i = from;
    while (i < chunk.length && !this.full()) {
      const r = chunk[i++]!;
      this.records.push(r);
      this.bytes += r.payload.length;
    }
    return i;
  }
}

export async function* batchRecords(records: AsyncIterable<SourceRecord>, limits: BatchLimits): AsyncGenerator<SourceRecord[], void, undefined> {
  const it = recordChunks(records);
  // A next() still running when a batch timed out: the first chunk of the next batch.
  let pending: Promise<IteratorResult<readonly SourceRecord[], void>> | undefined;
  // The part of the last chunk that did not fit in the previous batch.
  let rest: readonly SourceRecord[] = [];
  let restAt = 0;
  try {
    for (;;) {
      const batch = new Filling(limits);
      if (restAt < rest.length) restAt = batch.take(rest, restAt);
      else {
        const first = await (pending ?? it.next());
        pending = undefined;
        if (first.done === true) return;
        rest = first.value;
        restAt = batch.take(rest, 0);
      }
      let ended = false;
      if (!batch.full()) {
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<typeof TIMED_OUT>((res) => (timer = setTimeout(() => res(TIMED_OUT), limits.delayMs)));
        try {
          while (!batch.full()) {
            pending = it.next();
            const r = await Promise.race([pending, deadline]);
            if (r === TIMED_OUT) break;
            pending = undefined;
            if (r.done === true) {
              ended = true;
              break;
            }
            rest = r.value;
            restAt = batch.take(rest, 0);
          }
        } finally {
          clearTimeout(timer);
        }
      }
      yield batch.records;
      if (ended && restAt >= rest.length) return;
    }
  } finally {
    await it.return?.();
  }
}
