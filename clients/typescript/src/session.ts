/**
 * Read-your-writes across a writer and readers: a Session remembers the
 * offset of the latest receipt it has seen, and a ReaderClient that shares it
 * sends that offset as `min_offset` on every query unless told otherwise, so
 * an answer always includes this session's own writes.
 */
export class Session {
  private last: number | undefined;

  /** The offset of the newest receipt observed (the record's first byte), or undefined before any. */
  get minOffset(): number | undefined {
    return this.last;
  }

  /** Note a receipt (or any offset whose record must be visible to later reads). */
  observe(offset: number): void {
    if (this.last === undefined || offset > this.last) this.last = offset;
  }
}
