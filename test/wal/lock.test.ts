import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Wal, WalLockedError } from '../../shared/wal';
import { LOCK_FILE, processStartTime } from '../../shared/wal/lock';
import { kill9, requireBuilt } from '../helpers/process';
import { useTempDir } from '../helpers/tmp';
import { CRASH_APPENDER, startAppender } from './child';
import { memoryLogger } from './wal-fixtures';

describe('the single-writer lock', () => {
  const tmp = useTempDir('stemedb-wal-lock-');

  test('a second writer fails fast naming the holder, and after kill -9 of the holder a new writer opens without cleanup', async () => {
    requireBuilt(CRASH_APPENDER);
    const holder = startAppender(['--dir', tmp.path, '--hold']);
    await holder.ready;
    const holderPid = holder.proc.child.pid!;

    const second = startAppender(['--dir', tmp.path, '--count', '1']);
    await expect(second.ready).rejects.toThrow();
    expect(await second.proc.exited).toBe(1);
    expect(second.proc.stderr()).toContain('WalLockedError');
    expect(second.proc.stderr()).toContain(`locked by running process ${holderPid}`);

    const err = await Wal.open({ dir: tmp.path, logger: memoryLogger() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WalLockedError);
    expect((err as WalLockedError).pid).toBe(holderPid);
    expect((err as WalLockedError).message).toContain(tmp.path);

    await kill9(holder.proc);
    expect(existsSync(join(tmp.path, LOCK_FILE))).toBe(true);
    const wal = await Wal.open({ dir: tmp.path, logger: memoryLogger() });
    expect(JSON.parse(readFileSync(join(tmp.path, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    await wal.append(Buffer.from('after takeover'));
    await wal.close();
    expect(existsSync(join(tmp.path, LOCK_FILE))).toBe(false);
  });

  test('a second Wal on the same directory in the same process is refused', async () => {
    const wal = await Wal.open({ dir: tmp.path, durability: 'none', logger: memoryLogger() });
    await expect(Wal.open({ dir: tmp.path, logger: memoryLogger() })).rejects.toBeInstanceOf(WalLockedError);
    await wal.close();
    const again = await Wal.open({ dir: tmp.path, durability: 'none', logger: memoryLogger() });
    await again.close();
  });

  test('a lock naming a live pid with another start time (pid reuse) is stale and taken over', async () => {
    // The parent process is alive, but the lock claims a start time it never had.
    writeFileSync(join(tmp.path, LOCK_FILE), JSON.stringify({ pid: process.ppid, startTime: '1' }));
    expect(processStartTime(process.ppid)).not.toBe('1');
    const wal = await Wal.open({ dir: tmp.path, durability: 'none', logger: memoryLogger() });
    await wal.close();
  });

  test('a lock naming this very process (a previous incarnation with the same pid) is stale', async () => {
    writeFileSync(join(tmp.path, LOCK_FILE), JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid) }));
    const wal = await Wal.open({ dir: tmp.path, durability: 'none', logger: memoryLogger() });
    await wal.close();
  });

  test('a garbled lock file is treated as stale', async () => {
    writeFileSync(join(tmp.path, LOCK_FILE), '{"pid":');
    const wal = await Wal.open({ dir: tmp.path, durability: 'none', logger: memoryLogger() });
    await wal.close();
  });
});
