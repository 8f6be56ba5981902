/**
 * Wrappers that make every RPC handler behave the same way:
 *
 * - a handler is an async function of the decoded request and a context; what
 *   it throws becomes a status through `status.ts` (the only mapping);
 * - the context's AbortSignal fires on the deadline or on cancellation, and a
 *   passed deadline answers DEADLINE_EXCEEDED at once, whether or not the
 *   handler is still working;
 * - stream handlers write through a `StreamWriter` (bounded buffering) and get a
 *   `draining` signal at graceful shutdown;
 * - an undecodable request (see `codec.ts`) is INVALID_ARGUMENT, never INTERNAL.
 *
 * These wrappers decode-guard their own calls (and say so, `markDecodeGuarded`),
 * so the server's decode guard interceptor stays out of their way.
 *
 * RPC spans come from the OpenTelemetry gRPC instrumentation, not from here.
 */
import * as grpc from '@grpc/grpc-js';
import { createLogger, type Logger } from '../telemetry/logger';
import { StreamWriter } from './backpressure';
import { CallWatch, watchCall, type CallContext, type ServerCallLike, type StreamContext } from './call-context';
import { isUndecodable, markDecodeGuarded, undecodableStatus } from './codec';
import { DRAIN_EVENT, markDrainable } from './drain';
import { UnavailableError } from './errors';
import { stemeMetrics } from '../telemetry/metrics';
import { toServiceError, type RpcStatusError } from './status';

export type { CallContext, StreamContext } from './call-context';
export { StreamWriter, writeWithBackpressure, type BackpressureStats } from './backpressure';

export interface HandlerOptions {
  /** Where server-side failures are logged. @default a logger with `component: 'grpc'` */
  readonly logger?: Logger;
}

export type UnaryFn<Req, Res> = (request: Req, ctx: CallContext) => Promise<Res> | Res;
export type ServerStreamFn<Req, Res> = (request: Req, out: StreamWriter<Res>, ctx: StreamContext) => Promise<void>;
export type BidiStreamFn<Req, Res> = (input: AsyncIterable<Req>, out: StreamWriter<Res>, ctx: StreamContext) => Promise<void>;

let defaultLogger: Logger | undefined;
function loggerOf(options: HandlerOptions): Logger {
  return options.logger ?? (defaultLogger ??= createLogger({ component: 'grpc' }));
}

/** A stream's context: a plain object (streams spread it), made once per stream. */
function contextOf(call: ServerCallLike, watch: CallWatch, logger: Logger): CallContext {
  return {
    signal: watch.signal,
    deadlineMs: watch.deadlineMs,
    metadata: call.metadata,
    method: call.getPath(),
    peer: call.getPeer(),
    logger,
    throwIfAborted: () => {
      if (watch.aborted) throw watch.reason;
    },
  };
}

/**
 * One unary call: its context (what the handler sees), its watch and how it
 * is answered, in one object: two bound functions per call (the answer's
 * `then` callbacks), and the signal, peer and method made only when read.
 */
class UnaryCall<Req, Res> implements CallContext {
  readonly metadata: grpc.Metadata;
  private readonly watch: CallWatch;
  private settled = false;
  private peerOf: string | undefined;

  constructor(
    private readonly call: grpc.ServerUnaryCall<Req, Res>,
    private readonly callback: grpc.sendUnaryData<Res>,
    readonly logger: Logger,
  ) {
    this.metadata = call.metadata;
    // Answers a passed deadline or a cancellation at once, even if the handler ignores it.
    this.watch = new CallWatch(call, this.fail);
  }

  get signal(): AbortSignal {
    return this.watch.signal;
  }

  get deadlineMs(): number {
    return this.watch.deadlineMs;
  }

  get method(): string {
    return this.call.getPath();
  }

  get peer(): string {
    return (this.peerOf ??= this.call.getPeer());
  }

  throwIfAborted(): void {
    if (this.watch.aborted) throw this.watch.reason;
  }

  run(fn: UnaryFn<Req, Res>): void {
    if (this.settled) return; // aborted while the watch started (deadline passed, client gone)
    let answer: Promise<Res> | Res;
    try {
      answer = fn(this.call.request, this);
    } catch (err) {
      return this.fail(err);
    }
    // Any thenable counts as an answer to wait for (a promise from another realm too).
    if (typeof (answer as PromiseLike<Res> | null)?.then === 'function') (answer as PromiseLike<Res>).then(this.succeed, this.fail);
    else this.succeed(answer as Res);
  }

  private readonly succeed = (response: Res): void => {
    if (this.settled) return;
    this.settled = true;
    this.watch.dispose();
    this.callback(null, response);
  };

