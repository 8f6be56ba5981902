import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import type { TailResponse } from '../../shared/gen/stemedb/v1/writer';
import { ValidationError } from '../../shared/domain/errors';
import { callUnary, fieldOf, hasStatus } from '../../shared/grpc/client';
import { UndecodableRequest } from '../../shared/grpc/codec';
import { unary, type BackpressureStats } from '../../shared/grpc/handlers';
import { STREAM_BUFFERED_MESSAGES_MAX } from '../../shared/grpc/limits';
import { waitFor } from '../helpers/wait';
import { receipt, startFakeWriter, type FakeWriter } from './fake-writer';

function abortedWith(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(signal.reason);
    else signal.addEventListener('abort', () => resolve(signal.reason), { once: true });
  });
}

describe('unary handlers', () => {
  let w: FakeWriter;
  beforeAll(async () => {
    w = await startFakeWriter();
  });
  afterAll(async () => {
    await w.close();
  });

  test('a passed deadline answers DEADLINE_EXCEEDED at once and fires the handler signal, even if the handler ignores it', async () => {
    let reason: Promise<unknown> | undefined;
    w.hooks.append = (_req, ctx) => {
      reason = abortedWith(ctx.signal);
      expect(ctx.deadlineMs).toBeLessThan(Date.now() + 1_000);
      return new Promise(() => undefined);
    };
    const started = Date.now();
    const err = await callUnary(w.client.append.bind(w.client), { record: undefined }, { deadlineMs: 150 }).catch((e: unknown) => e);
    expect(hasStatus(err, grpc.status.DEADLINE_EXCEEDED)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await reason).toMatchObject({ name: 'DeadlineError' });
    await waitFor(() => (w.running.inFlight() === 0 ? true : undefined), 'the call to leave the in-flight set');
  });

  test('a client cancellation fires the handler signal with CancelledError', async () => {
    let reason: Promise<unknown> | undefined;
    let entered!: () => void;
    const inHandler = new Promise<void>((r) => (entered = r));
    w.hooks.append = (_req, ctx) => {
      reason = abortedWith(ctx.signal);
      entered();
      return new Promise(() => undefined);
    };
    const controller = new AbortController();
    const pending = callUnary(w.client.append.bind(w.client), { record: undefined }, { signal: controller.signal }).catch((e: unknown) => e);
    await inHandler;
    controller.abort();
    expect(hasStatus(await pending, grpc.status.CANCELLED)).toBe(true);
    expect(await reason).toMatchObject({ name: 'CancelledError' });
  });

  test('a cancelled call that never read its signal leaves the in-flight count, and throwIfAborted throws the reason', async () => {
    let ctxOf: { throwIfAborted(): void } | undefined;
    let entered!: () => void;
    const inHandler = new Promise<void>((r) => (entered = r));
    w.hooks.append = (_req, ctx) => {
      ctxOf = ctx;
      ctx.throwIfAborted();
      entered();
      return new Promise(() => undefined);
    };
    const controller = new AbortController();
    const pending = callUnary(w.client.append.bind(w.client), { record: undefined }, { signal: controller.signal }).catch((e: unknown) => e);
    await inHandler;
    expect(w.running.inFlight()).toBe(1);
    controller.abort();
    expect(hasStatus(await pending, grpc.status.CANCELLED)).toBe(true);
    await waitFor(() => (w.running.inFlight() === 0 ? true : undefined), 'the call to leave the in-flight count');
    expect(() => ctxOf!.throwIfAborted()).toThrow(expect.objectContaining({ name: 'CancelledError' }) as Error);
  });

  test('a thrown ValidationError is INVALID_ARGUMENT naming the field; the next call is served', async () => {
    w.hooks.append = () => {
      throw new ValidationError('record.assertion.confidence', 'must be finite, got NaN');
    };
    const err = (await callUnary(w.client.append.bind(w.client), { record: undefined }).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toBe('record.assertion.confidence: must be finite, got NaN');
    expect(fieldOf(err)).toBe('record.assertion.confidence');
    w.hooks.append = () => receipt(7);
    expect((await callUnary(w.client.append.bind(w.client), { record: undefined })).receipt?.offset).toBe(7n);
  });

  test('an unexpected error is INTERNAL without its message', async () => {
    w.hooks.append = async () => {
      throw new Error('secret internals');
    };
    const err = (await callUnary(w.client.append.bind(w.client), { record: undefined }).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.INTERNAL);
    expect(err.details).not.toContain('secret');
  });

  test('the wrapper answers an undecodable request itself, without calling the handler', () => {
    let called = false;
    const handler = unary(() => {
      called = true;
      return 1;
    });
    const call = Object.assign(new EventEmitter(), {
      request: new UndecodableRequest('/x.Y/Z', 'premature EOF', 3),
      cancelled: false,
      metadata: new grpc.Metadata(),
      getDeadline: () => Infinity,
      getPath: () => '/x.Y/Z',
      getPeer: () => '127.0.0.1:1',
    });
    let answer: unknown;
    handler(call as unknown as grpc.ServerUnaryCall<unknown, number>, (err) => (answer = err));
    expect(called).toBe(false);
    expect(answer).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringMatching(/^request: could not decode 3 bytes/) });
  });
});

