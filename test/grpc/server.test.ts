import * as grpc from '@grpc/grpc-js';
import { callUnary, hasStatus } from '../../shared/grpc/client';
import { waitFor } from '../helpers/wait';
import { healthProbe, reflectedFilesFor, reflectedServices } from './probes';
import { logLines, receipt, startFakeWriter, type FakeWriter } from './fake-writer';

/** A promise with its resolve function, to hold a handler open. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe('startServer', () => {
  let w: FakeWriter | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  test('binds port 0 to a real port and reports it in host:port form', async () => {
    w = await startFakeWriter();
    expect(w.running.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(w.running.port).toBeGreaterThan(0);
    expect(w.running.address).toBe(`127.0.0.1:${w.running.port}`);
  });

  test('health is SERVING for the server and for each service once started', async () => {
    w = await startFakeWriter();
    const health = healthProbe(w.running.address);
    try {
      expect(w.running.healthNames).toEqual(['', 'stemedb.v1.WriterService', 'stemedb.v1.ReaderService']);
      for (const name of w.running.healthNames) expect(await health.check(name)).toBe('SERVING');
      w.running.setServing(false);
      expect(await health.check('stemedb.v1.WriterService')).toBe('NOT_SERVING');
    } finally {
      health.close();
    }
  });

  test('reflection lists both stemedb services and the health service', async () => {
    w = await startFakeWriter();
    const services = await reflectedServices(w.running.address);
    expect(services).toEqual(expect.arrayContaining(['stemedb.v1.WriterService', 'stemedb.v1.ReaderService', 'grpc.health.v1.Health']));
    const files = await reflectedFilesFor(w.running.address, 'stemedb.v1.WriterService');
    expect(files.length).toBeGreaterThan(0);
    // proto-loader merges a package's files into one descriptor, so the answer is self-contained:
    // the service, its request messages and the record types they import (what grpcurl needs).
    const text = files.map((f) => f.toString('latin1')).join('');
    for (const name of ['stemedb/v1/writer.proto', 'WriterService', 'AppendRequest', 'Assertion', 'Signature']) expect(text).toContain(name);
  });

  test('shutdown turns health NOT_SERVING while an in-flight call drains, then the call completes OK', async () => {
    const slow = gate();
    const entered = gate();
    w = await startFakeWriter({
      append: async () => {
        entered.open();
        await slow.promise;
        return receipt(42);
      },
    });
    const health = healthProbe(w.running.address);
    const watch = health.watch('');
    await waitFor(() => (watch.statuses[0] === 'SERVING' ? true : undefined), 'health watch to report SERVING');
    const inflight = callUnary(w.client.append.bind(w.client), { record: undefined });
    await entered.promise;
    expect(w.running.inFlight()).toBeGreaterThanOrEqual(1);

    const stopped = w.running.shutdown(10_000);
    await waitFor(() => (watch.statuses.includes('NOT_SERVING') ? true : undefined), 'health watch to report NOT_SERVING');
    // The slow call is still running while the server reports NOT_SERVING.
    expect(w.running.inFlight()).toBe(1);
    expect(await watch.ended).toBe(grpc.status.UNAVAILABLE);

    slow.open();
    const res = await inflight;
    expect(res.receipt?.offset).toBe(42n);
    const report = await stopped;
    expect(report.forced).toBe(false);
    expect(w.running.inFlight()).toBe(0);
    health.close();
  });

  test('a call outlasting the grace period is cancelled and its handler signal fires', async () => {
    let handlerSignal: AbortSignal | undefined;
    const entered = gate();
    w = await startFakeWriter({
      append: (_req, ctx) => {
        handlerSignal = ctx.signal;
        entered.open();
        return new Promise(() => undefined); // never answers
      },
    });
    const inflight = callUnary(w.client.append.bind(w.client), { record: undefined }).catch((e: unknown) => e);
    await entered.promise;
    const report = await w.running.shutdown(200);
    expect(report.forced).toBe(true);
    expect(report.callsCancelled).toBe(1);
    expect(hasStatus(await inflight, grpc.status.CANCELLED)).toBe(true);
    await waitFor(() => (handlerSignal?.aborted ? true : undefined), 'the handler signal to abort');
    expect((handlerSignal!.reason as Error).name).toBe('CancelledError');
  });

  test('a drainable stream gets the draining signal at shutdown and ends the stream itself', async () => {
    const entered = gate();
    w = await startFakeWriter({
      tail: async (_req, out, ctx) => {
        await out.write({ records: [], headOffset: 1n });
        entered.open();
        await new Promise((resolve) => ctx.draining.addEventListener('abort', resolve, { once: true }));
        await out.write({ records: [], headOffset: 2n });
      },
    });
    const call = w.client.tail({ fromOffset: 0n, maxBatchBytes: 0 });
    const heads: bigint[] = [];
    call.on('data', (m: { headOffset: bigint }) => heads.push(m.headOffset));
    const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    call.on('error', () => undefined);
    await entered.promise;
    const report = await w.running.shutdown(5_000);
    expect(report.forced).toBe(false);
    expect((await status).code).toBe(grpc.status.OK);
    expect(heads).toEqual([1n, 2n]);
  });

  test('after shutdown new calls fail with UNAVAILABLE', async () => {
    w = await startFakeWriter();
    const client = w.client;
    await w.running.shutdown(1_000);
    await expect(callUnary(client.head.bind(client), {}, { deadlineMs: 2_000 })).rejects.toMatchObject({ code: expect.any(Number) });
    const err = await callUnary(client.head.bind(client), {}, { deadlineMs: 2_000 }).catch((e: unknown) => e);
    expect(hasStatus(err, grpc.status.UNAVAILABLE)).toBe(true);
  });

  test('connections older than maxConnectionAgeMs are closed and clients move to a new one', async () => {
    const peers = new Set<string>();
    w = await startFakeWriter({ head: (_req, ctx) => (peers.add(ctx.peer), { headOffset: 0n, firstOffset: 0n, segments: [], logId: '', retentionFloor: 0n, retention: undefined, consumers: [] }) }, { maxConnectionAgeMs: 200, maxConnectionAgeGraceMs: 100 });
    await callUnary(w.client.head.bind(w.client), {});
    expect(peers.size).toBe(1);
    await waitFor(async () => {
      await callUnary(w!.client.head.bind(w!.client), {});
      return peers.size >= 2 ? true : undefined;
    }, 'a call on a second connection', 10_000, 50);
  });

  test('a port already in use is refused with the address in the message', async () => {
    w = await startFakeWriter();
    await expect(startFakeWriter({}, { address: w.running.address })).rejects.toThrow(`cannot listen on ${w.running.address}`);
    // grpc-js's own complaint goes through the structured logger, not console.error.
    expect(logLines.some((l) => l.component === 'grpc-js' && String(l.msg).includes('No address added'))).toBe(true);
  });

  test('a listen address without a port is refused with a clear message', async () => {
    await expect(startFakeWriter({}, { address: 'localhost' })).rejects.toThrow(/not HOST:PORT/);
  });
});
