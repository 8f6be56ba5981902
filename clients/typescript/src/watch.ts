/**
 * Watch with automatic resume. A Watch stream ends with OK when the reader
 * drains (shutdown, or its connection reaching max connection age) and with
 * UNAVAILABLE when the connection breaks; either way this reopens it with
 * `from_offset` = the served_at_offset of the last event delivered, so the
 * caller sees every change once, offsets strictly increasing, across any
 * number of reconnects. `min_offset` applies to the first stream only.
 */
import * as grpc from '@grpc/grpc-js';
import type { ReaderServiceClient, Resolution, WatchRequest, WatchResponse } from '../../../shared/gen/stemedb/v1/reader';
import { StemeRpcError, toRpcError } from './errors';
import { STREAM_RECONNECTS_MAX } from './limits';
import { backoffMs, isAborted, sleep } from './rpc';

export interface WatchEvent {
  readonly resolution: Resolution;
  /** The log offset this resolution reflects; strictly increasing. */
  readonly servedAtOffset: number;
}

export interface WatchOptions {
  /** Ends the watch (the iterator then returns). */
  readonly signal?: AbortSignal;
  /** Resume after this offset (a served_at_offset seen earlier). */
  readonly fromOffset?: number;
  /** Reconnects in a row without an event before giving up with the last error. @default STREAM_RECONNECTS_MAX */
  readonly reconnectsMax?: number;
  /** Called before each reconnect (for logs and tests). */
  readonly onReconnect?: (attempt: number, reason: unknown) => void;
}

const RETRYABLE: readonly number[] = [grpc.status.UNAVAILABLE, grpc.status.CANCELLED];

export async function* watch(client: ReaderServiceClient, request: WatchRequest, options: WatchOptions): AsyncGenerator<WatchEvent> {
  let from = options.fromOffset;
  let first = true;
  let failures = 0;
  const reconnectsMax = options.reconnectsMax ?? STREAM_RECONNECTS_MAX;
  while (options.signal?.aborted !== true) {
    const req: WatchRequest = {
      ...request,
      ...(from === undefined ? {} : { fromOffset: BigInt(from) }),
      options: first || request.options === undefined ? request.options : { ...request.options, minOffset: undefined },
    };
    const stream = client.watch(req);
    const onAbort = (): void => stream.cancel();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let reason: unknown = 'the stream ended (server drain or connection recycling)';
    try {
      for await (const m of stream as AsyncIterable<WatchResponse>) {
        first = false;
        failures = 0;
        const servedAtOffset = Number(m.servedAtOffset);
        if (from !== undefined && servedAtOffset <= from) continue; // never repeat a change already delivered
        from = servedAtOffset;
        yield { resolution: m.resolution!, servedAtOffset };
      }
    } catch (raw) {
      if (isAborted(options.signal)) return;
      const err = toRpcError(raw, 'Watch');
      if (!(err instanceof StemeRpcError) || !RETRYABLE.includes(err.code)) throw err;
      reason = err;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      stream.cancel();
    }
    if (isAborted(options.signal)) return;
    if (++failures > reconnectsMax) throw reason instanceof Error ? reason : new Error(`Watch: ${String(reason)}; gave up after ${reconnectsMax} reconnects`);
    options.onReconnect?.(failures, reason);
    await sleep(backoffMs(failures), options.signal).catch(() => undefined);
  }
}
