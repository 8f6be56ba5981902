/** `stemedb ingest` and `stemedb store dump` from the built CLI. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { INGEST_BATCH_RECORDS_MAX } from '../../services/ingest/limits';
import { VERIFY_WORKERS_MAX as INGEST_VERIFY_WORKERS_MAX } from '../../shared/verify/limits';
import { requireBuilt, runCli } from '../helpers/process';
import { useTempDir } from '../helpers/tmp';
import { agent, claim, logOf, payloadOf, randomLog, signed, text, writeWal } from '../graph/log-builder';
import { buildStore, dumpLines } from '../graph/store-helpers';

describe('stemedb ingest / store dump', () => {
  const tmp = useTempDir('stemedb-cli-ingest-');
  beforeAll(() => requireBuilt());

  it('rebuilds a store whose dump equals an in-process build; a second run has nothing to do', async () => {
    const records = randomLog(5, { records: 120 });
    const wal = join(tmp.path, 'wal');
    const head = await writeWal(wal, records.map((r, i) => payloadOf(r, i)));
    const data = join(tmp.path, 'data');
    const first = await runCli(['ingest', '--wal', wal, '--data', data]);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(new RegExp(`^ingested 120 records \\(0 rejected, [0-9.]+ MB\\) in [0-9.]+ s, \\d+ records/s; ${data} applied through offset ${head} of ${head}\\n$`));
    const again = await runCli(['ingest', '--wal', wal, '--data', data, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ records: 0, fromOffset: head, appliedOffset: head });
    const dump = await runCli(['store', 'dump', '--data', data]);
    const store = await buildStore(join(tmp.path, 'in-process'), logOf(records));
    try {
      expect(dump.stdout).toBe((await dumpLines(store)).join('\n') + '\n');
    } finally {
      await store.close();
    }
    const json = await runCli(['store', 'dump', '--data', data, '--json']);
    const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { backend: string; key: string; value: string });
    expect(lines.map((l) => `${l.backend} ${l.key} = ${l.value}`)).toEqual(dump.stdout.trim().split('\n'));
  });

  it('verifying on worker threads or inline builds the same store; --verify-workers is checked at its limits', async () => {
    const records = randomLog(9, { records: 150 });
    const wal = join(tmp.path, 'wal');
    await writeWal(wal, records.map((r, i) => payloadOf(r, i)));
    const dumps: string[] = [];
    for (const workers of ['0', String(INGEST_VERIFY_WORKERS_MAX)]) {
      const data = join(tmp.path, `data-${workers}`);
      expect((await runCli(['ingest', '--wal', wal, '--data', data, '--verify-workers', workers, '--batch-records', '7'])).code).toBe(0);
      dumps.push((await runCli(['store', 'dump', '--data', data])).stdout);
    }
    expect(dumps[0]).toBe(dumps[1]);
    expect(dumps[0]!.length).toBeGreaterThan(0);
    expect((await runCli(['ingest', '--wal', wal, '--data', join(tmp.path, 'x'), '--verify-workers', String(INGEST_VERIFY_WORKERS_MAX + 1)])).code).toBe(2);
  });

  it('--verify none applies a record whose signature fails, which the default rejects; an unknown mode is a usage error', async () => {
    const good = signed(claim({ subject: 'ada', predicate: 'born', object: text('1815') }), [agent(0)]);
    const sig = good.signatures[0]!;
    const badSig = { ...good, signatures: [{ ...sig, signature: Buffer.from(sig.signature.map((b, i) => (i === 0 ? b ^ 1 : b))) }] };
    const wal = join(tmp.path, 'wal');
    const head = await writeWal(wal, [payloadOf(good, 0), payloadOf(badSig, 1)]);
    const run = async (name: string, ...flags: string[]): Promise<unknown> => {
      const r = await runCli(['ingest', '--wal', wal, '--data', join(tmp.path, name), '--json', ...flags]);
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout);
    };
    expect(await run('verified')).toMatchObject({ verify: 'all', records: 2, rejected: 1, appliedOffset: head });
    expect(await run('verified-inline', '--verify', 'all', '--verify-workers', '0')).toMatchObject({ verify: 'all', records: 2, rejected: 1 });
    expect(await run('trusted', '--verify', 'none')).toMatchObject({ verify: 'none', records: 2, rejected: 0, appliedOffset: head });
    const bad = await runCli(['ingest', '--wal', wal, '--data', join(tmp.path, 'bad'), '--verify', 'some']);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining("--verify must be one of all, none, got 'some'")]);
  });

  it('checks --batch-records at its limits and requires --wal and --data', async () => {
    const wal = join(tmp.path, 'wal');
    await writeWal(wal, []);
    const data = join(tmp.path, 'data');
    for (const bad of ['0', String(INGEST_BATCH_RECORDS_MAX + 1), 'x']) {
      expect((await runCli(['ingest', '--wal', wal, '--data', data, '--batch-records', bad])).code).toBe(2);
    }
    for (const ok of ['1', String(INGEST_BATCH_RECORDS_MAX)]) expect((await runCli(['ingest', '--wal', wal, '--data', data, '--batch-records', ok])).code).toBe(0);
    expect((await runCli(['ingest', '--data', data])).code).toBe(2);
    const missing = await runCli(['ingest', '--wal', join(tmp.path, 'nope'), '--data', data]);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('no such WAL directory')]);
  });

  it('store dump refuses a directory that holds no store, without creating one', async () => {
    const empty = join(tmp.path, 'empty');
    mkdirSync(empty);
    const r = await runCli(['store', 'dump', '--data', empty]);
    expect([r.code, r.stderr]).toEqual([1, expect.stringContaining('not a store directory')]);
    expect((await runCli(['store', 'dump'])).code).toBe(2);
  });
});
