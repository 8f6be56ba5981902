/**
 * Quarantine: bytes cut from the log are never just dropped. They are copied to
 * `quarantine/<segment>-<offset>-<timestamp>.bin` (segment file name without
 * `.wal`, global offset as 16 hex digits, UTC time) and fsynced before the
 * segment is truncated or removed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readFullySync, type WalFs } from './file-io';
import { SCAN_CHUNK_BYTES } from './limits';

export const QUARANTINE_DIR = 'quarantine';

function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace('.', '');
}

/**
 * Copy bytes [fromPosition, toPosition) of the open segment `fd` into a new
 * quarantine file and make it durable. Returns the file's path relative to `dir`.
 */
export function quarantineRange(io: WalFs, dir: string, segmentFile: string, offset: number, fd: number, fromPosition: number, toPosition: number, now = new Date()): string {
  const qdir = join(dir, QUARANTINE_DIR);
  if (!existsSync(qdir)) {
    io.mkdirSync(qdir);
    io.fsyncDirSync(dir);
  }
  const base = `${segmentFile.replace(/\.wal$/, '')}-${offset.toString(16).padStart(16, '0')}-${stamp(now)}`;
  let name = `${base}.bin`;
  for (let n = 1; existsSync(join(qdir, name)); n++) name = `${base}.${n}.bin`;
  const out = io.openSync(join(qdir, name), 'wx');
  try {
    const chunk = Buffer.allocUnsafe(Math.min(SCAN_CHUNK_BYTES, Math.max(1, toPosition - fromPosition)));
    for (let pos = fromPosition; pos < toPosition; ) {
      const want = Math.min(chunk.length, toPosition - pos);
      const got = readFullySync(fd, chunk.subarray(0, want), pos);
      if (got === 0) break;
      io.writeSync(out, chunk.subarray(0, got), pos - fromPosition);
      pos += got;
    }
    io.fsyncSync(out);
  } finally {
    io.closeSync(out);
  }
  io.fsyncDirSync(qdir);
  return join(QUARANTINE_DIR, name);
}
