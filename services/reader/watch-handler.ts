/**
 * Watch: the current resolution of a (subject, predicate), then each new one.
 *
 * After every committed batch the pair is resolved again (one MV read for the
 * default query) and sent only when the answer changed (its compact
 * fingerprint, shared/graph/resolution-fingerprint.ts, differs). Slow clients are
 * coalesced, never buffered: while a write waits for the client (backpressure
 * through the StreamWriter), later batches only mark the watch dirty, and once
 * the client reads again it gets the newest resolution, once. So a client sees
 * a subsequence of the resolutions, always ending at the latest, each with its
 * served_at_offset, strictly increasing. The stream ends with OK when the
 * client cancels or the server drains (shutdown or connection recycling).
 *
 * Resuming: with `from_offset` F (the last served_at_offset the client saw) the
 * resolution as of F is taken as already sent, so the client gets the next
 * change and never the one it has (docs/FORMAT.md "Writing a client").
 */
import { ValidationError } from '../../shared/domain/errors';
import type { WatchRequest, WatchResponse } from '../../shared/gen/stemedb/v1/reader';
import { SizeLimitError } from '../../shared/grpc/errors';
import type { ServerStreamFn } from '../../shared/grpc/handlers';
import { resolutionFingerprint } from '../../shared/graph/resolution-fingerprint';
import type { BatchBell } from './batch-bell';
import { offsetFromWire, predicateFromWire, queryFromWire, subjectFromWire } from './from-proto';
import type { Resolver } from './resolver';
import { resolutionToWire } from './to-proto';

/** Resolves when `wake` is called or `stop` aborts, whichever is first; cleans up either way. */
function nextWake(register: (wake: () => void) => void, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stop.removeEventListener('abort', done);
      register(() => undefined);
      resolve();
    };
    if (stop.aborted) return resolve();
    stop.addEventListener('abort', done, { once: true });
    register(done);
  });
}

export function watchHandler(resolver: Resolver, bell: BatchBell): ServerStreamFn<WatchRequest, WatchResponse> {
  return async (request, out, ctx) => {
    const subject = subjectFromWire(request.subject);
    const predicate = predicateFromWire(request.predicate);
    const q = queryFromWire(request.options);
    if (q.asOfOffset !== undefined) throw new ValidationError('options.as_of_offset', 'is not allowed on a Watch (it follows the log from now; to resume, set from_offset)');
    const fromOffset = request.fromOffset === undefined ? undefined : offsetFromWire(request.fromOffset, 'from_offset');
    const stop = AbortSignal.any([ctx.signal, ctx.draining]);
    const drained = new Promise<false>((resolve) => (stop.aborted ? resolve(false) : stop.addEventListener('abort', () => resolve(false), { once: true })));
    let dirty = true;
    let wake: () => void = () => undefined;
    const unsubscribe = bell.subscribe(() => {
      dirty = true;
      wake();
    });
    if (unsubscribe === undefined) throw new SizeLimitError('watch', bell.size + 1, bell.listenersMax, 'open watches');
    try {
      let last: Buffer | undefined;
      if (fromOffset !== undefined) {
        // What the client already has: the pair as of the offset it last saw.
        const seen = await resolver.resolvePair(subject, predicate, { ...q, minOffset: undefined, asOfOffset: fromOffset }, { explain: false, signal: ctx.signal, deadlineMs: ctx.deadlineMs });
        last = resolutionFingerprint(seen.resolution);
      }
      let query = q;
      while (!stop.aborted) {
        if (!dirty) {
          await nextWake((w) => (wake = w), stop);
          continue;
        }
        dirty = false;
        const r = await resolver.resolvePair(subject, predicate, query, { explain: false, signal: ctx.signal, deadlineMs: ctx.deadlineMs });
        query = { ...q, minOffset: undefined }; // min_offset gates the first answer only
        const bytes = resolutionFingerprint(r.resolution);
        if (last !== undefined && bytes.equals(last)) continue;
        last = bytes;
        const written = await Promise.race([out.write({ resolution: resolutionToWire(r.resolution), servedAtOffset: BigInt(r.servedAtOffset) }).then(() => true), drained]);
        if (!written) return;
      }
    } finally {
      unsubscribe();
    }
  };
}
