/**
 * Every operation that changes the WAL's files goes through here: open, write,
 * fsync, fdatasync, ftruncate, rename, unlink, mkdir and directory fsync. The
 * default implementation is node:fs; tests inject a failing one (fault
 * injection) or a recording one (shared/wal/testing/recording-io.ts), whose log
 * of operations the crash-state checker turns into the states a power loss can
 * leave. Reads (read-only opens, read, fstat, readdir, stat) and creating the
 * parent directories of a new WAL directory use node:fs directly.
 */
import * as fs from 'node:fs';

/** The append path's operations (a fault-injecting test may supply only these). */
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

/** How a WAL file is opened: read-only, read-write, or created (fails if it exists). */
export type WalOpenMode = 'r' | 'r+' | 'wx';

/** Every mutating file operation of the WAL. */
export interface WalFs extends WalFileIo {
  openSync(path: string, mode: WalOpenMode): number;
  closeSync(fd: number): void;
  /** fsync(2): data and metadata of the file. */
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, length: number): void;
  renameSync(from: string, to: string): void;
  /** A second name for an existing file (fails with EEXIST if `to` exists): the lock's atomic create. */
  linkSync(existing: string, to: string): void;
  unlinkSync(path: string): void;
  mkdirSync(path: string): void;
  /** fsync a directory so a created, renamed or deleted entry survives a crash. */
  fsyncDirSync(dir: string): void;
}

function writeAllSync(fd: number, data: Buffer, position: number): void {
  let done = 0;
  while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done, position + done);
}

export const NODE_FILE_IO: WalFs = {
  writeSync: writeAllSync,
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
  openSync: (path, mode) => fs.openSync(path, mode),
  closeSync: (fd) => fs.closeSync(fd),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  ftruncateSync: (fd, length) => fs.ftruncateSync(fd, length),
  renameSync: (from, to) => fs.renameSync(from, to),
  linkSync: (existing, to) => fs.linkSync(existing, to),
  unlinkSync: (path) => fs.unlinkSync(path),
  mkdirSync: (path) => fs.mkdirSync(path),
  fsyncDirSync(dir) {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
};

/** A full WalFs from what the caller supplied: missing operations come from node:fs. */
export function completeIo(io: (WalFileIo & Partial<WalFs>) | undefined): WalFs {
  if (io === undefined) return NODE_FILE_IO;
  const full: WalFs = { ...NODE_FILE_IO };
  for (const key of Object.keys(NODE_FILE_IO) as (keyof WalFs)[]) {
    const fn = io[key];
    if (typeof fn === 'function') (full as unknown as Record<string, unknown>)[key] = fn.bind(io);
  }
  return full;
}

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

/** Write `data` to `path` atomically: `path.tmp` written and fsynced, renamed over `path`, directory fsynced. */
export function writeFileAtomicSync(io: WalFs, dir: string, name: string, data: Buffer, durable = true): void {
  const tmp = `${dir}/${name}.tmp`;
  if (fs.existsSync(tmp)) io.unlinkSync(tmp);
  const fd = io.openSync(tmp, 'wx');
  try {
    io.writeSync(fd, data, 0);
    if (durable) io.fsyncSync(fd);
  } finally {
    io.closeSync(fd);
  }
  io.renameSync(tmp, `${dir}/${name}`);
  if (durable) io.fsyncDirSync(dir);
}
