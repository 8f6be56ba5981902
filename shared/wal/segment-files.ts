/** Read-only file descriptors of segment files, opened on demand and closed least recently used first. */
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { OPEN_SEGMENT_FILES_MAX } from './limits';

export class SegmentFiles {
  // Map iteration order is insertion order: re-inserting on use makes it an LRU.
  private readonly open = new Map<string, number>();

  constructor(private readonly dir: string) {}

  /** The descriptor for `fileName`; throws ENOENT when the file is gone (retention). */
  fd(fileName: string): number {
    const fd = this.open.get(fileName);
    if (fd !== undefined) {
      this.open.delete(fileName);
      this.open.set(fileName, fd);
      return fd;
    }
    const opened = openSync(join(this.dir, fileName), 'r');
    this.open.set(fileName, opened);
    if (this.open.size > OPEN_SEGMENT_FILES_MAX) {
      const [oldest, oldFd] = this.open.entries().next().value as [string, number];
      this.open.delete(oldest);
      closeSync(oldFd);
    }
    return opened;
  }

  forget(fileName: string): void {
    const fd = this.open.get(fileName);
    if (fd === undefined) return;
    this.open.delete(fileName);
    closeSync(fd);
  }

  closeAll(): void {
    for (const fd of this.open.values()) closeSync(fd);
    this.open.clear();
  }
}
