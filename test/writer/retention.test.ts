/**
 * Retention by consumer cursors across real processes: a writer with 64 KiB
 * segments and retention on, a reader registered as `reader-a`, and a second
 * consumer `slow` that reports by hand. Segments go only once every consumer
 * that has not expired applied them; a consumer past the lag bound expires;
 * registrations survive a writer restart; the trimmed log is a floor to
 * `wal check`, reopen and Tail, never damage.
 */
import * as grpc from '@grpc/grpc-js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HeadResponse } from '../../shared/gen/stemedb/v1/writer';
import { callUnary } from '../../shared/grpc/client';
import { runCli } from '../helpers/process';
import { makeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';
import { startReaderProcess, type ReaderProcess } from '../reader/reader-fixtures';
import { client, pb, signedAssertion, startWriterProcess, tailRecords, type WriterProcess } from './writer-fixtures';

const SEGMENT_BYTES = 64 * 1024;
const LAG_BYTES_MAX = 256 * 1024;
const WRITER_ARGS = ['--durability', 'none', '--segment-bytes', String(SEGMENT_BYTES), '--retention-keep-bytes', '0', '--retention-lag-bytes-max', String(LAG_BYTES_MAX), '--retention-interval-ms', '50'];

type Writer = ReturnType<typeof client>;

let tags = 0;
/** Append `n` records in batches of 50 (a batch never spans segments); resolves with the head after them. */
async function appendRecords(c: Writer, n: number): Promise<number> {
  let next = 0;
  for (let done = 0; done < n; done += 50) {
    const records = Array.from({ length: Math.min(50, n - done) }, () => pb(signedAssertion(`ret-${tags++}`)));
    const res = await callUnary(c.appendBatch.bind(c), { records }, { deadlineMs: 10_000 });
    next = Number(res.receipts.at(-1)!.nextOffset);
  }
  return next;
}

function head(c: Writer): Promise<HeadResponse> {
  return callUnary(c.head.bind(c), {}, { deadlineMs: 10_000 });
}

function report(c: Writer, consumerId: string, appliedOffset: number): Promise<unknown> {
  return callUnary(c.reportProgress.bind(c), { consumerId, appliedOffset: BigInt(appliedOffset) }, { deadlineMs: 10_000 });
}

function cursorOf(h: HeadResponse, id: string): { applied: number; expired: boolean } | undefined {
  const c = h.consumers.find((x) => x.consumerId === id);
  return c === undefined ? undefined : { applied: Number(c.appliedOffset), expired: c.expired };
}

/** Resolves once Head satisfies `ok`. */
function headWhen(c: Writer, what: string, ok: (h: HeadResponse) => boolean, timeoutMs = 20_000): Promise<HeadResponse> {
  return waitFor(async () => {
    const h = await head(c);
    return ok(h) ? h : undefined;
  }, what, timeoutMs, 20);
}

describe('retention by consumer cursors', () => {
  const dir = makeTempDir('stemedb-retention-');
  const wal = join(dir.path, 'wal');
  let writer: WriterProcess | undefined;
  let reader: ReaderProcess | undefined;

  afterAll(async () => {
    await reader?.stop();
    await writer?.stop();
    dir.cleanup();
  });

  it('deletes only what every live consumer applied, expires a laggard, survives a restart, and is a floor to check, reopen and Tail', async () => {
    writer = await startWriterProcess(wal, WRITER_ARGS);
    let c = client(writer.address);
    await report(c, 'slow', 0);
    reader = await startReaderProcess(join(dir.path, 'reader-a'), ['--writer', writer.address], { STEMEDB_CONSUMER_ID: 'reader-a' });

    // Phase 1: ~3 segments; reader-a applies them all, `slow` at 0 holds everything.
    const head1 = await appendRecords(c, 600);
    let h = await headWhen(c, 'reader-a reports the head', (x) => cursorOf(x, 'reader-a')?.applied === head1);
    expect(h.segments.length).toBeGreaterThanOrEqual(3);
    expect(h.retention).toEqual({ enabled: true, keepBytes: 0n, lagBytesMax: BigInt(LAG_BYTES_MAX), segmentBytes: BigInt(SEGMENT_BYTES) });
    expect(h.logId).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(h.firstOffset)).toBe(0);
    expect(cursorOf(h, 'slow')).toEqual({ applied: 0, expired: false });

    // Phase 2: `slow` applies the first segment: exactly that one goes, the manifest's floor first.
    const x = Number(h.segments[0]!.endOffset);
    await report(c, 'slow', x);
    h = await headWhen(c, 'the first segment deleted', (y) => Number(y.firstOffset) > 0);
    expect(Number(h.firstOffset)).toBe(x);
    expect(Number(h.retentionFloor)).toBe(x);
    expect(existsSync(join(wal, '0000000000000000.wal'))).toBe(false);
    const below = await tailRecords(c, 0, 1).catch((e: unknown) => e as grpc.ServiceError);
    expect((below as grpc.ServiceError).code).toBe(grpc.status.OUT_OF_RANGE);
    expect((below as grpc.ServiceError).details).toContain(`below the first retained offset ${x}`);

    // Phase 3: reader-a stops at head1 (in the third segment or later); `slow` falls more than the bound
    // behind and expires, so the second segment goes too; reader-a still holds the one holding head1.
    await reader.stop();
    reader = undefined;
    let head2 = head1;
    while (head2 - x <= LAG_BYTES_MAX) head2 = await appendRecords(c, 200);
    h = await headWhen(c, '`slow` expired and reader-a holds', (y) => cursorOf(y, 'slow')?.expired === true && Number(y.firstOffset) > x);
    expect(cursorOf(h, 'reader-a')).toEqual({ applied: head1, expired: false });
    const first = Number(h.firstOffset);
    expect(first).toBeLessThanOrEqual(head1);
    expect(h.segments.every((s) => Number(s.endOffset) > head1)).toBe(true);
    const cli = JSON.parse((await runCli(['head', '--writer', writer.address, '--json'])).stdout) as { first_offset: number; consumers: Array<{ consumer_id: string; expired: boolean }> };
    expect(cli.first_offset).toBe(first);
    expect(cli.consumers.map((k) => [k.consumer_id, k.expired])).toEqual([
      ['reader-a', false],
      ['slow', true],
    ]);
    const text = (await runCli(['status', '--writer', writer.address])).stdout;
    expect(text).toContain(`  first offset: ${first}`);
    expect(text).toContain(`  retention:    on: keep 0 bytes, consumers expire past ${LAG_BYTES_MAX} bytes of lag; floor `);
    expect(text).toMatch(new RegExp(`\n    reader-a  applied ${head1}  lag \\d+ bytes  reported \\S+\n`));
    expect(text).toMatch(new RegExp(`\n    slow  applied ${x}  lag \\d+ bytes  reported \\S+  EXPIRED \\(must bootstrap\\)`));

    // Phase 4: a restart keeps the registrations; the trimmed log checks clean and reopens at the same first offset.
    const removeLive = await runCli(['writer', 'consumers', '--wal', wal, '--remove', 'slow']);
    expect(removeLive.code).toBe(1);
    expect(removeLive.stderr).toMatch(/cannot remove consumer 'slow' .*: the writer \(pid \d+\) is running; stop it first/);
    expect(await writer.stop()).toBe(0);
    const check = await runCli(['wal', 'check', wal]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('problems: none');
    expect(check.stdout).toContain(`first:    ${first}`);
    const listed = JSON.parse((await runCli(['writer', 'consumers', '--wal', wal, '--json'])).stdout) as { consumers: Array<{ consumer_id: string; applied_offset: number }> };
    expect(listed.consumers.map((k) => [k.consumer_id, k.applied_offset])).toEqual([
      ['reader-a', head1],
      ['slow', x],
    ]);
    writer = await startWriterProcess(wal, WRITER_ARGS);
    c = client(writer.address);
    h = await head(c);
    expect(Number(h.firstOffset)).toBe(first);
    expect(Number(h.headOffset)).toBe(head2);
    expect(cursorOf(h, 'reader-a')).toEqual({ applied: head1, expired: false });
    expect(cursorOf(h, 'slow')).toEqual({ applied: x, expired: true });

    // Phase 5: reader-a resumes from its cursor (still retained), catches up, and its Status shows the registration.
    reader = await startReaderProcess(join(dir.path, 'reader-a'), ['--writer', writer.address], { STEMEDB_CONSUMER_ID: 'reader-a' });
    h = await headWhen(c, 'reader-a caught up', (y) => cursorOf(y, 'reader-a')?.applied === head2 && Number(y.firstOffset) > first);
    const status = JSON.parse((await runCli(['status', '--reader', reader.address, '--json'])).stdout) as Record<string, unknown>;
    expect(status).toMatchObject({ applied_offset: head2, writer_first_offset: Number(h.firstOffset), consumer: { consumer_id: 'reader-a', reported_offset: head2, expired: false } });
  });

  it('refuses a bad consumer id or an applied offset past the head, naming the field; the writer keeps serving', async () => {
    const c = client(writer!.address);
    const h = await head(c);
    const bad = (await report(c, 'no spaces', 0).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bad.details).toContain('consumer_id');
    const past = (await report(c, 'reader-z', Number(h.headOffset) + 1).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(past.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(past.details).toBe(`applied_offset: ${Number(h.headOffset) + 1} is past the log's head ${Number(h.headOffset)}`);
    expect((await head(c)).consumers.map((k) => k.consumerId)).not.toContain('reader-z');
  });

  it('`writer consumers --remove` drops a consumer once the writer is stopped', async () => {
    await reader?.stop();
    reader = undefined;
    await writer!.stop();
    writer = undefined;
    const removed = await runCli(['writer', 'consumers', '--wal', wal, '--remove', 'slow', '--json']);
    expect(removed.code).toBe(0);
    expect(removed.stderr).toContain("removed consumer 'slow'");
    expect((JSON.parse(removed.stdout) as { consumers: Array<{ consumer_id: string }> }).consumers.map((k) => k.consumer_id)).toEqual(['reader-a']);
    const again = await runCli(['writer', 'consumers', '--wal', wal, '--remove', 'slow']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('no such consumer (registered: reader-a)');
  });
});
