/** A WriterLog for in-process writer tests: every append waits until the test releases it. */
import type { WriterLog } from '../../services/writer/writer-log';
import type { AppendBatchResult, AppendResult } from '../../shared/wal';

export class HeldLog implements WriterLog {
  readonly held: Array<() => void> = [];
  started = 0;
  private next = 0;
  headOffset = 0;
  firstOffset = 0;

  append(payload: Uint8Array): Promise<AppendResult> {
    return this.appendBatch([payload]).then(({ offset, nextOffset }) => ({ offset, nextOffset }));
  }

  appendBatch(payloads: readonly Uint8Array[]): Promise<AppendBatchResult> {
    this.started += payloads.length;
    return new Promise((resolve) => {
      this.held.push(() => {
        const offset = this.next;
        const offsets: number[] = [];
        for (const p of payloads) {
          offsets.push(this.next);
          this.next += 40 + p.length;
        }
        this.headOffset = this.next;
        resolve({ offset, nextOffset: this.next, offsets });
      });
    });
  }

  /** Complete the `n` oldest held appends (or batches). */
  release(n: number): void {
    for (const done of this.held.splice(0, n)) done();
  }

  readFrom(): Promise<never[]> {
    return Promise.resolve([]);
  }
  waitFor(): Promise<void> {
    return new Promise(() => undefined);
  }
  segments(): [] {
    return [];
  }
}