describe('server streams', () => {
  let w: FakeWriter;
  // Streams a test leaves open when it fails, cancelled so the next test starts clean.
  const opened: grpc.ClientReadableStream<TailResponse>[] = [];
  const tail = (request: { fromOffset: bigint; maxBatchBytes: number }, options?: grpc.CallOptions): grpc.ClientReadableStream<TailResponse> => {
    const call = options === undefined ? w.client.tail(request) : w.client.tail(request, options);
    opened.push(call);
    return call;
  };
  beforeAll(async () => {
    w = await startFakeWriter();
  });
  afterEach(() => {
    for (const call of opened.splice(0)) call.cancel();
  });
  afterAll(async () => {
    await w.close();
  });

  const PAYLOAD_BYTES = 16 * 1024;
  const message = (i: number): TailResponse => ({ records: [{ offset: BigInt(i), payload: Buffer.alloc(PAYLOAD_BYTES, i % 251), payloadHash: Buffer.alloc(0) }], headOffset: BigInt(i) });

  test('a slow consumer stalls the producer: at most STREAM_BUFFERED_MESSAGES_MAX messages wait in the call, and nothing is lost', async () => {
    const total = 2_000; // 32 MiB if it were all buffered
    let stats: BackpressureStats | undefined;
    w.hooks.tail = async (_req, out) => {
      stats = out.stats;
      for (let i = 0; i < total; i++) await out.write(message(i));
    };
    const call = tail({ fromOffset: 0n, maxBatchBytes: 0 });
    call.on('error', () => undefined);
    // The consumer takes the first message and then stops reading (as a slow `for await`
    // does). Unrelated round trips give the server many turns of the event loop. How many
    // messages get through before the HTTP/2 window and the client's buffer are full
    // depends on timing, so the test checks what must hold at every turn instead: the
    // producer is parked on 'drain' (it only yields to the event loop there), it has
    // written a bounded number of messages, and the call's buffer never passed the bound.
    const offsets: bigint[] = [];
    const collect = (m: TailResponse): void => void offsets.push(m.records[0]!.offset);
    call.once('data', (m: TailResponse) => {
      collect(m);
      call.pause();
    });
    const roundTrips = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) await callUnary(w.client.head.bind(w.client), {});
    };
    const blocked = await waitFor(() => (stats !== undefined && stats.drainWaits > 0 ? stats : undefined), 'the producer to wait for drain');
    // 32 MiB unread would fit nowhere but the server's memory: 200 messages (3.2 MiB)
    // is far above the window plus both buffers, and far below everything.
    const BOUND = 200;
    for (let turn = 0; turn < 10; turn++) {
      await roundTrips(5);
      expect(blocked.waiting).toBe(true);
      expect(blocked.written).toBeLessThan(BOUND);
      expect(blocked.bufferedMax).toBeLessThanOrEqual(STREAM_BUFFERED_MESSAGES_MAX);
    }
    expect(offsets).toHaveLength(1);

    const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    call.on('data', collect);
    call.resume();
    expect((await status).code).toBe(grpc.status.OK);
    expect(offsets).toHaveLength(total);
    expect(offsets.every((o, i) => o === BigInt(i))).toBe(true);
    expect(blocked.written).toBe(total);
    expect(blocked.bufferedMax).toBeLessThanOrEqual(STREAM_BUFFERED_MESSAGES_MAX);
  });

  test('concurrent writes keep their order and the buffer bound', async () => {
    const total = 300;
    let stats: BackpressureStats | undefined;
    w.hooks.tail = async (_req, out) => {
      stats = out.stats;
      await Promise.all(Array.from({ length: total }, (_, i) => out.write(message(i))));
    };
    const call = tail({ fromOffset: 0n, maxBatchBytes: 0 });
    const offsets: bigint[] = [];
    call.on('data', (m: TailResponse) => offsets.push(m.records[0]!.offset));
    const status = await new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    expect(status.code).toBe(grpc.status.OK);
    expect(offsets).toEqual(Array.from({ length: total }, (_, i) => BigInt(i)));
    expect(stats!.written).toBe(total);
    expect(stats!.bufferedMax).toBeLessThanOrEqual(STREAM_BUFFERED_MESSAGES_MAX);
  });

  test('a producer waiting for drain is released with CancelledError when the client cancels', async () => {
    let failure: Promise<unknown> | undefined;
    let stats: BackpressureStats | undefined;
    w.hooks.tail = async (_req, out) => {
      stats = out.stats;
      failure = (async () => {
        for (let i = 0; ; i++) await out.write(message(i));
      })().catch((e: unknown) => e);
      await failure;
    };
    const call = tail({ fromOffset: 0n, maxBatchBytes: 0 });
    call.on('error', () => undefined);
    await waitFor(() => (stats !== undefined && stats.drainWaits > 0 ? true : undefined), 'the producer to wait for drain');
    call.cancel();
    expect(await failure).toMatchObject({ name: 'CancelledError' });
    await waitFor(() => (w.running.inFlight() === 0 ? true : undefined), 'the stream to leave the in-flight set');
  });

  test('an error thrown mid-stream ends it with its status after the messages already written', async () => {
    w.hooks.tail = async (_req, out) => {
      await out.write(message(0));
      await out.write(message(1));
      throw new ValidationError('from_offset', 'must be a record boundary');
    };
    const call = tail({ fromOffset: 5n, maxBatchBytes: 0 });
    const offsets: bigint[] = [];
    call.on('data', (m: TailResponse) => offsets.push(m.records[0]!.offset));
    call.on('error', () => undefined);
    const status = await new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status.details).toBe('from_offset: must be a record boundary');
    expect(status.metadata.get('stemedb-field')).toEqual(['from_offset']);
    expect(offsets).toEqual([0n, 1n]);
  });

  test('a stream past its deadline ends with DEADLINE_EXCEEDED and its signal fires', async () => {
    let reason: Promise<unknown> | undefined;
    w.hooks.tail = async (_req, out, ctx) => {
      reason = abortedWith(ctx.signal);
      await out.write(message(0));
      await reason;
    };
    const call = tail({ fromOffset: 0n, maxBatchBytes: 0 }, { deadline: Date.now() + 150 });
    call.on('data', () => undefined);
    call.on('error', () => undefined);
    const status = await new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    expect(status.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(await reason).toMatchObject({ name: 'DeadlineError' });
  });
});

