/**
 * Streaming merge of two key-ordered scans into one, for prefix scans that span
 * both backends of the hybrid store. Holds one pending entry per side; never
 * buffers a scan.
 */
import type { Entry } from './kv-store';

/**
 * Entries of `a` and `b` in key order (descending when `reverse`), at most
 * `limit`. Both inputs must already be in that order. Stopping early (break,
 * limit) closes both inputs.
 */
export async function* mergeScans(a: AsyncIterable<Entry>, b: AsyncIterable<Entry>, reverse: boolean, limit = Number.POSITIVE_INFINITY): AsyncGenerator<Entry> {
  if (limit <= 0) return;
  const ia = a[Symbol.asyncIterator]();
  const ib = b[Symbol.asyncIterator]();
  const direction = reverse ? -1 : 1;
  let done = false;
  try {
    let [ra, rb] = await Promise.all([ia.next(), ib.next()]);
    let emitted = 0;
    while (!ra.done || !rb.done) {
      const takeA = rb.done || (!ra.done && direction * Buffer.compare(ra.value[0], rb.value[0]) <= 0);
      const entry = takeA ? (ra.value as Entry) : (rb.value as Entry);
      yield entry;
      if (++emitted >= limit) break;
      if (takeA) ra = await ia.next();
      else rb = await ib.next();
    }
    done = ra.done === true && rb.done === true;
  } finally {
    if (!done) await Promise.all([ia.return?.(), ib.return?.()]);
  }
}
