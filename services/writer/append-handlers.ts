/**
 * Append and AppendBatch: check (validate, verify, admin), then the append
 * path (append-records.ts: replays answered with their original receipt,
 * quota for new signers, the WAL's group commit), answering only once durable.
 * A batch is checked as a whole and its new records written with one
 * `appendBatch`, so it is durable as a whole before any of it is acknowledged.
 */
import type { AppendBatchRequest, AppendBatchResponse, AppendRequest, AppendResponse } from '../../shared/gen/stemedb/v1/writer';
import { SizeLimitError } from '../../shared/grpc/errors';
import type { CallContext, UnaryFn } from '../../shared/grpc/handlers';
import { ValidationError } from '../../shared/domain/errors';
import { stemeMetrics } from '../../shared/telemetry/metrics';
import type { Span } from '@opentelemetry/api';
import { tracingActive, withSpan } from '../../shared/telemetry/tracing';
import type { WriterDeps } from './deps';
import { APPEND_BATCH_RECORDS_MAX } from './limits';
import { appendChecked } from './append-records';
import { writeToLog } from './writer-log';
import { AppendGroup } from './append-group';

export { writeToLog } from './writer-log';

/** Nothing is appended for a call whose client has already gone or whose deadline passed. */
function checkStillWanted(ctx: CallContext): void {
  ctx.throwIfAborted();
}

/**
 * Append: each call holds its own slot of the in-flight bound and gets its own
 * receipt or error, but the calls of one event-loop turn are admitted and
 * appended together (append-group.ts): one verification round, one claim,
 * one appendBatch for all of them. Per call, only its span (when tracing is
 * on), its slot, its promise in the group and its receipt are made: the call
 * context itself is the group's source of the peer and of cancellation.
 */
export function appendHandler(deps: WriterDeps): UnaryFn<AppendRequest, AppendResponse> {
  const latency = stemeMetrics().appendLatencyMs;
  const group = new AppendGroup(deps);
  const attributes = { rpc: 'Append' };
  const append = async (request: AppendRequest, ctx: CallContext, span: Span | undefined): Promise<AppendResponse> => {
    const startedMs = performance.now();
    deps.load.take(1);
    try {
      const done = await group.submitFor(request.record, ctx);
      span?.setAttributes({ record_kind: done.record.kind, offset: Number(done.receipt.offset), replay: !done.appended });
      latency.record(performance.now() - startedMs, attributes);
      return { receipt: done.receipt };
    } finally {
      deps.load.release(1);
    }
  };
  return (request, ctx) => (tracingActive() ? withSpan('writer.append', {}, (span) => append(request, ctx, span)) : append(request, ctx, undefined));
}

export function appendBatchHandler(deps: WriterDeps): UnaryFn<AppendBatchRequest, AppendBatchResponse> {
  const latency = stemeMetrics().appendLatencyMs;
  return (request, ctx) =>
    withSpan('writer.append_batch', { batch_records: request.records.length }, async (span) => {
      const startedMs = performance.now();
      const n = request.records.length;
      if (n === 0) throw new ValidationError('records', 'at least one record is required');
      if (n > APPEND_BATCH_RECORDS_MAX) throw new SizeLimitError('records', n, APPEND_BATCH_RECORDS_MAX, 'records');
      return deps.load.run(n, async () => {
        const checked = await deps.admission.checkBatch(request.records, 'records');
        deps.peers?.charge(ctx.peer, checked.map((c) => c.record), 'records');
        const done = await appendChecked(deps, checked, () => checkStillWanted(ctx), (fn) => writeToLog(deps, fn));
        span.setAttributes({ offset: done.offset ?? -1, appended: done.appended, replays: n - done.appended });
        latency.record(performance.now() - startedMs, { rpc: 'AppendBatch' });
        return { receipts: done.receipts };
      });
    });
}