describe('bidi streams', () => {
  let w: FakeWriter;
  beforeAll(async () => {
    w = await startFakeWriter();
  });
  afterAll(async () => {
    await w.close();
  });

  test('requests are answered in order and the stream ends OK when the client half-closes', async () => {
    const call = w.client.appendStream();
    const sequences: bigint[] = [];
    call.on('data', (m: { sequence: bigint }) => sequences.push(m.sequence));
    const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    for (let i = 1; i <= 500; i++) call.write({ sequence: BigInt(i), record: undefined });
    call.end();
    expect((await status).code).toBe(grpc.status.OK);
    expect(sequences).toEqual(Array.from({ length: 500 }, (_, i) => BigInt(i + 1)));
  });

  test('a handler that stops reading and throws still delivers its status', async () => {
    w.hooks.appendStream = async (input) => {
      for await (const req of input) if (req.sequence === 3n) throw new ValidationError('sequence', 'three is not allowed');
    };
    const call = w.client.appendStream();
    call.on('data', () => undefined);
    call.on('error', () => undefined);
    const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    for (let i = 1; i <= 5; i++) call.write({ sequence: BigInt(i), record: undefined });
    const s = await status;
    expect(s.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(s.details).toBe('sequence: three is not allowed');
    call.end();
  });
});
