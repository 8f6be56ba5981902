/**
 * Keeps the set of calls a server is working on, by wrapping each method of
 * every registered implementation. Shutdown uses it to drain streams, and
 * tests and logs use the in-flight count.
 */
import type { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { isDecodeGuarded } from './codec';
import { DRAIN_EVENT, isDrainable } from './drain';
import { RpcStatusError } from './status';

interface Tracked {
  readonly call: EventEmitter;
  /** Whether the call sends a stream of responses (and so may run for a long time). */
  readonly streaming: boolean;
}

type AnyCallback = (...args: unknown[]) => void;
type AnyHandler = (call: EventEmitter, callback?: AnyCallback) => void;

export class CallTracker {
  private readonly open = new Set<Tracked>();
  /** Unary calls of decode-guarded handlers (handlers.ts) in flight: counted, not kept. */
  private guardedUnary = 0;

  /** Calls accepted and not yet answered (or cancelled). */
  get inFlight(): number {
    return this.open.size + this.guardedUnary;
  }

  /** The implementation with every method tracked; the definition says which methods stream. */
  wrap(definition: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation): grpc.UntypedServiceImplementation {
    const out: grpc.UntypedServiceImplementation = { ...implementation };
    for (const [key, method] of Object.entries(definition)) {
      // grpc-js looks a method up by its key, then by its proto name (proto-loader definitions).
      const original = (method as { originalName?: string }).originalName;
      const implKey = implementation[key] !== undefined ? key : original;
      if (implKey === undefined || implementation[implKey] === undefined) continue;
      out[implKey] = this.track(implementation[implKey] as unknown as AnyHandler, method.responseStream) as unknown as grpc.UntypedHandleCall;
    }
    return out;
  }

  private track(handler: AnyHandler, streaming: boolean): AnyHandler {
    if (!streaming && isDecodeGuarded(handler)) return this.trackGuardedUnary(handler);
    return (call, callback) => {
      const entry: Tracked = { call, streaming };
      this.open.add(entry);
      const done = (): void => {
        this.open.delete(entry);
      };
      call.once('cancelled', done);
      if (callback === undefined) {
        call.once('finish', done);
        call.once('close', done);
        handler(call);
        return;
      }
      handler(call, (...args: unknown[]) => {
        done();
        callback(...args);
      });
    };
  }

  /**
   * A unary handler of handlers.ts answers every call exactly once — with its
   * response, its error, or at once on a deadline or cancellation — so its
   * calls are a count, with no entry, set or 'cancelled' listener of their own.
   */
  private trackGuardedUnary(handler: AnyHandler): AnyHandler {
    return (call, callback) => {
      this.guardedUnary += 1;
      handler(call, (err: unknown, value: unknown, trailer: unknown, flags: unknown) => {
        this.guardedUnary -= 1;
        callback!(err, value, trailer, flags);
      });
    };
  }

  /**
   * Start draining: streams whose handler can finish by itself get the drain
   * event; every other response stream ends now with UNAVAILABLE, after what it
   * already wrote (so a health watcher sees NOT_SERVING first).
   */
  drainStreams(): void {
    for (const { call, streaming } of this.open) {
      if (!streaming) continue;
      if (isDrainable(call)) call.emit(DRAIN_EVENT);
      else call.emit('error', new RpcStatusError(grpc.status.UNAVAILABLE, 'server is shutting down'));
    }
  }
}