  private readonly fail = (err: unknown): void => {
    if (this.settled) return;
    this.settled = true;
    this.watch?.dispose(); // undefined when the watch aborts from its constructor
    const method = this.call.getPath();
    this.callback(countedError(toServiceError(err, { logger: this.logger, method }), method));
  };
}

/** A unary handler: resolve with the response or throw a typed error. */
export function unary<Req, Res>(fn: UnaryFn<Req, Res>, options: HandlerOptions = {}): grpc.handleUnaryCall<Req, Res> {
  const logger = loggerOf(options);
  return markDecodeGuarded((call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => {
    const request: unknown = call.request;
    if (isUndecodable(request)) {
      callback(undecodableStatus(request));
      return;
    }
    new UnaryCall(call, callback, logger).run(fn);
  });
}

/** Counts a non-OK answer by status code and method (the `stemedb.rpc.errors` metric). */
function countedError(e: RpcStatusError, method: string): RpcStatusError {
  stemeMetrics().rpcErrors.add(1, { code: grpc.status[e.code] ?? String(e.code), method });
  return e;
}

type StreamCall<Res> = ServerCallLike & {
  write(message: Res): boolean;
  end(): void;
  readonly writableLength: number;
  readonly writableEnded: boolean;
  readonly destroyed: boolean;
};

/** Shared by server-streaming and bidi wrappers: context, drain, and how the call ends. */
function runStream<Res>(call: StreamCall<Res>, logger: Logger, body: (out: StreamWriter<Res>, ctx: StreamContext) => Promise<void>): void {
  const watch = watchCall(call);
  const method = call.getPath();
  const drain = new AbortController();
  markDrainable(call);
  const onDrain = (): void => drain.abort(new UnavailableError('server is shutting down'));
  call.once(DRAIN_EVENT, onDrain);
  let settled = false;
  /** End the call: OK when `failure` is absent, else the failure's status. */
  const settle = (failure?: { err: unknown }): void => {
    if (settled) return;
    settled = true;
    watch.dispose();
    call.removeListener(DRAIN_EVENT, onDrain);
    if (call.cancelled || call.destroyed || call.writableEnded) return; // nobody left to tell
    if (failure === undefined) call.end();
    else call.emit('error', countedError(toServiceError(failure.err, { logger, method }), method));
  };
  if (watch.signal.aborted) return settle({ err: watch.signal.reason });
  watch.signal.addEventListener('abort', () => settle({ err: watch.signal.reason }), { once: true });
  const ctx: StreamContext = { ...contextOf(call, watch, logger), draining: drain.signal };
  const out = new StreamWriter<Res>(call, watch.signal);
  Promise.resolve()
    .then(() => body(out, ctx))
    .then(
      () => settle(),
      (err: unknown) => settle({ err }),
    );
}

/**
 * A server-streaming handler: write with `await out.write(msg)` and return to
 * end the stream with OK; throw to end it with a status.
 */
export function serverStream<Req, Res>(fn: ServerStreamFn<Req, Res>, options: HandlerOptions = {}): grpc.handleServerStreamingCall<Req, Res> {
  const logger = loggerOf(options);
  return markDecodeGuarded((call: grpc.ServerWritableStream<Req, Res>) => {
    const request: unknown = call.request;
    if (isUndecodable(request)) {
      call.emit('error', undecodableStatus(request));
      return;
    }
    runStream(call, logger, (out, ctx) => fn(call.request, out, ctx));
  });
}

/** The request messages of a bidi call, pulled one at a time (reading is flow-controlled too). */
async function* requestsOf<Req>(call: grpc.ServerDuplexStream<Req, unknown>, signal: AbortSignal): AsyncGenerator<Req> {
  // destroyOnReturn: false — a handler that stops reading must still be able to send its status.
  const iterator = call.iterator({ destroyOnReturn: false }) as AsyncIterable<unknown>;
  try {
    for await (const message of iterator) {
      if (isUndecodable(message)) throw undecodableStatus(message);
      yield message as Req;
    }
  } catch (err) {
    // A cancelled call destroys the stream; report why instead of "premature close".
    throw signal.aborted ? signal.reason : err;
  }
}

/**
 * A bidirectional handler: iterate `input` for requests, `await out.write(msg)`
 * for responses, return to end with OK or throw to end with a status.
 */
export function bidiStream<Req, Res>(fn: BidiStreamFn<Req, Res>, options: HandlerOptions = {}): grpc.handleBidiStreamingCall<Req, Res> {
  const logger = loggerOf(options);
  return markDecodeGuarded((call: grpc.ServerDuplexStream<Req, Res>) => {
    runStream(call, logger, (out, ctx) => fn(requestsOf(call, ctx.signal), out, ctx));
  });
}
