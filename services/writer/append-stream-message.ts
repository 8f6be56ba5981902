/**
 * One AppendStream request and its answer. A single-record request (`record`)
 * is admitted and appended on its own and answered by `receipt` or `error`. A
 * multi-record request (`batch`, 1..APPEND_STREAM_MESSAGE_RECORDS_MAX records) is
 * admitted as one batch — one verification round, one `appendBatch`, one
 * group commit share, one response — but judged record by record: a record
 * that fails its own checks (validation, signatures, the admin rule, agent
 * admission) gets its AppendError at its index and its neighbours are still
 * appended and receive their receipts. What concerns the message as a whole
 * (both fields set, no or too many records, the writer's overload bound, a signer's
 * quota, a peer's fresh-key limit) is the response's `error`, with nothing of
 * the message appended. A log that cannot be written ends the stream
 * (UNAVAILABLE), as on every path.
 */
import { ValidationError } from '../../shared/domain/errors';
import type { Record as PbRecord } from '../../shared/gen/stemedb/v1/records';
import type { AppendStreamRequest, AppendStreamResponse, AppendStreamResult } from '../../shared/gen/stemedb/v1/writer';
import { SizeLimitError } from '../../shared/grpc/errors';
import { describeError } from '../../shared/grpc/status';
import { withSpan } from '../../shared/telemetry/tracing';
import type { Checked } from './admission';
import { writeToLog } from './append-handlers';
import { appendChecked } from './append-records';
import type { WriterDeps } from './deps';
import { APPEND_STREAM_MESSAGE_RECORDS_MAX } from './limits';
import { isLogUnwritable } from './writer-log';

const METHOD = '/stemedb.v1.WriterService/AppendStream';

/** Records a request carries (what it holds of the stream's in-flight bound). */
export function requestRecords(request: AppendStreamRequest): number {
  return Math.max(1, request.batch?.records.length ?? 1);
}

/** The AppendError of `err`, as Append would have answered it. */
function appendError(deps: WriterDeps, err: unknown): { code: number; message: string; field: string } {
  const d = describeError(err, { logger: deps.logger, method: METHOD });
  return { code: d.code, message: d.details, field: d.field ?? '' };
}

/**
 * Answers one request. Throws only what must end the stream: the log
 * unwritable, or `stillWanted`'s error when the stream failed meanwhile.
 */
export async function answerRequest(deps: WriterDeps, request: AppendStreamRequest, peer: string, stillWanted: () => void): Promise<AppendStreamResponse> {
  const sequence = request.sequence;
  try {
    if (request.batch === undefined) return { sequence, result: await appendOne(deps, request, peer, stillWanted) };
    return { sequence, result: undefined, results: { results: await appendMany(deps, request, request.batch.records, stillWanted, peer) } };
  } catch (err) {
    if (isLogUnwritable(err)) throw err;
    return { sequence, result: { $case: 'error', value: appendError(deps, err) } };
  }
}

async function appendOne(deps: WriterDeps, request: AppendStreamRequest, peer: string, stillWanted: () => void): Promise<AppendStreamResponse['result']> {
  return withSpan('writer.append', { rpc: 'AppendStream' }, (span) =>
    deps.load.run(1, async () => {
      const checked = await deps.admission.check(request.record, 'record');
      deps.peers?.charge(peer, [checked.record], 'record');
      const done = await appendChecked(deps, [checked], stillWanted, (fn) => writeToLog(deps, fn));
      const receipt = done.receipts[0]!;
      span.setAttributes({ record_kind: checked.record.kind, offset: Number(receipt.offset), replay: done.appended === 0 });
      return { $case: 'receipt' as const, value: receipt };
    }),
  );
}

async function appendMany(deps: WriterDeps, request: AppendStreamRequest, records: readonly PbRecord[], stillWanted: () => void, peer: string): Promise<AppendStreamResult[]> {
  const n = records.length;
  if (request.record !== undefined) throw new ValidationError('batch', 'set either record or batch, not both');
  if (n === 0) throw new ValidationError('batch.records', 'at least one record is required');
  if (n > APPEND_STREAM_MESSAGE_RECORDS_MAX) throw new SizeLimitError('batch.records', n, APPEND_STREAM_MESSAGE_RECORDS_MAX, 'records');
  return withSpan('writer.append_stream_message', { rpc: 'AppendStream', batch_records: n }, (span) =>
    deps.load.run(n, async () => {
      const outcomes = await deps.admission.checkEach(records, 'batch.records');
      const admitted = outcomes.filter((o): o is Checked => !(o instanceof Error));
      deps.peers?.charge(peer, admitted.map((c) => c.record), 'batch.records');
      const done = admitted.length === 0 ? undefined : await appendChecked(deps, admitted, stillWanted, (fn) => writeToLog(deps, fn));
      let at = 0;
      const results = outcomes.map((o): AppendStreamResult => (o instanceof Error ? { result: { $case: 'error', value: appendError(deps, o) } } : { result: { $case: 'receipt', value: done!.receipts[at++]! } }));
      span.setAttributes({ offset: done?.offset ?? -1, appended: done?.appended ?? 0, rejected: n - admitted.length });
      return results;
    }),
  );
}
