/**
 * Append and AppendBatch: admit (validate, verify, admin, quota), then append
 * through the WAL's group commit, and answer only once durable. A batch is
 * admitted as a whole and written with one `appendBatch`, so it is durable as a
 * whole before any of it is acknowledged.
 */
import type { AppendBatchRequest, AppendBatchResponse, AppendRequest, AppendResponse } from '../../shared/gen/stemedb/v1/writer';
import { SizeLimitError } from '../../shared/grpc/errors';
import type { CallContext, UnaryFn } from '../../shared/grpc/handlers';
import { ValidationError } from '../../shared/domain/errors';
import { stemeMetrics } from '../../shared/telemetry/metrics';
import { withSpan } from '../../shared/telemetry/tracing';
import type { WriterDeps } from './deps';
import { APPEND_BATCH_RECORDS_MAX } from './limits';
import { receiptOf } from './receipts';
import { isLogUnwritable } from './writer-log';

/** Run a log write; when the log is unwritable, tell the deps before the error becomes UNAVAILABLE. */
export async function writeToLog<T>(deps: WriterDeps, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isLogUnwritable(err)) deps.onLogUnwritable(err);
    throw err;
  }
}

/** Nothing is appended for a call whose client has already gone or whose deadline passed. */
function checkStillWanted(ctx: CallContext): void {
  if (ctx.signal.aborted) throw ctx.signal.reason;
}

export function appendHandler(deps: WriterDeps): UnaryFn<AppendRequest, AppendResponse> {
  const latency = stemeMetrics().appendLatencyMs;
  return (request, ctx) =>
    withSpan('writer.append', {}, async (span) => {
      const startedMs = performance.now();
      return deps.load.run(1, async () => {
        const admitted = await deps.admission.admit(request.record, 'record');
        deps.peers?.charge(ctx.peer, [admitted.record], 'record');
        checkStillWanted(ctx);
        const at = await writeToLog(deps, () => deps.log.append(admitted.payload));
        span.setAttributes({ record_kind: admitted.record.kind, offset: at.offset, value_len: admitted.payload.length });
        latency.record(performance.now() - startedMs, { rpc: 'Append' });
        return { receipt: receiptOf(admitted, at.offset, at.nextOffset) };
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
        const admitted = await deps.admission.admitBatch(request.records, 'records');
        deps.peers?.charge(ctx.peer, admitted.map((a) => a.record), 'records');
        checkStillWanted(ctx);
        const at = await writeToLog(deps, () => deps.log.appendBatch(admitted.map((a) => a.payload)));
        span.setAttributes({ offset: at.offset, next_offset: at.nextOffset });
        latency.record(performance.now() - startedMs, { rpc: 'AppendBatch' });
        return { receipts: admitted.map((a, i) => receiptOf(a, at.offsets[i]!, at.offsets[i + 1] ?? at.nextOffset)) };
      });
    });
}
