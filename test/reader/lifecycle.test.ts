/**
 * The reader process's life: configured from the environment, ready only once
 * caught up with the log, health and reflection, the CLI against it
 * (resolve, explain, status), and a graceful shutdown on SIGTERM.
 */
import * as grpc from '@grpc/grpc-js';
import type { WatchResponse } from '../../shared/gen/stemedb/v1/reader';
import { healthProbe, reflectedServices } from '../grpc/probes';
import { CLI, runCli, startNode, waitForReady } from '../helpers/process';
import { makeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';
import { startWriterProcess, type WriterProcess } from '../writer/writer-fixtures';
import { claimBy, options, readerClient, resolve, write } from './reader-fixtures';

describe('the reader process', () => {
  const dir = makeTempDir('stemedb-reader-life-');
  let writer: WriterProcess;
  let head = 0;

  beforeAll(async () => {
    writer = await startWriterProcess(`${dir.path}/wal`, ['--durability', 'none']);
    // 30 claims on ada/born (two thirds say 1815) and 30 on other subjects: 60 records.
    for (let i = 0; i < 30; i++) {
      await write(writer.address, claimBy(i % 3, 'ada', 'born', i % 3 === 2 ? '1816' : '1815', { source: i + 1 }));
      head = Number((await write(writer.address, claimBy(9, `s${i}`, 'p', 'v'))).nextOffset);
    }
  });

  afterAll(async () => {
    await writer?.stop();
    dir.cleanup();
  });

  it('takes its settings from the environment (flags win), is ready only once caught up, serves health and reflection, and drains on SIGTERM', async () => {
    const proc = startNode(CLI, ['reader', '--listen', '127.0.0.1:0'], {
      STEMEDB_DATA_DIR: `${dir.path}/data`,
      STEMEDB_WRITER: writer.address,
      STEMEDB_LISTEN: '127.0.0.1:1',
      STEMEDB_LOG_LEVEL: 'warn',
      STEMEDB_MAX_CONNECTION_AGE_MS: '0',
    });
    const ready = await waitForReady(proc);
    const address = ready.address as string;
    expect(ready).toEqual({ ready: true, service: 'reader', address });
    const c = readerClient(address);
    const probe = healthProbe(address);
    try {
      // Ready means caught up: a query without min_offset already sees the whole log as of startup.
      const res = await resolve(c, 'ada', 'born');
      expect(Number(res.servedAtOffset)).toBe(head);
      expect(res.resolution!.alternatives.reduce((n, a) => n + a.assertionIds.length, 0)).toBe(30);
      expect(await probe.check('')).toBe('SERVING');
      expect(await probe.check('stemedb.v1.ReaderService')).toBe('SERVING');
      expect(await reflectedServices(address)).toEqual(['grpc.health.v1.Health', 'stemedb.v1.ReaderService']);

      const health = probe.watch('');
      await waitFor(() => (health.statuses.includes('SERVING') ? true : undefined), 'SERVING from health Watch');
      const watch = c.watch({ subject: 'ada', predicate: 'born', options: options() });
      const got: WatchResponse[] = [];
      watch.on('data', (m: WatchResponse) => got.push(m));
      const watchEnded = new Promise<grpc.status>((res2) => watch.on('status', (s: grpc.StatusObject) => res2(s.code)));
      watch.on('error', () => undefined);
      await waitFor(() => (got.length > 0 ? true : undefined), 'the first Watch message');
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      await health.ended;
      expect(health.statuses).toContain('NOT_SERVING');
      expect(await watchEnded).toBe(grpc.status.OK);
    } finally {
      probe.close();
      c.close();
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    }
  });

  it('the CLI resolves, explains and reports status against it', async () => {
    const proc = startNode(CLI, ['reader', '--data', `${dir.path}/data2`, '--writer', writer.address, '--listen', '127.0.0.1:0'], { STEMEDB_LOG_LEVEL: 'warn' });
    const address = (await waitForReady(proc)).address as string;
    try {
      const text = await runCli(['resolve', '--reader', address, '--subject', 'ada', '--predicate', 'born']);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain('ada born  (lens consensus, served at offset');
      expect(text.stdout).toMatch(/winner: +text "1815"/);
      expect(text.stdout).toContain('contested:');
      expect(text.stdout).toMatch(/1\. text "1815" +score/);

      const json = await runCli(['resolve', '--reader', address, '--subject', 'ada', '--predicate', 'born', '--json', '--lens', 'recency', '--as-of', String(head)]);
      const answer = JSON.parse(json.stdout) as { served_at_offset: number; from_materialized_view: boolean; resolution: { lens: string; outcome: string } };
      expect(answer).toMatchObject({ served_at_offset: head, from_materialized_view: false, resolution: { lens: 'recency', outcome: 'resolved' } });

      const explained = await runCli(['explain', '--reader', address, '--subject', 'ada', '--predicate', 'born', '--min-offset', '1']);
      expect(explained.code).toBe(0);
      expect(explained.stdout).toContain('candidates:');
      expect(explained.stdout).toContain('summary:');
      expect(explained.stdout).toContain('Consensus lens on "ada" / "born"');

      const status = await runCli(['status', '--writer', writer.address, '--reader', address, '--json']);
      expect(status.code).toBe(0);
      const [w, r] = status.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(w).toMatchObject({ service: 'writer', head_offset: head });
      expect(r).toMatchObject({ service: 'reader', applied_offset: head, writer_head_offset: head, lag_bytes: 0, records_applied: 60, records_rejected: 0, source: `writer ${writer.address}` });
      const readable = await runCli(['status', '--reader', address]);
      expect(readable.stdout).toContain(`applied offset:   ${head}`);

      const notFound = await runCli(['resolve', '--reader', address, '--subject', 'ada', '--predicate', 'born', '--lens', 'authority', '--trust-pack', 'ab'.repeat(32)]);
      expect(notFound.code).toBe(1);
      expect(notFound.stderr).toContain('NOT_FOUND');
      expect(notFound.stderr).toContain('[field options.trust_pack_id]');
      const usage = await runCli(['resolve', '--reader', address, '--subject', 'ada', '--predicate', 'born', '--lens', 'vibes']);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain('--lens must be one of');
    } finally {
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
    }
  });

  it('refuses a bad configuration with a usage error before starting', async () => {
    const both = await runCli(['reader', '--data', `${dir.path}/x`, '--writer', writer.address, '--wal', `${dir.path}/wal`]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give one source, not both');
    const none = await runCli(['reader', '--data', `${dir.path}/x`], { STEMEDB_WRITER: '', STEMEDB_WAL_DIR: '' });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('required: --writer HOST:PORT or --wal DIR');
  });
});
