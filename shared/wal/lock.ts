/**
 * The single-writer lock on a WAL directory: a `LOCK` file naming the holder's pid
 * and process start time. Node has no flock(2), so liveness is checked instead: a
 * lock whose pid is gone (or was reused by a process started at another time) is
 * stale and is taken over, so a kill -9 never leaves the directory stuck.
 *
 * The file is created atomically: written and fsynced under a temporary name,
 * then hard-linked to `LOCK` (link fails if `LOCK` exists, so two starters cannot
 * both win). A stale lock is first renamed to a private name, then re-read: if it
 * turns out to be someone else's live lock it is linked back.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WalLockedError } from './errors';
import { NODE_FILE_IO, type WalFs } from './file-io';
import { LOCK_ATTEMPTS_MAX } from './limits';

export const LOCK_FILE = 'LOCK';

export interface LockOwner {
  readonly pid: number;
  /** Start time of the process (Linux: /proc/<pid>/stat field 22, clock ticks since boot); null where unknown. */
  readonly startTime: string | null;
}

/** Directories locked by this process (a second `Wal` on the same dir in-process is refused too). */
const heldHere = new Set<string>();

/** The start time of a running process, or null (not Linux, or the process is gone). */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (owner.startTime === null) return true;
  const now = processStartTime(owner.pid);
  // Same pid but another start time: the pid was reused after the holder died.
  return now === null || now === owner.startTime;
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number') return undefined;
    return { pid: parsed.pid, startTime: typeof parsed.startTime === 'string' ? parsed.startTime : null };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
    return undefined; // unreadable or torn lock file: treat as stale
  }
}

function sameOwner(a: LockOwner | undefined, b: LockOwner | undefined): boolean {
  return a !== undefined && b !== undefined && a.pid === b.pid && a.startTime === b.startTime;
}

/** A held lock; `release()` removes the LOCK file if it is still ours. */
export interface DirLock {
  readonly dir: string;
  release(): void;
}

/** Who holds `dir` right now, if a live process does. */
export function lockHolder(dir: string): LockOwner | undefined {
  try {
    const owner = readOwner(join(dir, LOCK_FILE));
    return owner !== undefined && isAlive(owner) && !(owner.pid === process.pid && !heldHere.has(dir)) ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** Take the exclusive lock on `dir` or throw WalLockedError naming the live holder. */
export function acquireLock(dir: string, io: WalFs = NODE_FILE_IO): DirLock {
  if (heldHere.has(dir)) throw new WalLockedError(dir, process.pid);
  const me: LockOwner = { pid: process.pid, startTime: processStartTime(process.pid) };
  const lockPath = join(dir, LOCK_FILE);
  const tmp = join(dir, `${LOCK_FILE}.${process.pid}.${Date.now()}.tmp`);
  const fd = io.openSync(tmp, 'wx');
  try {
    io.writeSync(fd, Buffer.from(JSON.stringify(me) + '\n'), 0);
    io.fsyncSync(fd);
  } finally {
    io.closeSync(fd);
  }
  try {
    for (let attempt = 0; attempt < LOCK_ATTEMPTS_MAX; attempt++) {
      try {
        io.linkSync(tmp, lockPath);
        io.fsyncDirSync(dir);
        heldHere.add(dir);
        return { dir, release: () => release(io, dir, lockPath, me) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      clearStale(io, dir, lockPath);
    }
    throw new Error(`could not take the lock on ${dir} after ${LOCK_ATTEMPTS_MAX} attempts (another process keeps racing for it)`);
  } finally {
    io.unlinkSync(tmp);
  }
}

/** Remove `LOCK` if its holder is dead; throw WalLockedError if it is alive. */
function clearStale(io: WalFs, dir: string, lockPath: string): void {
  let owner: LockOwner | undefined;
  try {
    owner = readOwner(lockPath);
  } catch {
    return; // vanished meanwhile: just retry the link
  }
  // Our own pid in the file while this process holds nothing here: a stale lock whose pid we inherited.
  if (owner !== undefined && isAlive(owner) && owner.pid !== process.pid) throw new WalLockedError(dir, owner.pid);
  const aside = `${lockPath}.stale.${process.pid}.${Date.now()}`;
  try {
    io.renameSync(lockPath, aside);
  } catch {
    return; // another starter moved it first
  }
  let moved: LockOwner | undefined;
  try {
    moved = readOwner(aside);
  } catch {
    moved = undefined;
  }
  if (!sameOwner(moved, owner) && moved !== undefined && isAlive(moved)) {
    // We raced with a starter that had just taken over: give the lock back.
    try {
      io.linkSync(aside, lockPath);
    } finally {
      io.unlinkSync(aside);
    }
    throw new WalLockedError(dir, moved.pid);
  }
  io.unlinkSync(aside);
}

function release(io: WalFs, dir: string, lockPath: string, me: LockOwner): void {
  heldHere.delete(dir);
  try {
    if (sameOwner(readOwner(lockPath), me)) io.unlinkSync(lockPath);
  } catch {
    // already gone: nothing to release
  }
}
