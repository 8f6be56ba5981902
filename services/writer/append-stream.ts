/**
 * AppendStream: the high-rate path. Each request — one record, or several
 * admitted as one batch (append-stream-message.ts) — is handled on its own,
 * so concurrent requests share group commits; each request's answer (its
 * receipt, its per-record results, or an in-stream AppendError) is sent as
 * soon as it is known, possibly out of order — `sequence` echoes the client's.
 *
 * Flow control: the stream's records hold units of an InFlightSlots of
 * APPEND_STREAM_IN_FLIGHT_MAX from the moment their request is read until its
 * answer has been handed to the call without exceeding the call's write
 * buffer. A request is read only while fewer units are held; with the bound
 * reached the handler stops pulling requests; grpc-js reads the next message
 * only when asked (its Readable `_read` calls `startRead`), so reading
 * pauses, HTTP/2 flow control pushes back on the client, and the writer's
 * memory stays bounded however fast the producer is — and however slowly it
 * reads its results.
 *
 * Stream-level failures end the call with a status: the log unwritable
 * (UNAVAILABLE; nothing more is acknowledged), an undecodable message, the
 * deadline or cancellation. At shutdown the stream stops reading, finishes what
 * is in flight and ends with OK.
 */
import type { AppendStreamRequest, AppendStreamResponse } from '../../shared/gen/stemedb/v1/writer';
import type { BidiStreamFn } from '../../shared/grpc/handlers';
import { answerRequest, requestRecords } from './append-stream-message';
import type { WriterDeps } from './deps';
import { InFlightSlots } from './in-flight-slots';
import { APPEND_STREAM_IN_FLIGHT_MAX } from './limits';

export interface AppendStreamOptions {
  /** @default APPEND_STREAM_IN_FLIGHT_MAX */
  readonly inFlightMax?: number;
  /** Told the slot high-water mark when each stream ends (tests, logs). */
  readonly onStreamEnd?: (stats: { records: number; inFlightMax: number }) => void;
}

type Next = IteratorResult<AppendStreamRequest> | 'stopped';

/**
 * `promise`, or 'stopped' as soon as `signal` aborts. The listener is removed
 * once `promise` settles: racing every read against one long-lived promise
 * would pile a reaction on it per record for the life of the stream.
 */
function unlessStopped<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | 'stopped'> {
  if (signal.aborted) return Promise.resolve('stopped');
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve('stopped');
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

export function appendStreamHandler(deps: WriterDeps, options: AppendStreamOptions = {}): BidiStreamFn<AppendStreamRequest, AppendStreamResponse> {
  const inFlightMax = options.inFlightMax ?? APPEND_STREAM_IN_FLIGHT_MAX;
  return async (input, out, ctx) => {
    const slots = new InFlightSlots(inFlightMax);
    const failed = new AbortController();
    const stop = AbortSignal.any([ctx.draining, failed.signal, ctx.signal]);
    let failure: unknown;
    const fail = (err: unknown): void => {
      if (failure === undefined) failure = err;
      failed.abort(err);
    };
    const pending = new Set<Promise<void>>();
    let records = 0;

    const stillWanted = (): void => {
      if (stop.aborted && failure !== undefined) throw failure;
    };
    const handle = async (request: AppendStreamRequest): Promise<void> => {
      let response: AppendStreamResponse;
      try {
        response = await answerRequest(deps, request, ctx.peer, stillWanted);
      } catch (err) {
        return fail(err); // the log is unwritable, or the stream already failed
      }
      try {
        // The writer queues behind earlier writes and resolves at once unless the client is not reading.
        await out.write(response);
      } catch (err) {
        fail(err); // the call is over (cancelled, deadline): nobody is left to answer
      }
    };

    const iterator = input[Symbol.asyncIterator]();
    try {
      for (;;) {
        if ((await unlessStopped(slots.acquire(), stop)) === 'stopped') break;
        const next: Next = await unlessStopped(iterator.next(), stop);
        if (next === 'stopped' || next.done === true) {
          slots.release();
          break;
        }
        const held = requestRecords(next.value);
        slots.add(held - 1);
        records += held;
        const p = handle(next.value).finally(() => {
          slots.release(held);
          pending.delete(p);
        });
        pending.add(p);
      }
    } catch (err) {
      fail(err); // reading failed: an undecodable message, or the call was cancelled
    }
    await Promise.all(pending);
    options.onStreamEnd?.({ records, inFlightMax: slots.inUseMax });
    deps.logger.debug('append stream ended', { records, in_flight_max: slots.inUseMax, write_waits: out.stats.drainWaits, failed: failure !== undefined });
    if (failure !== undefined) throw failure;
  };
}
