/**
 * Groups a record stream into batches: a batch closes at `recordsMax`
 * records, at `bytesMax` payload bytes, or `delayMs` after its first record
 * when no more records are at hand (live tailing), whichever comes first.
 */
import type { SourceRecord } from './wal-source';

export interface BatchLimits {
  readonly recordsMax: number;
  readonly bytesMax: number;
  readonly delayMs: number;
}

const TIMED_OUT = Symbol('timed-out');

export async function* batchRecords(records: AsyncIterable<SourceRecord>, limits: BatchLimits): AsyncGenerator<SourceRecord[], void, undefined> {
  const it = records[Symbol.asyncIterator]();
  // A next() still running when a batch timed out: the first record of the next batch.
  let pending: Promise<IteratorResult<SourceRecord>> | undefined;
  try {
    for (;;) {
      const first = await (pending ?? it.next());
      pending = undefined;
      if (first.done === true) return;
      const batch = [first.value];
      let bytes = first.value.payload.length;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<typeof TIMED_OUT>((res) => (timer = setTimeout(() => res(TIMED_OUT), limits.delayMs)));
      let ended = false;
      try {
        while (batch.length < limits.recordsMax && bytes < limits.bytesMax) {
          pending = it.next();
          const r = await Promise.race([pending, deadline]);
          if (r === TIMED_OUT) break;
          pending = undefined;
          if (r.done === true) {
            ended = true;
            break;
          }
          batch.push(r.value);
          bytes += r.value.payload.length;
        }
      } finally {
        clearTimeout(timer);
      }
      yield batch;
      if (ended) return;
    }
  } finally {
    await it.return?.();
  }
}
