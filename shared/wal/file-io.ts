/**
 * The file operations the append path performs, behind a seam so tests can inject
 * a failing write or fdatasync. Everything else uses node:fs directly.
 */
import * as fs from 'node:fs';

export interface WalFileIo {
  /** Write all of `data` at `position` (synchronous, loops over short writes). */
  writeSync(fd: number, data: Buffer, position: number): void;
  /** fdatasync(2), synchronous. */
  datasyncSync(fd: number): void;
  /** Write all of `data` at `position` on the thread pool. */
  write(fd: number, data: Buffer, position: number): Promise<void>;
  /** fdatasync(2) on the thread pool. */
  datasync(fd: number): Promise<void>;
}

export const NODE_FILE_IO: WalFileIo = {
  writeSync(fd, data, position) {
    let done = 0;
    while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done, position + done);
  },
  datasyncSync(fd) {
    fs.fdatasyncSync(fd);
  },
  async write(fd, data, position) {
    let done = 0;
    while (done < data.length) {
      const n = await new Promise<number>((res, rej) => fs.write(fd, data, done, data.length - done, position + done, (err, written) => (err ? rej(err) : res(written))));
      done += n;
    }
  },
  datasync(fd) {
    return new Promise((res, rej) => fs.fdatasync(fd, (err) => (err ? rej(err) : res())));
  },
};

/** Read exactly `buf.length` bytes at `position`; returns how many were there (fewer at EOF). */
export function readFullySync(fd: number, buf: Buffer, position: number): number {
  let done = 0;
  while (done < buf.length) {
    const n = fs.readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** fsync a directory so a created, renamed or deleted entry survives a crash. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
