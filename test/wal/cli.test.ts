import { appendFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Wal } from '../../shared/wal';
import { SEGMENT_HEADER_BYTES } from '../../shared/wal/limits';
import { kill9, runCli } from '../helpers/process';
import { useTempDir } from '../helpers/tmp';
import { startAppender } from './child';
import { memoryLogger, payloadOf, quarantineFiles, segmentFiles } from './wal-fixtures';

async function fill(dir: string, n: number, segmentBytesMax = 64 * 1024 * 1024): Promise<number[]> {
  const wal = await Wal.open({ dir, durability: 'none', segmentBytesMax, logger: memoryLogger() });
  const offsets: number[] = [];
  for (let i = 0; i < n; i++) offsets.push((await wal.append(payloadOf(100 + i))).offset);
  await wal.close();
  return offsets;
}

describe('stemedb wal check / repair', () => {
  const tmp = useTempDir('stemedb-wal-cli-');

  test('check reports a clean log and exits 0', async () => {
    const offsets = await fill(tmp.path, 10);
    const r = await runCli(['wal', 'check', tmp.path, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ records: 10, firstOffset: 0, lastOffset: offsets[9], problems: [] });
    const text = await runCli(['wal', 'check', tmp.path]);
    expect(text.stdout).toContain('records:  10');
    expect(text.stdout).toContain('problems: none');
  });

  test('a torn tail: check exits 1, repair quarantines it, check is clean again', async () => {
    const offsets = await fill(tmp.path, 5);
    const file = join(tmp.path, segmentFiles(tmp.path)[0]!);
    truncateSync(file, readFileSync(file).length - 7);
    const before = await runCli(['wal', 'check', tmp.path, '--json']);
    expect(before.code).toBe(1);
    expect(JSON.parse(before.stdout)).toMatchObject({ records: 4, problems: [{ kind: 'torn_tail', offset: offsets[4] }] });
    const repair = await runCli(['wal', 'repair', tmp.path, '--json']);
    expect(repair.code).toBe(0);
    expect(JSON.parse(repair.stdout)).toMatchObject({ recovery: { records: 4, truncatedBytes: 40 + 104 - 7 } });
    expect(quarantineFiles(tmp.path)).toHaveLength(1);
    expect((await runCli(['wal', 'check', tmp.path])).code).toBe(0);
  });

  test('check works while a writer holds the log and treats its in-progress tail as no problem; repair refuses', async () => {
    await fill(tmp.path, 3);
    const holder = startAppender(['--dir', tmp.path, '--hold']);
    try {
      await holder.ready;
      appendFileSync(join(tmp.path, segmentFiles(tmp.path)[0]!), Buffer.from([1, 2, 3]));
      const check = await runCli(['wal', 'check', tmp.path, '--json']);
      expect(check.code).toBe(0);
      expect(JSON.parse(check.stdout)).toMatchObject({ writerPid: holder.proc.child.pid, unverifiedTailBytes: 3, records: 3 });
      const repair = await runCli(['wal', 'repair', tmp.path]);
      expect(repair.code).toBe(1);
      expect(repair.stderr).toContain('WalLockedError');
      expect(quarantineFiles(tmp.path)).toEqual([]);
    } finally {
      await kill9(holder.proc);
    }
  });

  test('corruption before the tail: check and repair exit 1 naming it; --truncate-at cuts there with everything after quarantined', async () => {
    const offsets = await fill(tmp.path, 30, 1024);
    const files = segmentFiles(tmp.path);
    expect(files.length).toBeGreaterThan(2);
    const victim = files[1]!;
    const base = parseInt(victim.slice(0, 16), 16);
    const bytes = readFileSync(join(tmp.path, victim));
    bytes[SEGMENT_HEADER_BYTES + 60]! ^= 1;
    writeFileSync(join(tmp.path, victim), bytes);

    const check = await runCli(['wal', 'check', tmp.path, '--json']);
    expect(check.code).toBe(1);
    expect(JSON.parse(check.stdout)).toMatchObject({ problems: [{ kind: 'corruption', file: victim, offset: base }] });
    const refused = await runCli(['wal', 'repair', tmp.path]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(victim);
    expect(refused.stderr).toContain(`--truncate-at ${base}`);
    expect(quarantineFiles(tmp.path)).toEqual([]);

    const notBoundary = await runCli(['wal', 'repair', tmp.path, '--truncate-at', String(base - 3)]);
    expect(notBoundary.code).toBe(1);
    expect(notBoundary.stderr).toContain('WalOffsetError');

    const cut = await runCli(['wal', 'repair', tmp.path, '--truncate-at', String(base), '--json']);
    expect(cut.code).toBe(0);
    expect((JSON.parse(cut.stdout) as { quarantined: string[] }).quarantined).toHaveLength(files.length - 1);
    const wal = await Wal.open({ dir: tmp.path, logger: memoryLogger() });
    expect(wal.headOffset).toBe(base);
    expect(offsets.filter((o) => o < base).length).toBeGreaterThan(0);
    for (const o of offsets.filter((x) => x < base)) await wal.read(o);
    await wal.close();
  });

  test('usage errors exit 2', async () => {
    expect((await runCli(['wal', 'check'])).code).toBe(2);
    expect((await runCli(['wal', 'repair', tmp.path, '--truncate-at', 'x'])).code).toBe(2);
  });
});
