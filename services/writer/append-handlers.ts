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
import { withSpan } from '../../shared/telemetry/tracing';
import type { WriterDeps } from './deps';
import { APPEND_BATCH_RECORDS_MAX } from './limits';
import { appendChecked } from './append-records';
import { writeToLog } from './writer-log';
import { AppendGroup } from './append-group';

export { writeToLog } from './writer-log';

/** Nothing is appended for a call whose client has already gone or whose deadline passed. */
function checkStillWanted(ctx: CallContext): void {
  if (ctx.signal.aborted) throw ctx.signal.reason;
}

/**
 * Append: each call holds its own slot of the in-flight bound and gets its own
 * receipt or error, but the calls of one event-loop turn are admitted and
 * appended together (append-group.ts): one verification round, one claim,
 * one appendBatch for all of them.
 */
export function appendHandler(deps: WriterDeps): UnaryFn<AppendRequest, AppendResponse> {
  const latency = stemeMetrics().appendLatencyMs;
  const group = new AppendGroup(deps);
  const attributes = { rpc: 'Append' };
  return (request, ctx) =>
    withSpan('writer.append', {}, async (span) => {
      const startedMs = performance.now();
      return deps.load.run(1, async () => {
        const done = await group.submit(request.record, ctx.peer, () => checkStillWanted(ctx));
        span.setAttributes({ record_kind: done.record.kind, offset: Number(done.receipt.offset), replay: !done.appended });
        latency.record(performance.now() - startedMs, attributes);
        return { receipt: done.receipt };
      });
    });
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
