/**
 * Safe request decoding for grpc-js service definitions (the ts-proto output in
 * shared/gen, or any hand-written one).
 *
 * Why: when a definition's `requestDeserialize` throws, grpc-js answers the
 * call itself with INTERNAL "Error deserializing request" (server-interceptors.js,
 * `decompressAndMaybePush`) — a client's bad bytes would look like our bug, and
 * the handler never learns of it. `safeServiceDefinition` wraps every request
 * deserializer so that a failure yields an `UndecodableRequest` sentinel
 * instead of a throw. `decodeGuardInterceptor` (installed by `startServer`)
 * answers a call carrying the sentinel with INVALID_ARGUMENT
 * "request: could not decode ..." before any handler sees it, and the handler
 * wrappers in `handlers.ts` check again for servers built without it.
 */
import * as grpc from '@grpc/grpc-js';
import { ERROR_NAME_METADATA_KEY, FIELD_METADATA_KEY, RpcStatusError } from './status';

/** The field named by decode failures: the request message as a whole. */
export const REQUEST_FIELD = 'request';

/** What a wrapped deserializer returns for bytes that do not decode. */
export class UndecodableRequest {
  constructor(
    /** The RPC path, e.g. `/stemedb.v1.WriterService/Append`. */
    readonly method: string,
    /** Why decoding failed (the decoder's message). */
    readonly reason: string,
    readonly byteLength: number,
  ) {}
}

export function isUndecodable(value: unknown): value is UndecodableRequest {
  return value instanceof UndecodableRequest;
}

/** The INVALID_ARGUMENT status for an undecodable request, naming the `request` field. */
export function undecodableStatus(sentinel: UndecodableRequest): RpcStatusError {
  const metadata = new grpc.Metadata();
  metadata.set(FIELD_METADATA_KEY, REQUEST_FIELD);
  metadata.set(ERROR_NAME_METADATA_KEY, 'DecodeError');
  const details = `${REQUEST_FIELD}: could not decode ${sentinel.byteLength} bytes as the request of ${sentinel.method}: ${sentinel.reason}`;
  return new RpcStatusError(grpc.status.INVALID_ARGUMENT, details, metadata);
}

function safeDeserializer<T>(method: string, deserialize: (bytes: Buffer) => T): (bytes: Buffer) => T | UndecodableRequest {
  return (bytes) => {
    try {
      return deserialize(bytes);
    } catch (err) {
      return new UndecodableRequest(method, err instanceof Error ? err.message : String(err), bytes.length);
    }
  };
}

/**
 * The same service definition with every `requestDeserialize` made total: it
 * returns an `UndecodableRequest` instead of throwing. The static type is kept
 * so generated implementations still type-check; the sentinel never reaches a
 * handler on a server started by `startServer`.
 */
export function safeServiceDefinition<D extends grpc.ServiceDefinition>(definition: D): D {
  const out: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [key, method] of Object.entries(definition as grpc.ServiceDefinition)) {
    out[key] = { ...method, requestDeserialize: safeDeserializer(method.path, method.requestDeserialize) as (b: Buffer) => unknown };
  }
  return out as unknown as D;
}

/** Handlers that answer an `UndecodableRequest` themselves (the wrappers of `handlers.ts`). */
const guardedHandlers = new WeakSet<object>();

/** Marks `handler` as checking its own requests for `UndecodableRequest`; returns it. */
export function markDecodeGuarded<H extends object>(handler: H): H {
  guardedHandlers.add(handler);
  return handler;
}

export function isDecodeGuarded(handler: unknown): boolean {
  return typeof handler === 'function' && guardedHandlers.has(handler);
}

/** The paths of `definition` whose handler in `implementation` is decode-guarded (looked up as grpc-js does: key, then proto name). */
export function decodeGuardedPaths(definition: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation): string[] {
  const out: string[] = [];
  for (const [key, method] of Object.entries(definition)) {
    const original = (method as { originalName?: string }).originalName;
    const handler = implementation[key] ?? (original === undefined ? undefined : implementation[original]);
    if (isDecodeGuarded(handler)) out.push(method.path);
  }
  return out;
}

/**
 * A server interceptor that ends any call whose request message is an
 * `UndecodableRequest` with INVALID_ARGUMENT, so no handler sees the sentinel.
 * For a stream the whole call ends: the client's framing can no longer be trusted.
 * Calls to `guardedPaths` (methods whose handler is decode-guarded, filled
 * in as services are added) pass untouched: their handler answers the same
 * status itself, and they skip the interceptor's extra call layer.
 */
export function decodeGuardInterceptor(guardedPaths: ReadonlySet<string> = new Set()): grpc.ServerInterceptor {
  return (method, call) =>
    guardedPaths.has(method.path)
      ? // grpc-js chains interceptors by what they return; the call itself is the chain without this one.
        (call as grpc.ServerInterceptingCall)
      : new grpc.ServerInterceptingCall(call, {
          start: (next) =>
            next({
              onReceiveMessage: (message: unknown, pass: (m: unknown) => void) => {
                if (isUndecodable(message)) call.sendStatus(undecodableStatus(message));
                else pass(message);
              },
            }),
        });
}
