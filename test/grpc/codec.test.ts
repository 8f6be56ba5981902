import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { AppendRequest, AppendStreamRequest, AppendStreamResponse, HeadResponse, WriterServiceService } from '../../shared/gen/stemedb/v1/writer';
import { fieldOf } from '../../shared/grpc/client';
import { UndecodableRequest, decodeGuardInterceptor, decodeGuardedPaths, isUndecodable, safeServiceDefinition } from '../../shared/grpc/codec';
import { unary } from '../../shared/grpc/handlers';
import { MESSAGE_BYTES_MAX } from '../../shared/grpc/limits';
import { startServer } from '../../shared/grpc/server';
import { createLogger } from '../../shared/telemetry/logger';
import { paddedRequest, startFakeWriter, type FakeWriter } from './fake-writer';

const APPEND = '/stemedb.v1.WriterService/Append';
const HEAD = '/stemedb.v1.WriterService/Head';
/** Field 1 (record) claims 2^32-1 bytes that never come: "premature EOF" in any decoder. */
const TRUNCATED = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]);

describe('safeServiceDefinition', () => {
  test('returns a sentinel instead of throwing for bytes that do not decode, and decodes good bytes as before', () => {
    const safe = safeServiceDefinition(WriterServiceService);
    const bad: unknown = safe.append.requestDeserialize(TRUNCATED);
    expect(isUndecodable(bad)).toBe(true);
    expect(bad).toMatchObject({ method: APPEND, byteLength: TRUNCATED.length });
    expect((bad as UndecodableRequest).reason).toMatch(/premature EOF/);
    const good = Buffer.from(AppendRequest.encode({ record: undefined }).finish());
    expect(safe.append.requestDeserialize(good)).toEqual({ record: undefined });
    expect(safe.append.path).toBe(APPEND);
  });

  test('without it, grpc-js answers a deserializer throw with INTERNAL (why the wrapper exists)', async () => {
    const server = new grpc.Server();
    server.addService(WriterServiceService, { head: (_c: unknown, cb: grpc.sendUnaryData<HeadResponse>) => cb(null, { headOffset: 0n, firstOffset: 0n, segments: [], logId: '', retentionFloor: 0n, retention: undefined, consumers: [] }) });
    const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      const code = await new Promise<grpc.status>((resolve) =>
        client.makeUnaryRequest(HEAD, (b: Buffer) => b, (b: Buffer) => b, Buffer.from([0xff]), (err) => resolve(err?.code ?? grpc.status.OK)),
      );
      expect(code).toBe(grpc.status.INTERNAL);
    } finally {
      client.close();
      server.forceShutdown();
    }
  });
});

describe('undecodable requests over the wire', () => {
  let w: FakeWriter;
  beforeAll(async () => {
    w = await startFakeWriter();
  });
  afterAll(async () => {
    await w.close();
  });

  test('random bytes as a request body are INVALID_ARGUMENT naming the request, and the server serves the next call', async () => {
    const bad = await w.callRaw(APPEND, TRUNCATED);
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bad.details).toMatch(/^request: could not decode 6 bytes as the request of \/stemedb\.v1\.WriterService\/Append: premature EOF/);
    expect(fieldOf(bad as unknown as grpc.ServiceError)).toBe('request');
    const good = await w.callRaw(APPEND, Buffer.alloc(0));
    expect(good.code).toBe(grpc.status.OK);
  });

  test('any byte string gets OK or INVALID_ARGUMENT, never INTERNAL or UNKNOWN', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), async (bytes) => {
        const { code } = await w.callRaw(HEAD, Buffer.from(bytes));
        expect([grpc.status.OK, grpc.status.INVALID_ARGUMENT]).toContain(code);
      }),
      { numRuns: 100 },
    );
  });

  test('an undecodable message in the middle of a bidi stream ends it with INVALID_ARGUMENT after the good ones', async () => {
    const call = w.raw.makeBidiStreamRequest('/stemedb.v1.WriterService/AppendStream', (b: Buffer) => b, (b: Buffer) => b, new grpc.Metadata(), {});
    const sequences: bigint[] = [];
    call.on('data', (b: Buffer) => sequences.push(AppendStreamResponse.decode(b).sequence));
    call.on('error', () => undefined);
    const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    call.write(Buffer.from(AppendStreamRequest.encode({ sequence: 1n, record: undefined }).finish()));
    call.write(Buffer.from(AppendStreamRequest.encode({ sequence: 2n, record: undefined }).finish()));
    call.write(TRUNCATED);
    const s = await status;
    expect(s.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(s.details).toMatch(/^request: could not decode/);
    expect(sequences).toEqual([1n, 2n]);
  });
});

