import { createServer } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { WriterServiceClient } from '../../shared/gen/stemedb/v1/writer';
import { callUnary, clientOptions, fieldOf, hasStatus, makeClient, waitForReady } from '../../shared/grpc/client';
import { MESSAGE_BYTES_MAX, SEND_MESSAGE_BYTES_MAX } from '../../shared/grpc/limits';
import { NotFoundError } from '../../shared/grpc/errors';
import { receipt, startFakeWriter, type FakeWriter } from './fake-writer';

/** A loopback port nothing listens on (bound, read, closed). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('client helpers', () => {
  let w: FakeWriter;
  beforeAll(async () => {
    w = await startFakeWriter();
  });
  afterAll(async () => {
    await w.close();
  });

  test('clients send up to the servers receive limit and accept up to their send limit', () => {
    expect(clientOptions()).toMatchObject({ 'grpc.max_send_message_length': MESSAGE_BYTES_MAX, 'grpc.max_receive_message_length': SEND_MESSAGE_BYTES_MAX });
    expect(clientOptions({ 'grpc.max_send_message_length': 10 })['grpc.max_send_message_length']).toBe(10);
  });

  test('makeClient builds a typed client; waitForReady resolves once connected; callUnary returns the response', async () => {
    const client = makeClient(WriterServiceClient, w.running.address);
    try {
      await waitForReady(client, 5_000);
      w.hooks.append = () => receipt(11);
      const res = await callUnary(client.append.bind(client), { record: undefined }, { deadlineMs: 5_000 });
      expect(res.receipt?.offset).toBe(11n);
    } finally {
      client.close();
    }
  });

  test('waitForReady rejects after its timeout when nothing listens', async () => {
    const client = makeClient(WriterServiceClient, `127.0.0.1:${await closedPort()}`);
    try {
      await expect(waitForReady(client, 200)).rejects.toThrow(/not ready after 200 ms/);
    } finally {
      client.close();
    }
  });

  test('callUnary passes its deadline to the server', async () => {
    let seenDeadline = 0;
    w.hooks.append = (_req, ctx) => {
      seenDeadline = ctx.deadlineMs;
      return receipt(1);
    };
    const before = Date.now();
    await callUnary(w.client.append.bind(w.client), { record: undefined }, { deadlineMs: 3_000 });
    expect(seenDeadline).toBeGreaterThanOrEqual(before + 2_000);
    expect(seenDeadline).toBeLessThanOrEqual(Date.now() + 3_000);
    await callUnary(w.client.append.bind(w.client), { record: undefined }, { deadlineMs: Infinity });
    expect(seenDeadline).toBe(Infinity);
  });

  test('an already aborted signal cancels the call before it is answered', async () => {
    const err = await callUnary(w.client.head.bind(w.client), {}, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(hasStatus(err, grpc.status.CANCELLED)).toBe(true);
  });

  test('fieldOf reads the field a NOT_FOUND names', async () => {
    w.hooks.append = () => {
      throw new NotFoundError('assertion', 'ab'.repeat(32), 'record.assertion.parent_hash');
    };
    const err = (await callUnary(w.client.append.bind(w.client), { record: undefined }).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.NOT_FOUND);
    expect(fieldOf(err)).toBe('record.assertion.parent_hash');
  });
});
