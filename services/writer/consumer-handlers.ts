/**
 * ReportProgress, and the retention part of Head: a consumer (a reader)
 * reports the offset it has applied the log through, which registers it when
 * it is new; Head lists every registered consumer with its lag and expiry
 * (docs/OPERATIONS.md, "Retention").
 */
import { ValidationError } from '../../shared/domain/errors';
import type { ConsumerCursor, HeadResponse, ReportProgressRequest, ReportProgressResponse } from '../../shared/gen/stemedb/v1/writer';
import { UnavailableError } from '../../shared/grpc/errors';
import type { UnaryFn } from '../../shared/grpc/handlers';
import type { WriterDeps } from './deps';
import type { ConsumerState } from './retention-rule';
import { consumerState } from './retention-rule';
import { requestOffset } from './tail-handlers';

const CONSUMER_ID_FIELD = 'consumer_id';
const APPLIED_OFFSET_FIELD = 'applied_offset';

export function cursorToProto(c: ConsumerState): ConsumerCursor {
  return {
    consumerId: c.consumerId,
    appliedOffset: BigInt(c.appliedOffset),
    reportedAtMs: BigInt(c.reportedAtMs),
    registeredAtMs: BigInt(c.registeredAtMs),
    lagBytes: BigInt(c.lagBytes),
    expired: c.expired,
  };
}

export function reportProgressHandler(deps: WriterDeps): UnaryFn<ReportProgressRequest, ReportProgressResponse> {
  return (request) => {
    const retention = deps.retention;
    if (retention === undefined) throw new UnavailableError('this writer keeps no consumer registry');
    const applied = requestOffset(request.appliedOffset, APPLIED_OFFSET_FIELD);
    const head = deps.log.headOffset;
    // A consumer cannot have applied what the log does not hold yet: a cursor past the head would hold nothing back.
    if (applied > head) throw new ValidationError(APPLIED_OFFSET_FIELD, `${applied} is past the log's head ${head}`);
    const entry = retention.registry.report(request.consumerId, applied, CONSUMER_ID_FIELD);
    return {
      cursor: cursorToProto(consumerState(retention.policy, deps.log, entry)),
      firstOffset: BigInt(deps.log.firstOffset),
      headOffset: BigInt(head),
      logId: deps.log.logId ?? '',
    };
  };
}

/** Head's retention fields: settings, floor, the log id and every consumer. */
export function headRetention(deps: WriterDeps): Pick<HeadResponse, 'logId' | 'retentionFloor' | 'retention' | 'consumers'> {
  const r = deps.retention;
  return {
    logId: deps.log.logId ?? '',
    retentionFloor: BigInt(deps.log.retentionFloor ?? 0),
    retention: r === undefined ? undefined : { enabled: r.policy.enabled, keepBytes: BigInt(r.policy.keepBytes), lagBytesMax: BigInt(r.policy.lagBytesMax), segmentBytes: BigInt(deps.log.segmentBytesMax ?? 0) },
    consumers: r === undefined ? [] : r.consumers().map(cursorToProto),
  };
}
