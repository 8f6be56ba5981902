/**
 * The writer process end to end: concurrent appends through every RPC are
 * acknowledged and read back via Tail exactly once in offset order, Tail's
 * offset rules, Head, batches all-or-nothing, in-stream errors, health and
 * reflection, graceful shutdown.
 */
import * as grpc from '@grpc/grpc-js';
import { decodeLogPayload } from '../../shared/domain/log-payload';
import { blake3, recordId } from '../../shared/domain/hash';
import type { AppendStreamResponse, Receipt } from '../../shared/gen/stemedb/v1/writer';
import { callUnary, fieldOf } from '../../shared/grpc/client';
import { RECORD_HEADER_BYTES } from '../../shared/wal/limits';
import { healthProbe, reflectedServices } from '../grpc/probes';
import { makeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';
import { assertionWith } from '../domain/fixtures';
import { append, client, pb, signedAssertion, startWriterProcess, tailRecords, type WriterProcess } from './writer-fixtures';

const CLIENTS = 4;
const APPENDS_PER_CLIENT = 40;
const BATCH_RECORDS = 20;
const STREAM_RECORDS = 60;

function streamAll(c: ReturnType<typeof client>, records: ReturnType<typeof pb>[]): Promise<AppendStreamResponse[]> {
  return new Promise((resolve, reject) => {
    const got: AppendStreamResponse[] = [];
    const call = c.appendStream();
    call.on('data', (m: AppendStreamResponse) => {
      got.push(m);
      if (got.length === records.length) call.end();
    });
    call.on('error', reject);
    call.on('status', (s: grpc.StatusObject) => (s.code === grpc.status.OK ? resolve(got) : undefined));
    records.forEach((record, i) => call.write({ sequence: BigInt(1000 + i), record }));
  });
}

describe('writer process', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let writer: WriterProcess;

  beforeAll(async () => {
    tmp = makeTempDir('stemedb-writer-');
    writer = await startWriterProcess(tmp.path);
  });
  afterAll(async () => {
    await writer?.stop();
    tmp?.cleanup();
  });

  it('acknowledges concurrent Append, AppendBatch and AppendStream clients, and a Tail from 0 started first sees every record exactly once in offset order', async () => {
    const total = CLIENTS * APPENDS_PER_CLIENT + BATCH_RECORDS + STREAM_RECORDS;
    const tailer = client(writer.address);
    const tailed = tailRecords(tailer, 0, total);
    const clients = Array.from({ length: CLIENTS + 2 }, () => client(writer.address));
    const receipts: Receipt[] = [];
    const unary = clients.slice(0, CLIENTS).map(async (c, k) => {
      for (let i = 0; i < APPENDS_PER_CLIENT; i++) receipts.push(await append(c, pb(signedAssertion(`u${k}-${i}`))));
    });
    const batchClient = clients[CLIENTS]!;
    const batch = callUnary(batchClient.appendBatch.bind(batchClient), { records: Array.from({ length: BATCH_RECORDS }, (_, i) => pb(signedAssertion(`b${i}`))) }).then((r) => receipts.push(...r.receipts));
    const stream = streamAll(clients[CLIENTS + 1]!, Array.from({ length: STREAM_RECORDS }, (_, i) => pb(signedAssertion(`s${i}`)))).then((rs) => {
      expect(rs.map((r) => Number(r.sequence)).sort((a, b) => a - b)).toEqual(Array.from({ length: STREAM_RECORDS }, (_, i) => 1000 + i));
      for (const r of rs) {
        if (r.result?.$case !== 'receipt') throw new Error(`stream result ${JSON.stringify(r.result)}`);
        receipts.push(r.result.value);
      }
    });
    await Promise.all([...unary, batch, stream]);
    const records = await tailed;
    [tailer, ...clients].forEach((c) => c.close());

    expect(records).toHaveLength(total);
    expect(new Set(receipts.map((r) => Number(r.offset))).size).toBe(total);
    let expected = 0;
    const receiptByOffset = new Map(receipts.map((r) => [Number(r.offset), r]));
    for (const r of records) {
      expect(r.offset).toBe(expected);
      expect(blake3(r.payload).equals(r.hash)).toBe(true);
      const receipt = receiptByOffset.get(r.offset)!;
      expect(receipt).toBeDefined();
      expect(recordId(decodeLogPayload(r.payload).record).equals(receipt.id)).toBe(true);
      expected = r.offset + RECORD_HEADER_BYTES + r.payload.length;
      expect(Number(receipt.nextOffset)).toBe(expected);
    }
  });

  it('answers Head with the durable end, the first offset and the segments', async () => {
    const c = client(writer.address);
    const r = await append(c, pb(signedAssertion('head')));
    const head = await callUnary(c.head.bind(c), {});
    c.close();
    expect(head.headOffset).toBe(r.nextOffset);
    expect(head.firstOffset).toBe(0n);
    expect(head.segments).toEqual([{ baseOffset: 0n, endOffset: r.nextOffset, fileName: '0000000000000000.wal' }]);
  });

  it('tails from any record boundary, bounds payload bytes per message, and rejects offsets inside a record or negative with INVALID_ARGUMENT naming from_offset', async () => {
    const c = client(writer.address);
    const r1 = await append(c, pb(signedAssertion('t1')));
    await append(c, pb(signedAssertion('t2')));
    const from = await tailRecords(c, Number(r1.offset), 2, 1);
    expect(from.map((r) => r.offset)).toEqual([Number(r1.offset), Number(r1.nextOffset)]);

    const messages: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const call = c.tail({ fromOffset: 0n, maxBatchBytes: 600 });
      call.on('data', (m: { records: Array<{ payload: Buffer }> }) => {
        messages.push(m.records.reduce((n, r) => n + r.payload.length, 0));
        if (messages.length === 5) {
          call.cancel();
          resolve();
        }
      });
      call.on('error', (e: grpc.ServiceError) => (e.code === grpc.status.CANCELLED ? undefined : reject(e)));
    });
    for (const bytes of messages) expect(bytes).toBeLessThanOrEqual(600);

    for (const bad of [r1.offset + 1n, -1n]) {
      const err = await tailRecords(c, Number(bad), 1).then(
        () => undefined,
        (e: grpc.ServiceError) => e,
      );
      expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(fieldOf(err!)).toBe('from_offset');
    }
    c.close();
  });

  it('a Tail from beyond the head waits for the log to reach it', async () => {
    const c = client(writer.address);
    const head = Number((await callUnary(c.head.bind(c), {})).headOffset);
    const waiting = tailRecords(c, head, 1);
    const receipt = await append(c, pb(signedAssertion('later')));
    const [first] = await waiting;
    expect(first!.offset).toBe(Number(receipt.offset));
    c.close();
  });

  it('an AppendBatch with one bad record appends nothing and names records[i]', async () => {
    const c = client(writer.address);
    const before = (await callUnary(c.head.bind(c), {})).headOffset;
    const records = Array.from({ length: 5 }, (_, i) => pb(signedAssertion(`bad-batch-${i}`)));
    records[3] = pb(assertionWith({ confidence: 2 }));
    const err = await callUnary(c.appendBatch.bind(c), { records }).then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    );
    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(fieldOf(err!)).toBe('records[3].assertion.confidence');
    const empty = await callUnary(c.appendBatch.bind(c), { records: [] }).catch((e: grpc.ServiceError) => e);
    expect((empty as grpc.ServiceError).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await callUnary(c.head.bind(c), {})).headOffset).toBe(before);
    c.close();
  });

  it('AppendStream answers a bad record in-stream (code, message, field, sequence) and keeps going', async () => {
    const c = client(writer.address);
    const results = await streamAll(c, [pb(signedAssertion('ok-1')), pb(assertionWith({ confidence: 2 })), pb(signedAssertion('ok-2'))]);
    c.close();
    const bySeq = new Map(results.map((r) => [Number(r.sequence), r.result]));
    expect(bySeq.get(1000)?.$case).toBe('receipt');
    expect(bySeq.get(1002)?.$case).toBe('receipt');
    const bad = bySeq.get(1001);
    expect(bad?.$case).toBe('error');
    if (bad?.$case === 'error') {
      expect(bad.value.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(bad.value.field).toBe('record.assertion.confidence');
      expect(bad.value.message).toMatch(/confidence/);
    }
  });

  it('serves health SERVING and reflection listing the writer and health services', async () => {
    const probe = healthProbe(writer.address);
    expect(await probe.check('')).toBe('SERVING');
    expect(await probe.check('stemedb.v1.WriterService')).toBe('SERVING');
    probe.close();
    expect(await reflectedServices(writer.address)).toEqual(['grpc.health.v1.Health', 'stemedb.v1.WriterService']);
  });
});

