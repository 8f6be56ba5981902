/**
 * Turns of the event loop inside ingest's long loops over a batch. Ingest
 * overlaps a batch's apply with the previous batch's commit and the next
 * batch's decode, and the commit's native writes complete through callbacks
 * on this thread: a loop that never yields holds each completion until it
 * ends, so the commit would wait for the apply instead of running beside it.
 */
import { INGEST_YIELD_RECORDS } from './limits';

/** One turn of the event loop: I/O completions queued meanwhile run first. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Whether a loop over a batch gives the event loop a turn before item `i` (after every INGEST_YIELD_RECORDS items). */
export function turnBefore(i: number): boolean {
  return i > 0 && i % INGEST_YIELD_RECORDS === 0;
}

/** `items.map(fn)`, giving the event loop a turn after every INGEST_YIELD_RECORDS items. */
export async function mapInTurns<T, U>(items: readonly T[], fn: (item: T) => U): Promise<U[]> {
  const out: U[] = new Array<U>(items.length);
  for (let i = 0; i < items.length; i++) {
    if (turnBefore(i)) await turn();
    out[i] = fn(items[i]!);
  }
  return out;
}
