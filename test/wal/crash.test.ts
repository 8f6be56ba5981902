/**
 * Crash test with real processes: a child appends concurrently with fsync
 * durability and prints every acknowledged record; we SIGKILL it at a random
 * moment, reopen the log, and check every record ever acknowledged is there and
 * intact. The next round appends on top. STEMEDB_CRASH_ROUNDS raises the rounds.
 */
import { Wal } from '../../shared/wal';
import { kill9, requireBuilt } from '../helpers/process';
import { useTempDir } from '../helpers/tmp';
import { CRASH_APPENDER, sha256, startAppender, type Ack } from './child';
import { memoryLogger } from './wal-fixtures';

const ROUNDS = Number(process.env.STEMEDB_CRASH_ROUNDS ?? '20');

describe('crash recovery with a real child process', () => {
  const tmp = useTempDir('stemedb-wal-crash-');

  test(`every acknowledged record survives ${ROUNDS} rounds of kill -9 under concurrent fsync appends`, async () => {
    requireBuilt(CRASH_APPENDER);
    const all: Ack[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const child = startAppender(['--dir', tmp.path, '--concurrency', '8', '--size-max', '3000', '--segment-bytes-max', String(64 * 1024)]);
      await child.ready;
      // A random moment: right after start, or after up to a few hundred acknowledged appends.
      const target = round % 5 === 0 ? 0 : Math.floor(Math.random() * 400);
      await child.acked(target);
      await kill9(child.proc);
      await child.drained;
      all.push(...child.acks);

      const wal = await Wal.open({ dir: tmp.path, logger: memoryLogger() });
      for (const ack of all) {
        const r = await wal.read(ack.offset);
        if (r.nextOffset !== ack.nextOffset || sha256(r.payload) !== ack.sha256) throw new Error(`round ${round}: acknowledged record at ${ack.offset} is damaged`);
      }
      const maxAcked = all.reduce((m, a) => Math.max(m, a.nextOffset), 0);
      expect(wal.headOffset).toBeGreaterThanOrEqual(maxAcked);
      await wal.close();
    }
    expect(new Set(all.map((a) => a.offset)).size).toBe(all.length);
    expect(all.length).toBeGreaterThan(ROUNDS);
  });
});
