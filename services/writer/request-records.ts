/**
 * The writer's request decoding for Append, AppendBatch and AppendStream:
 * ts-proto decodes the request as before, and a wire walk over the same bytes
 * (shared/domain/wire-fields.ts) notes where each Record's own bytes lie, so
 * admission can frame the log entry around bytes the request already holds
 * instead of re-encoding the record (admission.ts; canonical-record-wire.ts
 * decides whether they may be used as they are). The views are kept beside
 * the decoded message objects (a WeakMap: they live exactly as long as the
 * request), and a request whose records the walk cannot match one for one
 * (a record field split in two, which protobuf merges) simply has none:
 * its records are re-encoded.
 */
import type { Record as PbRecord } from '../../shared/gen/stemedb/v1/records';
import { AppendBatchRequest, AppendRequest, AppendStreamRequest, WriterServiceService } from '../../shared/gen/stemedb/v1/writer';
import { lenFieldsOf } from '../../shared/domain/wire-fields';

const wireOf = new WeakMap<PbRecord, Buffer>();

/** The bytes `message` was decoded from, when the writer's request codec noted them. */
export function recordWireOf(message: PbRecord | undefined): Buffer | undefined {
  return message === undefined ? undefined : wireOf.get(message);
}

/** Note `views[i]` as the bytes of `records[i]`, when the walk found exactly one view per record. */
function note(records: readonly PbRecord[], views: Buffer[] | undefined): void {
  if (views === undefined || views.length !== records.length) return;
  for (let i = 0; i < records.length; i++) wireOf.set(records[i]!, views[i]!);
}

// Field numbers: AppendRequest.record = 1, AppendBatchRequest.records = 1,
// AppendStreamRequest.record = 2 and .batch = 3, AppendStreamBatch.records = 1.
function decodeAppend(bytes: Buffer): AppendRequest {
  const request = AppendRequest.decode(bytes);
  if (request.record !== undefined) note([request.record], lenFieldsOf(bytes, 1));
  return request;
}

function decodeAppendBatch(bytes: Buffer): AppendBatchRequest {
  const request = AppendBatchRequest.decode(bytes);
  note(request.records, lenFieldsOf(bytes, 1));
  return request;
}

function decodeAppendStream(bytes: Buffer): AppendStreamRequest {
  const request = AppendStreamRequest.decode(bytes);
  if (request.record !== undefined) note([request.record], lenFieldsOf(bytes, 2));
  if (request.batch !== undefined) {
    const batch = lenFieldsOf(bytes, 3);
    if (batch?.length === 1) note(request.batch.records, lenFieldsOf(batch[0]!, 1));
  }
  return request;
}

/** WriterService's definition with the three append methods decoded as above (everything else as generated). */
export const WRITER_SERVICE_DEFINITION: typeof WriterServiceService = {
  ...WriterServiceService,
  append: { ...WriterServiceService.append, requestDeserialize: decodeAppend },
  appendBatch: { ...WriterServiceService.appendBatch, requestDeserialize: decodeAppendBatch },
  appendStream: { ...WriterServiceService.appendStream, requestDeserialize: decodeAppendStream },
};
