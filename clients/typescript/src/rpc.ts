/**
 * Channels and calls: clients with the servers' message limits, unary calls
 * with a deadline, an AbortSignal and a retry policy (exponential backoff with
 * jitter, a quota's retry-after honoured), every failure as StemeRpcError.
 */
import * as grpc from '@grpc/grpc-js';
import { CLIENT_KEEPALIVE_TIME_MS, KEEPALIVE_TIMEOUT_MS, MESSAGE_BYTES_MAX, SEND_MESSAGE_BYTES_MAX } from '../../../shared/grpc/limits';
import { StemeRpcError, toRpcError } from './errors';
import { CALL_DEADLINE_MS_DEFAULT, RETRY_ATTEMPTS_MAX, RETRY_BACKOFF_MS_INITIAL, RETRY_BACKOFF_MS_MAX } from './limits';

export interface ConnectOptions {
  /** @default insecure (plaintext), as the services listen */
  readonly credentials?: grpc.ChannelCredentials;
  /** Extra channel options (e.g. `grpc.service_config`). */
  readonly channelOptions?: Partial<grpc.ChannelOptions>;
  /** grpc-js client interceptors, outermost first (tracing, auth, tests). */
  readonly interceptors?: grpc.Interceptor[];
  /** Deadline of one unary attempt. @default CALL_DEADLINE_MS_DEFAULT */
  readonly deadlineMs?: number;
  /** Attempts of a retried call, the first included; 1 = never retry. @default RETRY_ATTEMPTS_MAX */
  readonly attemptsMax?: number;
}

export type GrpcClientClass<C extends grpc.Client> = new (address: string, credentials: grpc.ChannelCredentials, options?: Partial<grpc.ClientOptions>) => C;

export function connect<C extends grpc.Client>(Client: GrpcClientClass<C>, address: string, o: ConnectOptions): C {
  return new Client(address, o.credentials ?? grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': MESSAGE_BYTES_MAX,
    'grpc.max_receive_message_length': SEND_MESSAGE_BYTES_MAX,
    'grpc.keepalive_time_ms': CLIENT_KEEPALIVE_TIME_MS,
    'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
    ...(o.interceptors === undefined ? {} : { interceptors: o.interceptors }),
    ...o.channelOptions,
  });
}

type Unary<Req, Res> = (request: Req, metadata: grpc.Metadata, options: Partial<grpc.CallOptions>, callback: (error: grpc.ServiceError | null, response: Res) => void) => grpc.ClientUnaryCall;

export interface CallOptions {
  /** Deadline of each attempt. */
  readonly deadlineMs?: number;
  readonly signal?: AbortSignal;
  /** Retry these codes (besides a quota's RESOURCE_EXHAUSTED with retry-after, when `retryQuota`). @default [] */
  readonly retryOn?: readonly grpc.status[];
  readonly retryQuota?: boolean;
  readonly attemptsMax?: number;
}

function once<Req, Res>(method: Unary<Req, Res>, request: Req, deadlineMs: number, signal: AbortSignal | undefined): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    const onAbort = (): void => call.cancel();
    const options: Partial<grpc.CallOptions> = deadlineMs === Infinity ? {} : { deadline: Date.now() + deadlineMs };
    const call = method(request, new grpc.Metadata(), options, (err, res) => {
      signal?.removeEventListener('abort', onAbort);
      if (err !== null) reject(err);
      else resolve(res);
    });
    if (signal?.aborted === true) call.cancel();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Backoff before attempt `n + 1` (n >= 1): doubling from RETRY_BACKOFF_MS_INITIAL, full jitter on the upper half, capped. */
export function backoffMs(n: number): number {
  const base = Math.min(RETRY_BACKOFF_MS_MAX, RETRY_BACKOFF_MS_INITIAL * 2 ** (n - 1));
  return Math.round(base / 2 + (Math.random() * base) / 2);
}

/** Read through a function so TypeScript does not narrow `aborted` across awaits. */
export function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Call a unary method (bound to its client), retrying as `options` allow; rejects with (the last attempt's) StemeRpcError. */
export async function callWithRetry<Req, Res>(name: string, method: Unary<Req, Res>, request: Req, defaults: ConnectOptions, options: CallOptions = {}): Promise<Res> {
  const attemptsMax = Math.max(1, options.attemptsMax ?? defaults.attemptsMax ?? RETRY_ATTEMPTS_MAX);
  const deadlineMs = options.deadlineMs ?? defaults.deadlineMs ?? CALL_DEADLINE_MS_DEFAULT;
  const retryOn = options.retryOn ?? [];
  for (let attempt = 1; ; attempt++) {
    try {
      return await once(method, request, deadlineMs, options.signal);
    } catch (raw) {
      const err = toRpcError(raw, name);
      if (!(err instanceof StemeRpcError) || options.signal?.aborted === true) throw err;
      const quota = options.retryQuota === true && err.code === grpc.status.RESOURCE_EXHAUSTED && err.retryAfterMs !== undefined;
      if (!(retryOn.includes(err.code) || quota)) throw err;
      if (attempt >= attemptsMax) throw err;
      await sleep(quota ? Math.min(RETRY_BACKOFF_MS_MAX, err.retryAfterMs!) : backoffMs(attempt), options.signal);
    }
  }
}
