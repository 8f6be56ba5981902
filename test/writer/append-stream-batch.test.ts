/**
 * Multi-record AppendStream requests (`batch`), in process against a log whose
 * appends complete only when the test says so: one request is one
 * `appendBatch` and one response with a result per record in order; a bad
 * record fails only its own result; whole-message failures (both shapes set,
 * no or too many records, a signer's quota) answer `error` and append
 * nothing; the stream's in-flight bound counts records, checked at ±1.
 */
import type * as grpc from '@grpc/grpc-js';
import { WriterServiceClient, type AppendStreamRequest, type AppendStreamResponse } from '../../shared/gen/stemedb/v1/writer';
import type { Record as PbRecord } from '../../shared/gen/stemedb/v1/records';
import { callUnary } from '../../shared/grpc/client';
import { setLogLevel } from '../../shared/telemetry/logger';
import { Admission } from '../../services/writer/admission';
import { APPEND_STREAM_IN_FLIGHT_MAX, APPEND_STREAM_MESSAGE_RECORDS_MAX } from '../../services/writer/limits';
import { AgentQuota } from '../../services/writer/quota';
import { waitFor } from '../helpers/wait';
import { HeldLog, startHeldWriter, type HeldWriter } from './held-log';
import { pb, signedAssertion } from './writer-fixtures';

setLogLevel('warn');

const Status = { INVALID_ARGUMENT: 3, RESOURCE_EXHAUSTED: 8, UNAUTHENTICATED: 16 };

function records(tag: string, n: number): PbRecord[] {
  return Array.from({ length: n }, (_, i) => pb(signedAssertion(`${tag}-${i}`)));
}

