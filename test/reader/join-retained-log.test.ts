/**
 * A reader joins a log that retention has trimmed (real processes): a writer
 * with 128 KiB segments and retention on; reader A applies 20k+ records and
 * its cursor lets retention delete the segments below it; reader B, empty,
 * could not replay that log — it starts with --bootstrap-from A, reports
 * SERVING, answers every Resolve, Explain and History exactly as A at the same
 * offsets, and then keeps applying new writes. A reader with no bootstrap
 * source refuses to start on the trimmed log, naming the offsets.
 */
import { join } from 'node:path';
import type { HeadResponse } from '../../shared/gen/stemedb/v1/writer';
import type { StatusResponse } from '../../shared/gen/stemedb/v1/reader';
import { callUnary } from '../../shared/grpc/client';
import { healthProbe } from '../grpc/probes';
import { runCli } from '../helpers/process';
import { ADMIN, randomLog } from '../graph/log-builder';
import { makeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';
import { client as writerClient, startWriterProcess, type WriterProcess } from '../writer/writer-fixtures';
import { appendAll, answersOf, LENSES } from './bootstrap-fixtures';
import { claimBy, readerClient, resolve, startReaderProcess, write, type ReaderProcess } from './reader-fixtures';

jest.setTimeout(240_000);

const RECORDS = 20_500;
const SEGMENT_BYTES = 128 * 1024;
const SUBJECTS = Array.from({ length: 2000 }, (_, i) => `s${i}`);
const COMPARED = SUBJECTS.slice(0, 40);
const PREDICATES = ['p1', 'p2', 'p3'];

function status(address: string): Promise<StatusResponse> {
  const c = readerClient(address);
  return callUnary(c.status.bind(c), {}, { deadlineMs: 10_000 }).finally(() => c.close());
}

function head(address: string): Promise<HeadResponse> {
  const c = writerClient(address);
  return callUnary(c.head.bind(c), {}, { deadlineMs: 10_000 }).finally(() => c.close());
}

describe('a reader joining a log trimmed by retention', () => {
  const dir = makeTempDir('stemedb-join-');
  let writer: WriterProcess;
  let a: ReaderProcess;
  let b: ReaderProcess | undefined;
  let appended = 0;
  let trimmed: HeadResponse;

  beforeAll(async () => {
    writer = await startWriterProcess(join(dir.path, 'wal'), [
      '--durability', 'none',
      '--admin-key', ADMIN.publicKey.toString('hex'),
      '--segment-bytes', String(SEGMENT_BYTES),
      '--retention-keep-bytes', '0',
      '--retention-interval-ms', '50',
    ]);
    a = await startReaderProcess(join(dir.path, 'a'), ['--writer', writer.address, '--verify', 'none', '--consumer-id', 'reader-a']);
    appended = await appendAll(writer.address, randomLog(2027, { records: RECORDS, agents: 8, subjects: SUBJECTS, predicates: PREDICATES }).filter((r) => r.kind !== 'epoch'));
    // A applies everything; its cursor is the only one (and keep is 0), so every
    // whole segment goes but the active one: then nothing moves until the next append.
    trimmed = await waitFor(async () => {
      const h = await head(writer.address);
      const cursor = h.consumers.find((c) => c.consumerId === 'reader-a');
      return Number(cursor?.appliedOffset ?? -1) === appended && h.segments.length === 1 && Number(h.firstOffset) > 0 ? h : undefined;
    }, 'retention trims every segment below reader A but the active one', 60_000, 50);
  });

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await writer?.stop();
    dir.cleanup();
  });

  it('has deleted the segments below A: the log no longer starts at 0', () => {
    expect(Number(trimmed.firstOffset)).toBeGreaterThan(appended / 2);
    expect(Number(trimmed.segments[0]!.baseOffset)).toBe(Number(trimmed.firstOffset));
    expect(Number(trimmed.firstOffset)).toBeLessThanOrEqual(appended);
  });

  it('refuses to start an empty reader with no bootstrap source, naming the first offset', async () => {
    const refused = await runCli(['reader', '--data', join(dir.path, 'c'), '--writer', writer.address, '--listen', '127.0.0.1:0'], { STEMEDB_CONSUMER_ID: 'reader-c', STEMEDB_LOG_LEVEL: 'warn' });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`now starts at ${Number(trimmed.firstOffset)}`);
    expect(refused.stderr).toContain('--bootstrap-from HOST:PORT');
  });

  it('bootstraps B from A, serves, answers as A at the same offsets, then keeps applying', async () => {
    b = await startReaderProcess(join(dir.path, 'b'), ['--writer', writer.address, '--bootstrap-from', a.address, '--consumer-id', 'reader-b']);
    const probe = healthProbe(b.address);
    try {
      expect(await probe.check('')).toBe('SERVING');
    } finally {
      probe.close();
    }
    expect(Number((await status(b.address)).appliedOffset)).toBe(appended);
    const ca = readerClient(a.address);
    const cb = readerClient(b.address);
    try {
      const asOf = BigInt(Math.floor(appended / 2));
      let compared = 0;
      for (const [i, subject] of COMPARED.entries()) {
        for (const predicate of PREDICATES) {
          const lens = LENSES[(i + predicate.length) % LENSES.length]!;
          for (const at of [{ minOffset: BigInt(appended - 1) }, { asOfOffset: asOf }]) {
            const q = { subject, predicate, lens, at };
            const [fromB, fromA] = await Promise.all([answersOf(cb, q), answersOf(ca, q)]);
            expect(fromB).toEqual(fromA);
            compared++;
          }
        }
      }
      expect(compared).toBe(COMPARED.length * PREDICATES.length * 2);
      const after = await write(writer.address, claimBy(3, 'after-join', 'p', 'new'));
      const seen = await resolve(cb, 'after-join', 'p', { minOffset: BigInt(after.offset) });
      expect(seen.resolution?.object?.value).toEqual({ $case: 'text', value: 'new' });
      // B registered its own cursor with the writer, at the head it applied.
      const registered = await waitFor(async () => {
        const h = await head(writer.address);
        const cursor = h.consumers.find((x) => x.consumerId === 'reader-b');
        return cursor !== undefined && Number(cursor.appliedOffset) >= Number(after.nextOffset) ? cursor : undefined;
      }, 'reader B reports its cursor', 20_000, 50);
      expect(registered.expired).toBe(false);
    } finally {
      ca.close();
      cb.close();
    }
  });
});