describe('message size limits', () => {
  let w: FakeWriter;
  beforeAll(async () => {
    w = await startFakeWriter();
  });
  afterAll(async () => {
    await w.close();
  });

  test(`a request of MESSAGE_BYTES_MAX (${MESSAGE_BYTES_MAX}) bytes is served; one byte more is RESOURCE_EXHAUSTED and the server keeps serving`, async () => {
    expect(paddedRequest(MESSAGE_BYTES_MAX)).toHaveLength(MESSAGE_BYTES_MAX);
    expect((await w.callRaw(APPEND, paddedRequest(MESSAGE_BYTES_MAX - 1))).code).toBe(grpc.status.OK);
    expect((await w.callRaw(APPEND, paddedRequest(MESSAGE_BYTES_MAX))).code).toBe(grpc.status.OK);
    const over = await w.callRaw(APPEND, paddedRequest(MESSAGE_BYTES_MAX + 1));
    expect(over.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect((await w.callRaw(APPEND, Buffer.alloc(0))).code).toBe(grpc.status.OK);
  });

  test('a configured smaller limit is enforced at ±1 as well', async () => {
    const small = await startFakeWriter({}, { messageBytesMax: 1000 });
    try {
      expect((await small.callRaw(APPEND, paddedRequest(1000))).code).toBe(grpc.status.OK);
      expect((await small.callRaw(APPEND, paddedRequest(1001))).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    } finally {
      await small.close();
    }
  });
});

describe('a strict decoder (invalid UTF-8) on a server from startServer', () => {
  test('its throw becomes INVALID_ARGUMENT before even an unwrapped handler runs', async () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    const definition: grpc.ServiceDefinition = {
      say: {
        path: '/test.Strict/Say',
        requestStream: false,
        responseStream: false,
        requestSerialize: (s: string) => Buffer.from(s),
        requestDeserialize: (b: Buffer) => strict.decode(b),
        responseSerialize: (s: string) => Buffer.from(s),
        responseDeserialize: (b: Buffer) => b.toString(),
      },
    };
    const running = await startServer({
      address: '127.0.0.1:0',
      logger: createLogger({ test: 'strict' }),
      // A bare grpc-js handler: a sentinel reaching it would throw (UNKNOWN), so the interceptor must stop it.
      services: [{ definition, implementation: { say: (c: grpc.ServerUnaryCall<string, string>, cb: grpc.sendUnaryData<string>) => cb(null, c.request.toUpperCase()) } }],
    });
    const client = new grpc.Client(running.address, grpc.credentials.createInsecure());
    const call = (b: Buffer): Promise<{ code: grpc.status; details: string; value?: Buffer }> =>
      new Promise((resolve) =>
        client.makeUnaryRequest('/test.Strict/Say', (x: Buffer) => x, (x: Buffer) => x, b, (err, value) =>
          resolve(err ? { code: err.code, details: err.details } : { code: grpc.status.OK, details: 'OK', value }),
        ),
      );
    try {
      const bad = await call(Buffer.from([0x61, 0xc3, 0x28]));
      expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(bad.details).toMatch(/^request: could not decode 3 bytes/);
      const ok = await call(Buffer.from('héllo'));
      expect(ok.value?.toString()).toBe('HÉLLO');
    } finally {
      client.close();
      await running.shutdown(1_000);
    }
  });
});

describe('the decode guard stays out of the way of handlers that guard themselves', () => {
  const bare = (_c: unknown, cb: grpc.sendUnaryData<unknown>): void => cb(null, {});

  test("decodeGuardedPaths lists exactly the methods whose handler is one of handlers.ts's wrappers (by key or proto name)", () => {
    const implementation = { append: unary(() => ({})), Head: unary(() => ({})), appendBatch: bare } as unknown as grpc.UntypedServiceImplementation;
    const definition = { ...WriterServiceService, head: { ...WriterServiceService.head, originalName: 'Head' } } as unknown as grpc.ServiceDefinition;
    expect(decodeGuardedPaths(definition, implementation).sort()).toEqual([APPEND, HEAD]);
  });

  test('the interceptor hands a guarded path its call untouched and wraps every other path', () => {
    const interceptor = decodeGuardInterceptor(new Set([APPEND]));
    const call = {} as grpc.ServerInterceptingCallInterface;
    const method = (path: string): grpc.ServerMethodDefinition<unknown, unknown> => ({ path }) as grpc.ServerMethodDefinition<unknown, unknown>;
    expect(interceptor(method(APPEND), call)).toBe(call);
    expect(interceptor(method(HEAD), call)).toBeInstanceOf(grpc.ServerInterceptingCall);
  });
});