describe('writer shutdown', () => {
  it('reports NOT_SERVING to a health watcher on SIGTERM, finishes in-flight appends, and exits 0', async () => {
    const tmp = makeTempDir('stemedb-writer-');
    try {
      const writer = await startWriterProcess(tmp.path);
      const probe = healthProbe(writer.address);
      const watch = probe.watch('');
      await waitFor(() => (watch.statuses.includes('SERVING') ? true : undefined), 'SERVING from Watch');
      const c = client(writer.address);
      const tail = c.tail({ fromOffset: 0n, maxBatchBytes: 0 });
      const tailEnded = new Promise<grpc.status>((resolve) => tail.on('status', (s: grpc.StatusObject) => resolve(s.code)));
      let tailed = 0;
      tail.on('data', (m: { records: unknown[] }) => (tailed += m.records.length));
      tail.on('error', () => undefined);
      // The Tail is open on the server once it has delivered a record.
      await append(c, pb(signedAssertion('drain-first')));
      await waitFor(() => (tailed > 0 ? true : undefined), 'the Tail stream to deliver');
      const inFlight = Array.from({ length: 20 }, (_, i) => append(c, pb(signedAssertion(`drain-${i}`))));
      writer.proc.child.kill('SIGTERM');
      const receipts = await Promise.allSettled(inFlight);
      expect(await writer.proc.exited).toBe(0);
      await watch.ended;
      expect(watch.statuses).toContain('NOT_SERVING');
      expect(await tailEnded).toBe(grpc.status.OK);
      probe.close();
      c.close();
      // Whatever was acknowledged is in the log after a restart.
      const acknowledged = receipts.filter((r): r is PromiseFulfilledResult<Receipt> => r.status === 'fulfilled').map((r) => r.value);
      const again = await startWriterProcess(tmp.path);
      const c2 = client(again.address);
      const head = await callUnary(c2.head.bind(c2), {});
      for (const r of acknowledged) expect(r.nextOffset <= head.headOffset).toBe(true);
      c2.close();
      expect(await again.stop()).toBe(0);
    } finally {
      tmp.cleanup();
    }
  });
});