describe('AppendStream multi-record requests', () => {
  let writer: HeldWriter;
  let log: HeldLog;
  let c: WriterServiceClient;
  let admission: Admission;
  let call: grpc.ClientDuplexStream<AppendStreamRequest, AppendStreamResponse>;
  let answers: AppendStreamResponse[];
  let ended: Promise<grpc.StatusObject>;

  async function start(quota?: AgentQuota): Promise<void> {
    writer = await startHeldWriter('stream-batch', { quota });
    ({ log, admission, client: c } = writer);
    call = c.appendStream();
    answers = [];
    call.on('data', (m: AppendStreamResponse) => answers.push(m));
    ended = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    call.on('error', () => undefined);
  }
  const answered = (n: number): Promise<true> => waitFor(() => (answers.length >= n ? true : undefined), `${n} answers`);
  const pump = (): NodeJS.Timeout => setInterval(() => log.release(log.held.length), 1);

  afterEach(async () => {
    call.end();
    await writer.stop();
  });

  it('admits a request as one appendBatch and answers every record in order, a bad record failing only its own result', async () => {
    await start();
    const good = records('mixed', 3);
    const badConfidence = pb(signedAssertion('bad-confidence'));
    if (badConfidence.kind?.$case === 'assertion') badConfidence.kind.value.confidence = 2;
    const badSignature = pb(signedAssertion('bad-signature'));
    if (badSignature.kind?.$case === 'assertion') badSignature.kind.value.signatures[0]!.signature[0]! ^= 1;
    call.write({ sequence: 7n, record: undefined, batch: { records: [good[0]!, badConfidence, good[1]!, badSignature, good[2]!] } });
    await waitFor(() => (log.held.length === 1 ? true : undefined), 'the batch append');
    expect(log.started).toBe(3); // the three good records, in one appendBatch
    log.release(1);
    await answered(1);
    const [m] = answers;
    expect(m!.sequence).toBe(7n);
    expect(m!.result).toBeUndefined();
    const results = m!.results!.results.map((r) => r.result);
    expect(results.map((r) => r?.$case)).toEqual(['receipt', 'error', 'receipt', 'error', 'receipt']);
    expect(results[1]).toMatchObject({ value: { code: Status.INVALID_ARGUMENT, field: 'batch.records[1].assertion.confidence' } });
    expect(results[3]).toMatchObject({ value: { code: Status.UNAUTHENTICATED, field: 'batch.records[3].assertion.signatures[0]' } });
    const offsets = [results[0], results[2], results[4]].map((r) => (r?.$case === 'receipt' ? Number(r.value.offset) : -1));
    expect(offsets[0]).toBeLessThan(offsets[1]!);
    expect(offsets[1]).toBeLessThan(offsets[2]!);
  });

  it(`takes APPEND_STREAM_MESSAGE_RECORDS_MAX (${APPEND_STREAM_MESSAGE_RECORDS_MAX}) records in one request and refuses one more in-stream, naming batch.records; the stream goes on`, async () => {
    await start();
    const timer = pump();
    try {
      call.write({ sequence: 1n, record: undefined, batch: { records: records('over', APPEND_STREAM_MESSAGE_RECORDS_MAX + 1) } });
      call.write({ sequence: 2n, record: undefined, batch: { records: records('max', APPEND_STREAM_MESSAGE_RECORDS_MAX) } });
      await answered(2);
    } finally {
      clearInterval(timer);
    }
    const bySequence = new Map(answers.map((m) => [m.sequence, m]));
    expect(bySequence.get(1n)!.result).toMatchObject({ $case: 'error', value: { code: Status.RESOURCE_EXHAUSTED, field: 'batch.records' } });
    expect(bySequence.get(1n)!.results).toBeUndefined();
    const max = bySequence.get(2n)!.results!.results;
    expect(max).toHaveLength(APPEND_STREAM_MESSAGE_RECORDS_MAX);
    expect(max.every((r) => r.result?.$case === 'receipt')).toBe(true);
    expect(log.started).toBe(APPEND_STREAM_MESSAGE_RECORDS_MAX);
  });

  it('refuses a request with both record and batch, or an empty batch, as INVALID_ARGUMENT naming the field, appending nothing', async () => {
    await start();
    const [a, b] = records('shape', 2);
    call.write({ sequence: 1n, record: a, batch: { records: [b!] } });
    call.write({ sequence: 2n, record: undefined, batch: { records: [] } });
    await answered(2);
    const bySequence = new Map(answers.map((m) => [m.sequence, m.result]));
    expect(bySequence.get(1n)).toMatchObject({ $case: 'error', value: { code: Status.INVALID_ARGUMENT, field: 'batch' } });
    expect(bySequence.get(2n)).toMatchObject({ $case: 'error', value: { code: Status.INVALID_ARGUMENT, field: 'batch.records' } });
    expect(log.started).toBe(0);
  });

  it("refuses the whole request when a signer's quota cannot pay for all its records (RESOURCE_EXHAUSTED), appending none of them", async () => {
    await start(new AgentQuota({ recordsPerSec: 1, burstRecords: 3 }, () => 0));
    const timer = pump();
    try {
      call.write({ sequence: 1n, record: undefined, batch: { records: records('quota-a', 4) } });
      await answered(1);
      call.write({ sequence: 2n, record: undefined, batch: { records: records('quota-b', 3) } });
      await answered(2);
    } finally {
      clearInterval(timer);
    }
    expect(answers[0]!.result).toMatchObject({ $case: 'error', value: { code: Status.RESOURCE_EXHAUSTED } });
    expect(answers[1]!.results!.results.every((r) => r.result?.$case === 'receipt')).toBe(true);
    expect(log.started).toBe(3);
  });

  // Two requests of half the bound fill it exactly; two of one record fewer leave room for a third.
  it.each([
    [APPEND_STREAM_IN_FLIGHT_MAX / 2, 2],
    [APPEND_STREAM_IN_FLIGHT_MAX / 2 - 1, 3],
  ])('counts records against APPEND_STREAM_IN_FLIGHT_MAX: with requests of %i records it reads %i of them before a receipt frees room', async (size, readable) => {
    expect(Number.isInteger(APPEND_STREAM_IN_FLIGHT_MAX / 2) && APPEND_STREAM_IN_FLIGHT_MAX / 2 <= APPEND_STREAM_MESSAGE_RECORDS_MAX).toBe(true);
    await start();
    const read = jest.spyOn(admission, 'checkEach');
    for (let i = 0; i < 4; i++) call.write({ sequence: BigInt(i), record: undefined, batch: { records: records(`bound-${size}-${i}`, size) } });
    await waitFor(() => (log.held.length === readable ? true : undefined), `${readable} requests appended`);
    // A unary round trip on the same connection: the requests sent before it have reached the server.
    await callUnary(c.head.bind(c), {});
    expect(read).toHaveBeenCalledTimes(readable);
    expect(log.held).toHaveLength(readable);
    log.release(1);
    await answered(1);
    await waitFor(() => (log.started === (readable + 1) * size ? true : undefined), 'one more request to be read');
    expect(read).toHaveBeenCalledTimes(readable + 1);
    const timer = pump();
    try {
      await answered(4);
    } finally {
      clearInterval(timer);
    }
    call.end();
    expect((await ended).code).toBe(0);
  });
});
