/**
 * AppendStream flow control, in process against a log whose appends complete
 * only when the test says so: the writer reads at most
 * APPEND_STREAM_IN_FLIGHT_MAX records ahead of their acknowledgements, however
 * many the client has sent, and picks up exactly one more per freed slot.
 */
import type * as grpc from '@grpc/grpc-js';
import { WriterServiceClient, type AppendStreamResponse } from '../../shared/gen/stemedb/v1/writer';
import { callUnary } from '../../shared/grpc/client';
import { APPEND_STREAM_IN_FLIGHT_MAX } from '../../services/writer/limits';
import { setLogLevel } from '../../shared/telemetry/logger';
import { waitFor } from '../helpers/wait';
import { HeldLog, startHeldWriter, type HeldWriter } from './held-log';
import { pb, signedAssertion } from './writer-fixtures';

setLogLevel('warn');

describe('AppendStream flow control', () => {
  let writer: HeldWriter;
  let log: HeldLog;
  let c: WriterServiceClient;

  beforeEach(async () => {
    writer = await startHeldWriter('flow');
    ({ log, client: c } = writer);
  });
  afterEach(() => writer.stop());

  it(`reads at most APPEND_STREAM_IN_FLIGHT_MAX (${APPEND_STREAM_IN_FLIGHT_MAX}) records ahead of their receipts, then one more per receipt`, async () => {
    const extra = 200;
    const total = APPEND_STREAM_IN_FLIGHT_MAX + extra;
    const records = Array.from({ length: total }, (_, i) => pb(signedAssertion(`flow-${i}`)));
    const call = c.appendStream();
    const results: AppendStreamResponse[] = [];
    call.on('data', (m: AppendStreamResponse) => results.push(m));
    const ended = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    call.on('error', () => undefined);
    records.forEach((record, i) => call.write({ sequence: BigInt(i), record }));

    await waitFor(() => (log.started === APPEND_STREAM_IN_FLIGHT_MAX ? true : undefined), 'the in-flight bound to fill');
    // A unary round trip on the same connection: the records sent before it have reached the server.
    await callUnary(c.head.bind(c), {});
    expect(log.started).toBe(APPEND_STREAM_IN_FLIGHT_MAX);

    log.release(1);
    await waitFor(() => (results.length === 1 ? true : undefined), 'the first receipt');
    await waitFor(() => (log.started === APPEND_STREAM_IN_FLIGHT_MAX + 1 ? true : undefined), 'one more record to be read');
    await callUnary(c.head.bind(c), {});
    expect(log.started).toBe(APPEND_STREAM_IN_FLIGHT_MAX + 1);
    expect(log.held).toHaveLength(APPEND_STREAM_IN_FLIGHT_MAX);

    // Release as they come: every record is acknowledged exactly once.
    const pump = setInterval(() => log.release(log.held.length), 1);
    await waitFor(() => (results.length === total ? true : undefined), 'every receipt');
    clearInterval(pump);
    call.end();
    expect((await ended).code).toBe(0);
    expect(new Set(results.map((r) => Number(r.sequence))).size).toBe(total);
    expect(results.every((r) => r.result?.$case === 'receipt')).toBe(true);
  });

  it('ends the stream with OK at shutdown after the in-flight records are acknowledged', async () => {
    const call = c.appendStream();
    const results: AppendStreamResponse[] = [];
    call.on('data', (m: AppendStreamResponse) => results.push(m));
    const ended = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    call.on('error', () => undefined);
    for (let i = 0; i < 3; i++) call.write({ sequence: BigInt(i), record: pb(signedAssertion(`drain-${i}`)) });
    await waitFor(() => (log.started === 3 ? true : undefined), 'three appends in flight');
    const stopping = writer.server.shutdown(5_000);
    log.release(3);
    expect((await ended).code).toBe(0);
    expect(results).toHaveLength(3);
    expect((await stopping).forced).toBe(false);
  });
});
