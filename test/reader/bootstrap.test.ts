/**
 * Bootstrap from a peer (real processes): reader A applies 20k+ records from
 * a writer; reader B starts empty with --bootstrap-from A, reports SERVING
 * having restored A's snapshot (not replayed the log), and answers every
 * Resolve, Explain and History exactly as A does at the same offsets (many
 * subjects, every lens, min_offset and as_of_offset); then B keeps applying
 * new writes. Also: the Snapshot stream bound (SNAPSHOT_STREAMS_MAX).
 */
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { StatusResponse, SnapshotResponse } from '../../shared/gen/stemedb/v1/reader';
import { callUnary } from '../../shared/grpc/client';
import { SNAPSHOT_STREAMS_MAX } from '../../services/reader/limits';
import { ADMIN, randomLog } from '../graph/log-builder';
import { makeTempDir } from '../helpers/tmp';
import { startWriterProcess, type WriterProcess } from '../writer/writer-fixtures';
import { appendAll, answersOf, LENSES, startReaderWithin } from './bootstrap-fixtures';
import { claimBy, readerClient, resolve, write, type ReaderProcess } from './reader-fixtures';

jest.setTimeout(420_000);

const RECORDS = 20_500;
const SUBJECTS = Array.from({ length: 2000 }, (_, i) => `s${i}`);
/** The subjects whose every predicate is compared (each pair under one lens, at min_offset and at an as_of). */
const COMPARED = SUBJECTS.slice(0, 60);
const PREDICATES = ['p1', 'p2', 'p3'];
/** Catch-up of 20k records and a restore, under a loaded machine. */
const READY_MS = 180_000;

function status(address: string): Promise<StatusResponse> {
  const c = readerClient(address);
  return callUnary(c.status.bind(c), {}, { deadlineMs: 10_000 }).finally(() => c.close());
}

describe('a reader bootstrapped from a peer', () => {
  const dir = makeTempDir('stemedb-bootstrap-');
  let writer: WriterProcess;
  let a: ReaderProcess;
  let b: ReaderProcess | undefined;
  let head = 0;

  beforeAll(async () => {
    writer = await startWriterProcess(join(dir.path, 'wal'), ['--durability', 'none', '--admin-key', ADMIN.publicKey.toString('hex')]);
    // Epochs by non-admin agents are refused by the writer: the log keeps the rest.
    head = await appendAll(writer.address, randomLog(1313, { records: RECORDS, agents: 8, subjects: SUBJECTS, predicates: PREDICATES }).filter((r) => r.kind !== 'epoch'));
    a = await startReaderWithin(join(dir.path, 'a'), ['--writer', writer.address, '--verify', 'none'], READY_MS);
    expect(Number((await status(a.address)).appliedOffset)).toBe(head);
  });

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await writer?.stop();
    dir.cleanup();
  });

  it('serves only after restoring, answers as A at the same offsets, then keeps applying', async () => {
    b = await startReaderWithin(join(dir.path, 'b'), ['--writer', writer.address, '--bootstrap-from', a.address], READY_MS, { STEMEDB_LOG_LEVEL: 'info' });
    const bStatus = await status(b.address);
    expect(Number(bStatus.appliedOffset)).toBe(head);
    // Restored, not replayed: no record went through B's ingest.
    expect(Number(bStatus.recordsApplied)).toBe(Number((await status(a.address)).recordsApplied));
    expect(b.proc.stderr()).toMatch(/"msg":"bootstrapped from a snapshot".*"offset":\d+/);
    const ca = readerClient(a.address);
    const cb = readerClient(b.address);
    try {
      const asOfs = [Math.floor(head / 3), Math.floor((2 * head) / 3)].map(BigInt);
      let compared = 0;
      for (const [i, subject] of COMPARED.entries()) {
        for (const predicate of PREDICATES) {
          const lens = LENSES[(i + predicate.length) % LENSES.length]!;
          const ats = [{ minOffset: BigInt(head - 1) }, { asOfOffset: asOfs[i % 2]! }];
          for (const at of ats) {
            const q = { subject, predicate, lens, at };
            const [fromB, fromA] = await Promise.all([answersOf(cb, q), answersOf(ca, q)]);
            expect(fromB).toEqual(fromA);
            compared++;
          }
        }
      }
      expect(compared).toBe(COMPARED.length * PREDICATES.length * 2);
      const after = await write(writer.address, claimBy(3, 'after-bootstrap', 'p', 'new'));
      const seen = await resolve(cb, 'after-bootstrap', 'p', { minOffset: BigInt(after.offset) });
      expect(seen.resolution?.object?.value).toEqual({ $case: 'text', value: 'new' });
    } finally {
      ca.close();
      cb.close();
    }
  });

  it(`serves at most ${SNAPSHOT_STREAMS_MAX} Snapshot streams at once (RESOURCE_EXHAUSTED past that)`, async () => {
    const c = readerClient(a.address);
    const open: grpc.ClientReadableStream<SnapshotResponse>[] = [];
    try {
      // Each stream sends its first piece and then waits on flow control: none is read.
      for (let i = 0; i < SNAPSHOT_STREAMS_MAX; i++) {
        const call = c.snapshot({});
        await new Promise<void>((res, rej) => {
          call.once('data', () => (call.pause(), res()));
          call.once('error', rej);
        });
        open.push(call);
      }
      const extra = c.snapshot({});
      const code = await new Promise<number>((res) => {
        extra.on('data', () => undefined);
        extra.on('error', (err: grpc.ServiceError) => res(err.code));
        extra.on('end', () => res(grpc.status.OK));
      });
      expect(code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    } finally {
      for (const call of open) call.cancel();
      c.close();
    }
  });
});
