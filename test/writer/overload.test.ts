/**
 * The writer-wide bound on records in flight: at the bound calls still go
 * through; one record past it is refused at once with RESOURCE_EXHAUSTED and a
 * retry-after hint, for Append, AppendBatch and AppendStream alike; a freed
 * slot admits the next call. In process, against a log that holds appends.
 */
import * as grpc from '@grpc/grpc-js';
import { WriterServiceClient, type AppendStreamResponse } from '../../shared/gen/stemedb/v1/writer';
import { OverloadedError } from '../../shared/grpc/errors';
import { callUnary } from '../../shared/grpc/client';
import { setLogLevel } from '../../shared/telemetry/logger';
import { AppendLoad } from '../../services/writer/append-load';
import { OVERLOAD_RETRY_AFTER_MS } from '../../services/writer/limits';
import { waitFor } from '../helpers/wait';
import { HeldLog, startHeldWriter, type HeldWriter } from './held-log';
import { pb, signedAssertion } from './writer-fixtures';

setLogLevel('error');

const MAX = 4;

describe('records in flight are bounded writer-wide', () => {
  let writer: HeldWriter;
  let log: HeldLog;
  let load: AppendLoad;
  let c: WriterServiceClient;
  let n = 0;
  const record = (): ReturnType<typeof pb> => pb(signedAssertion(`overload-${n++}`));
  const append = (): Promise<unknown> => callUnary(c.append.bind(c), { record: record() }, { deadlineMs: 10_000 });

  beforeEach(async () => {
    load = new AppendLoad(MAX);
    writer = await startHeldWriter('overload', { load });
    ({ log, client: c } = writer);
  });
  afterEach(async () => {
    log.release(log.held.length);
    await writer.stop();
  });

  it('admits up to the bound, refuses one record more with RESOURCE_EXHAUSTED and a retry-after, and admits again once a slot frees', async () => {
    const inFlight = Array.from({ length: MAX - 1 }, append);
    const batchOfTwo = callUnary(c.appendBatch.bind(c), { records: [record(), record()] }, { deadlineMs: 10_000 });
    await expect(batchOfTwo).rejects.toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED });
    const lastSlot = append(); // exactly at the bound
    await waitFor(() => (log.started === MAX ? true : undefined), 'the bound to fill');
    expect(load.inFlight).toBe(MAX);

    const refused = await append().then(() => undefined, (e: grpc.ServiceError) => e);
    expect(refused?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(refused?.details).toMatch(/records_in_flight limit \(4 of 4\)/);
    expect(refused?.metadata.get('stemedb-retry-after-ms')).toEqual([String(OVERLOAD_RETRY_AFTER_MS)]);
    expect(log.started).toBe(MAX); // nothing of the refused call reached the log

    log.release(1);
    await inFlight[0];
    const next = append();
    await waitFor(() => (log.started === MAX + 1 ? true : undefined), 'the freed slot to admit the next call');
    log.release(log.held.length);
    await Promise.all([...inFlight, lastSlot, next]);
    expect(load.inFlight).toBe(0);
  });

  it('answers a stream record past the bound with an in-stream RESOURCE_EXHAUSTED and keeps the stream open', async () => {
    const inFlight = Array.from({ length: MAX }, append);
    await waitFor(() => (log.started === MAX ? true : undefined), 'the bound to fill');
    const call = c.appendStream();
    const responses: AppendStreamResponse[] = [];
    call.on('data', (r: AppendStreamResponse) => responses.push(r));
    const ended = new Promise<void>((res, rej) => {
      call.on('end', res);
      call.on('error', rej);
    });
    call.write({ sequence: 1n, record: record() });
    await waitFor(() => (responses.length === 1 ? true : undefined), 'the refusal');
    expect(responses[0]!.result).toMatchObject({ $case: 'error', value: { code: grpc.status.RESOURCE_EXHAUSTED } });

    log.release(MAX);
    await Promise.all(inFlight);
    call.write({ sequence: 2n, record: record() });
    await waitFor(() => (log.held.length === 1 ? true : undefined), 'the second record to be admitted');
    log.release(1);
    await waitFor(() => (responses.length === 2 ? true : undefined), 'the receipt');
    expect(responses[1]).toMatchObject({ sequence: 2n, result: { $case: 'receipt' } });
    call.end();
    await ended;
  });

  it('releases slots when a call fails, and refuses a call larger than the whole bound', async () => {
    const l = new AppendLoad(2);
    await expect(l.run(1, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(l.inFlight).toBe(0);
    await expect(l.run(2, async () => l.inFlight)).resolves.toBe(2);
    await expect(l.run(3, async () => 'never')).rejects.toBeInstanceOf(OverloadedError);
    expect(() => new AppendLoad(0)).toThrow(RangeError);
  });
});
