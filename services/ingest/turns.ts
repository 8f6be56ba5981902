/**
 * Turns of the event loop inside ingest's long loops over a batch. Ingest
 * overlaps a batch's apply with the previous batch's commit and the next
 * batch's decode, and the commit's native writes complete through callbacks
 * on this thread: a loop that never yields holds each completion until it
 * ends, so the commit would wait for the apply instead of running beside it.
 */
import { INGEST_YIELD_CHECK_RECORDS, INGEST_YIELD_MS, INGEST_YIELD_RECORDS } from './limits';

/** One turn of the event loop: I/O completions queued meanwhile run first. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * When a loop over a batch gives the event loop a turn: before item `i` after
 * every INGEST_YIELD_RECORDS items, and sooner once INGEST_YIELD_MS passed
 * since the last turn (looked at every INGEST_YIELD_CHECK_RECORDS items).
 */
export class Turns {
  private last = performance.now();

  /** Whether to take a turn before item `i`. */
  due(i: number): boolean {
    if (i === 0) return false;
    if (i % INGEST_YIELD_RECORDS === 0) return true;
    return i % INGEST_YIELD_CHECK_RECORDS === 0 && performance.now() - this.last >= INGEST_YIELD_MS;
  }

  async turn(): Promise<void> {
    await turn();
    this.last = performance.now();
  }
}

/** `items.map(fn)`, giving the event loop turns (Turns). */
export async function mapInTurns<T, U>(items: readonly T[], fn: (item: T) => U): Promise<U[]> {
  const out: U[] = new Array<U>(items.length);
  const turns = new Turns();
  for (let i = 0; i < items.length; i++) {
    if (turns.due(i)) await turns.turn();
    out[i] = fn(items[i]!);
  }
  return out;
}
