/**
 * Power loss of the log itself: every operation the WAL performs goes through a
 * recording file layer; crash states are the durable prefix plus seeded subsets
 * of the writes not yet synced (whole, prefixes, reordered, torn into sectors),
 * and each is reopened with the real Wal. STEMEDB_CRASH_STATES sets how many
 * (default 1000); STEMEDB_CRASH_SEED the seed.
 */
import { checkCrashStates, recordWorkload } from '../../shared/wal/testing/crash-states';
import { makeTempDir } from '../helpers/tmp';

const STATES = Number(process.env['STEMEDB_CRASH_STATES'] ?? 1000);
const SEED = Number(process.env['STEMEDB_CRASH_SEED'] ?? 11);

test(`${STATES} crash states across appends, group commits, rotation and retention: no acknowledged record lost, nothing corrupt served`, async () => {
  const work = makeTempDir('stemedb-wal-crash-work-');
  const scratch = makeTempDir('stemedb-wal-crash-states-');
  try {
    const run = await recordWorkload(work.path, SEED);
    const kinds = new Set(run.ops.map((o) => o.op));
    for (const k of ['create', 'write', 'sync', 'rename', 'link', 'unlink', 'dirsync', 'mkdir', 'truncate'] as const) expect(kinds.has(k)).toBe(true);
    const result = await checkCrashStates(run, scratch.path, STATES, SEED);
    expect(result.failures.slice(0, 10)).toEqual([]);
    expect(result.states).toBeGreaterThanOrEqual(Math.min(STATES, 1000));
    expect(result.ackedChecked).toBeGreaterThan(STATES);
    process.stderr.write(`crash states: ${result.states} over ${result.crashPoints} crash points, ${result.ackedChecked} acknowledged records checked\n`);
  } finally {
    work.cleanup();
    scratch.cleanup();
  }
}, Math.max(180_000, STATES * 150));
