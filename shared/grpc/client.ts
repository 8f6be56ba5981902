/**
 * Clients for our services with the same limits as the servers, and promise
 * helpers: a unary call with a deadline and an AbortSignal, and waiting for a
 * channel to connect.
 */
import * as grpc from '@grpc/grpc-js';
import { CLIENT_KEEPALIVE_TIME_MS, KEEPALIVE_TIMEOUT_MS, MESSAGE_BYTES_MAX, SEND_MESSAGE_BYTES_MAX, UNARY_DEADLINE_MS_DEFAULT } from './limits';
import { FIELD_METADATA_KEY } from './status';
import { clientCredentials, clientTlsChannelOptions } from './tls';
import type { ClientTlsFiles } from './tls-options';

/** A generated client class, e.g. ts-proto's `WriterServiceClient`. */
export type ClientConstructor<C extends grpc.Client> = new (address: string, credentials: grpc.ChannelCredentials, options?: Partial<grpc.ClientOptions>) => C;

/**
 * Channel options matching the servers: send up to the servers' receive limit,
 * accept up to their send limit, keepalive pings while calls are open.
 */
export function clientOptions(overrides: Partial<grpc.ClientOptions> = {}): Partial<grpc.ClientOptions> {
  return {
    'grpc.max_send_message_length': MESSAGE_BYTES_MAX,
    'grpc.max_receive_message_length': SEND_MESSAGE_BYTES_MAX,
    'grpc.keepalive_time_ms': CLIENT_KEEPALIVE_TIME_MS,
    'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
    ...overrides,
  };
}

let processTls: { readonly credentials: grpc.ChannelCredentials; readonly channelOptions: Partial<grpc.ClientOptions> } | undefined;

/**
 * TLS for every client this process makes without explicit credentials (the
 * CLI sets it once from `--tls-ca/--tls-cert/--tls-key`); undefined goes back
 * to plaintext. Reads the files now and throws TlsSettingError naming a bad one.
 */
/** The process's client TLS (`setProcessClientTls`), for clients made without `makeClient`; undefined = plaintext. */
export function processClientTls(): { readonly credentials: grpc.ChannelCredentials; readonly channelOptions: Partial<grpc.ClientOptions> } | undefined {
  return processTls;
}

export function setProcessClientTls(files: ClientTlsFiles | undefined): void {
  processTls = files === undefined ? undefined : { credentials: clientCredentials(files), channelOptions: clientTlsChannelOptions(files) };
}

export interface MakeClientOptions {
  /** @default the process's TLS (`setProcessClientTls`), else grpc.credentials.createInsecure() */
  readonly credentials?: grpc.ChannelCredentials;
  /** Extra or overriding channel options. */
  readonly channelOptions?: Partial<grpc.ClientOptions>;
}

/** A typed client for `address` (`host:port`), e.g. `makeClient(WriterServiceClient, '127.0.0.1:7400')`. */
export function makeClient<C extends grpc.Client>(Client: ClientConstructor<C>, address: string, options: MakeClientOptions = {}): C {
  const tls = options.credentials === undefined ? processTls : undefined;
  return new Client(address, options.credentials ?? tls?.credentials ?? grpc.credentials.createInsecure(), clientOptions({ ...tls?.channelOptions, ...options.channelOptions }));
}

/** A unary method of a generated client, bound to it: `client.append.bind(client)`. */
export type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (error: grpc.ServiceError | null, response: Res) => void,
) => grpc.ClientUnaryCall;

export interface UnaryCallOptions {
  /** Time the call may take; `Infinity` for none. @default UNARY_DEADLINE_MS_DEFAULT */
  readonly deadlineMs?: number;
  /** Cancels the call (it then rejects with status CANCELLED). */
  readonly signal?: AbortSignal;
  readonly metadata?: grpc.Metadata;
}

/** Call a unary method; rejects with the grpc `ServiceError` (code, details, metadata). */
export function callUnary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, options: UnaryCallOptions = {}): Promise<Res> {
  const deadlineMs = options.deadlineMs ?? UNARY_DEADLINE_MS_DEFAULT;
  const callOptions: Partial<grpc.CallOptions> = deadlineMs === Infinity ? {} : { deadline: Date.now() + deadlineMs };
  const signal = options.signal;
  return new Promise<Res>((resolve, reject) => {
    const onAbort = (): void => call.cancel();
    const call = method(request, options.metadata ?? new grpc.Metadata(), callOptions, (err, response) => {
      signal?.removeEventListener('abort', onAbort);
      if (err !== null) reject(err);
      else resolve(response);
    });
    if (signal?.aborted === true) call.cancel();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Resolve once the client's channel is connected; reject after `timeoutMs`. */
export function waitForReady(client: grpc.Client, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    client.waitForReady(Date.now() + timeoutMs, (err) => {
      if (err === undefined || err === null) resolve();
      else reject(new Error(`channel to ${client.getChannel().getTarget()} not ready after ${timeoutMs} ms: ${err.message}`));
    });
  });
}

/** Whether `err` is a gRPC error with this status code. */
export function hasStatus(err: unknown, code: grpc.status): err is grpc.ServiceError {
  return err instanceof Error && (err as Partial<grpc.ServiceError>).code === code;
}

/** The request field a failed call named (trailing metadata `stemedb-field`), if any. */
export function fieldOf(err: grpc.ServiceError): string | undefined {
  const v = err.metadata?.get(FIELD_METADATA_KEY)[0];
  return v === undefined ? undefined : v.toString();
}
