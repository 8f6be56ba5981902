/**
 * An in-process server for the gRPC layer tests: the generated WriterService
 * definition with scriptable handlers (each test swaps in what it needs), the
 * ReaderService definition with no handlers (so health and reflection see
 * both), and clients for it — typed, and raw (bytes in, bytes out).
 */
import * as grpc from '@grpc/grpc-js';
import { ReaderServiceService } from '../../shared/gen/stemedb/v1/reader';
import { RecordKind } from '../../shared/gen/stemedb/v1/records';
import {
  WriterServiceClient,
  WriterServiceService,
  type AppendRequest,
  type AppendResponse,
  type AppendStreamRequest,
  type AppendStreamResponse,
  type HeadRequest,
  type HeadResponse,
  type TailRequest,
  type TailResponse,
} from '../../shared/gen/stemedb/v1/writer';
import { clientOptions, makeClient } from '../../shared/grpc/client';
import { bidiStream, serverStream, unary, type BidiStreamFn, type ServerStreamFn, type UnaryFn } from '../../shared/grpc/handlers';
import { startServer, type RunningServer, type StartServerOptions } from '../../shared/grpc/server';
import { createLogger, setLogSink } from '../../shared/telemetry/logger';

/** Every log line the code under test wrote (parsed), newest last. */
export const logLines: Array<Record<string, unknown>> = [];
setLogSink({ write: (line) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });

export interface WriterHooks {
  append: UnaryFn<AppendRequest, AppendResponse>;
  head: UnaryFn<HeadRequest, HeadResponse>;
  tail: ServerStreamFn<TailRequest, TailResponse>;
  appendStream: BidiStreamFn<AppendStreamRequest, AppendStreamResponse>;
}

export function receipt(offset: number): AppendResponse {
  return { receipt: { id: Buffer.alloc(32, offset % 256), offset: BigInt(offset), kind: RecordKind.RECORD_KIND_ASSERTION, nextOffset: BigInt(offset + 100) } };
}

const DEFAULT_HOOKS: WriterHooks = {
  append: () => receipt(0),
  head: () => ({ headOffset: 0n, firstOffset: 0n, segments: [], logId: '', retentionFloor: 0n, retention: undefined, consumers: [] }),
  tail: async () => undefined,
  appendStream: async (input, out) => {
    for await (const req of input) await out.write({ sequence: req.sequence, result: { $case: 'receipt', value: receipt(Number(req.sequence)).receipt! } });
  },
};

export interface FakeWriter {
  readonly running: RunningServer;
  readonly hooks: WriterHooks;
  readonly client: WriterServiceClient;
  /** A client without a send limit, for raw bytes and oversized messages. */
  readonly raw: grpc.Client;
  /** Send `body` as the request of `path`; resolves with the status (OK carries the response bytes). */
  callRaw(path: string, body: Buffer, deadlineMs?: number): Promise<{ code: grpc.status; details: string; metadata?: grpc.Metadata; response?: Buffer }>;
  close(): Promise<void>;
}

export async function startFakeWriter(hooks: Partial<WriterHooks> = {}, options: Partial<StartServerOptions> = {}): Promise<FakeWriter> {
  const h: WriterHooks = { ...DEFAULT_HOOKS, ...hooks };
  const logger = createLogger({ test: 'grpc' });
  const implementation = {
    append: unary<AppendRequest, AppendResponse>((req, ctx) => h.append(req, ctx), { logger }),
    head: unary<HeadRequest, HeadResponse>((req, ctx) => h.head(req, ctx), { logger }),
    tail: serverStream<TailRequest, TailResponse>((req, out, ctx) => h.tail(req, out, ctx), { logger }),
    appendStream: bidiStream<AppendStreamRequest, AppendStreamResponse>((input, out, ctx) => h.appendStream(input, out, ctx), { logger }),
    appendBatch: unary(() => ({ receipts: [] }), { logger }),
  };
  const running = await startServer({
    address: '127.0.0.1:0',
    logger,
    services: [
      { definition: WriterServiceService, implementation },
      { definition: ReaderServiceService, implementation: {} },
    ],
    ...options,
  });
  const client = makeClient(WriterServiceClient, running.address);
  const raw = new grpc.Client(running.address, grpc.credentials.createInsecure(), clientOptions({ 'grpc.max_send_message_length': -1 }));
  const callRaw: FakeWriter['callRaw'] = (path, body, deadlineMs = 10_000) =>
    new Promise((resolve) => {
      const call = raw.makeUnaryRequest(
        path,
        (b: Buffer) => b,
        (b: Buffer) => b,
        body,
        new grpc.Metadata(),
        { deadline: Date.now() + deadlineMs },
        (err, response) => {
          if (err !== null) resolve({ code: err.code, details: err.details, metadata: err.metadata });
          else resolve({ code: grpc.status.OK, details: 'OK', response });
        },
      );
      void call;
    });
  return {
    running,
    hooks: h,
    client,
    raw,
    callRaw,
    close: async () => {
      client.close();
      raw.close();
      await running.shutdown(2_000);
    },
  };
}

/** An AppendRequest body of exactly `bytes` bytes that decodes (one unknown length-delimited field, skipped). */
export function paddedRequest(bytes: number): Buffer {
  // Tag of field 15, wire type 2 (length-delimited): one byte, 0x7a. Then a varint length.
  for (let lenBytes = 1; lenBytes <= 5; lenBytes++) {
    const payload = bytes - 1 - lenBytes;
    if (payload < 0) break;
    const varint: number[] = [];
    let v = payload;
    do {
      varint.push((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
      v = Math.floor(v / 128);
    } while (v > 0);
    if (varint.length === lenBytes) return Buffer.concat([Buffer.from([0x7a, ...varint]), Buffer.alloc(payload, 0x61)]);
  }
  throw new Error(`cannot pad a request to ${bytes} bytes`);
}
