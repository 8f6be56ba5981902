/** Wire ⇄ client values: receipts, heads, log records. */
import { blake3 } from '../../../shared/domain/hash';
import { decodeLogPayload } from '../../../shared/domain/log-payload';
import type { RecordKind } from '../../../shared/domain/types';
import { RecordKind as PbRecordKind } from '../../../shared/gen/stemedb/v1/records';
import type { HeadResponse, LogRecord, Receipt as PbReceipt } from '../../../shared/gen/stemedb/v1/writer';
import { RECORD_HEADER_BYTES } from '../../../shared/wal/limits';
import type { Head, LogRecordView, Receipt } from './types';

const KIND_BY_ENUM: Readonly<Record<number, RecordKind>> = {
  [PbRecordKind.RECORD_KIND_ASSERTION]: 'assertion',
  [PbRecordKind.RECORD_KIND_VOTE]: 'vote',
  [PbRecordKind.RECORD_KIND_EPOCH]: 'epoch',
  [PbRecordKind.RECORD_KIND_GOLD_STANDARD]: 'gold_standard',
  [PbRecordKind.RECORD_KIND_TRUST_PACK]: 'trust_pack',
  [PbRecordKind.RECORD_KIND_AGENT_GRANT]: 'agent_grant',
  [PbRecordKind.RECORD_KIND_AGENT_REVOKE]: 'agent_revoke',
};

/** A protocol breach by the server (a missing receipt, a bad payload hash). */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

export function receiptFromWire(r: PbReceipt | undefined, method: string): Receipt {
  if (r === undefined) throw new ProtocolError(`${method}: the writer answered without a receipt`);
  const kind = KIND_BY_ENUM[r.kind];
  if (kind === undefined) throw new ProtocolError(`${method}: unknown record kind ${r.kind} in a receipt`);
  return { id: r.id, offset: Number(r.offset), nextOffset: Number(r.nextOffset), kind };
}

export function headFromWire(h: HeadResponse): Head {
  return {
    headOffset: Number(h.headOffset),
    firstOffset: Number(h.firstOffset),
    segments: h.segments.map((s) => ({ baseOffset: Number(s.baseOffset), endOffset: Number(s.endOffset), fileName: s.fileName })),
    logId: h.logId,
    retentionFloor: Number(h.retentionFloor),
    ...(h.retention === undefined
      ? {}
      : { retention: { enabled: h.retention.enabled, keepBytes: Number(h.retention.keepBytes), lagBytesMax: Number(h.retention.lagBytesMax), segmentBytes: Number(h.retention.segmentBytes) } }),
    consumers: h.consumers.map((c) => ({
      consumerId: c.consumerId,
      appliedOffset: Number(c.appliedOffset),
      reportedAtMs: Number(c.reportedAtMs),
      registeredAtMs: Number(c.registeredAtMs),
      lagBytes: Number(c.lagBytes),
      expired: c.expired,
    })),
  };
}

/** A Tail record, its hash checked and its payload decoded; next offset = offset + 40-byte record header + payload (docs/WAL.md). */
export function logRecordFromWire(r: LogRecord): LogRecordView {
  const offset = Number(r.offset);
  if (!blake3(r.payload).equals(r.payloadHash)) throw new ProtocolError(`Tail: payload hash mismatch at offset ${offset}`);
  const entry = decodeLogPayload(r.payload);
  return { offset, nextOffset: offset + RECORD_HEADER_BYTES + r.payload.length, payload: r.payload, payloadHash: r.payloadHash, appendedAtMs: entry.appendedAtMs, record: entry.record };
}
