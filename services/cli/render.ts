/**
 * What the CLI prints for stored assertions, escalations, log records and
 * heads: a JSON form (`--json`; ids hex, offsets numbers, records in the JSON
 * form of docs/FORMAT.md §7) and a one-line text form. Pure (type imports only).
 */
import { objectFromProto, recordFromProto } from '../../shared/domain/proto-convert';
import { recordToJson } from '../../shared/domain/record-json';
import type { StemeRecord } from '../../shared/domain/types';
import type { Escalation, StoredAssertion } from '../../shared/gen/stemedb/v1/reader';
import { formatObject } from '../../shared/lens/object-value';
import type { Head, LogRecordView, Receipt } from '../../clients/typescript/src/types';
import { objectJson } from '../reader/resolution-json';

const hex = (b: Buffer): string => b.toString('hex');
const short = (h: string): string => `${h.slice(0, 12)}…`;

export function receiptToJson(r: Receipt): Record<string, unknown> {
  return { id: hex(r.id), offset: r.offset, next_offset: r.nextOffset, kind: r.kind };
}

export function renderReceipt(r: Receipt): string {
  return `id:     ${hex(r.id)}\noffset: ${r.offset}\nnext:   ${r.nextOffset}`;
}

function assertionRecord(s: StoredAssertion): StemeRecord {
  return recordFromProto({ kind: { $case: 'assertion', value: s.assertion! } }, 'assertion');
}

export function storedAssertionToJson(s: StoredAssertion): Record<string, unknown> {
  return {
    id: hex(s.id),
    offset: Number(s.offset),
    assertion: recordToJson(assertionRecord(s)),
    votes: s.votes.map((v) => ({ voter: hex(v.voter), value: v.value, cast_at_ms: Number(v.castAtMs), offset: Number(v.offset) })),
    net_vote: s.netVote,
    superseded: s.superseded,
    superseded_by: s.supersededBy.map(hex),
  };
}

/** `offset  id…  subject predicate = object  (confidence c, n signers, net vote v[, superseded])` */
export function renderStoredAssertion(s: StoredAssertion): string {
  const a = assertionRecord(s);
  if (a.kind !== 'assertion') return hex(s.id);
  const extra = [`confidence ${a.confidence}`, `${a.signatures.length} signer${a.signatures.length === 1 ? '' : 's'}`, `net vote ${s.netVote}`];
  if (a.epoch !== null) extra.push(`epoch ${a.epoch}`);
  if (s.superseded) extra.push(`superseded by ${s.supersededBy.map((b) => short(hex(b))).join(', ')}`);
  return `${String(s.offset).padStart(8)}  ${short(hex(s.id))}  ${a.subject} ${a.predicate} = ${formatObject(a.object)}  (${extra.join(', ')})`;
}

export function escalationToJson(e: Escalation): Record<string, unknown> {
  const obj = (o: Escalation['top'], f: string) => (o === undefined ? null : objectJson(objectFromProto(o, f)));
  return { subject: e.subject, predicate: e.predicate, offset: Number(e.offset), top: obj(e.top, 'top'), top_share: e.topShare, runner_up: obj(e.runnerUp, 'runner_up'), runner_up_share: e.runnerUpShare };
}

export function renderEscalation(e: Escalation): string {
  const j = escalationToJson(e) as { top: { display: string } | null; runner_up: { display: string } | null };
  const share = (x: number): string => x.toFixed(3);
  return `${String(e.offset).padStart(8)}  ${e.subject} ${e.predicate}: ${j.top?.display ?? '(none)'} ${share(e.topShare)} vs ${j.runner_up?.display ?? '(none)'} ${share(e.runnerUpShare)}`;
}

export function logRecordToJson(r: LogRecordView): Record<string, unknown> {
  return { offset: r.offset, next_offset: r.nextOffset, appended_at_ms: r.appendedAtMs, payload_hash: hex(r.payloadHash), record: recordToJson(r.record) };
}

export function renderLogRecord(r: LogRecordView): string {
  const rec = r.record;
  const what =
    rec.kind === 'assertion'
      ? `${rec.subject} ${rec.predicate} = ${formatObject(rec.object)}`
      : rec.kind === 'vote'
        ? `vote ${rec.value} on ${short(hex(rec.assertionId))}`
        : rec.kind === 'gold_standard'
          ? `gold ${rec.subject} ${rec.predicate} = ${formatObject(rec.object)}`
          : rec.kind === 'agent_grant' || rec.kind === 'agent_revoke'
            ? `${rec.kind.replace('_', ' ')} ${short(hex(rec.agent))}`
            : `${rec.kind.replace('_', ' ')} ${rec.name}`;
  return `${String(r.offset).padStart(8)}  ${rec.kind.padEnd(13)}  ${what}  (${rec.signatures.length} sig)`;
}

export function headToJson(h: Head): Record<string, unknown> {
  return {
    head_offset: h.headOffset,
    first_offset: h.firstOffset,
    segments: h.segments.map((s) => ({ file_name: s.fileName, base_offset: s.baseOffset, end_offset: s.endOffset })),
    log_id: h.logId,
    retention_floor: h.retentionFloor,
    retention: h.retention === undefined ? null : { enabled: h.retention.enabled, keep_bytes: h.retention.keepBytes, lag_bytes_max: h.retention.lagBytesMax, segment_bytes: h.retention.segmentBytes },
    consumers: h.consumers.map((c) => ({
      consumer_id: c.consumerId,
      applied_offset: c.appliedOffset,
      lag_bytes: c.lagBytes,
      expired: c.expired,
      reported_at: isoTime(c.reportedAtMs),
      registered_at: isoTime(c.registeredAtMs),
    })),
  };
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** The retention and consumer lines of `stemedb head` and `stemedb status --writer`. */
export function renderRetention(h: Head, indent = ''): string[] {
  const r = h.retention;
  const setting = r === undefined ? 'unknown' : r.enabled ? `on: keep ${r.keepBytes} bytes, consumers expire past ${r.lagBytesMax} bytes of lag` : 'off (the log is never trimmed)';
  const lines = [`${indent}log id:       ${h.logId === '' ? '-' : h.logId}`, `${indent}retention:    ${setting}; floor ${h.retentionFloor}`, `${indent}consumers:    ${h.consumers.length}`];
  for (const c of h.consumers) {
    lines.push(`${indent}  ${c.consumerId}  applied ${c.appliedOffset}  lag ${c.lagBytes} bytes  reported ${isoTime(c.reportedAtMs)}${c.expired ? '  EXPIRED (must bootstrap)' : ''}`);
  }
  return lines;
}

export function renderHead(h: Head): string {
  return [`head offset:  ${h.headOffset}`, `first offset: ${h.firstOffset}`, `segments:     ${h.segments.length}`, ...h.segments.map((s) => `  ${s.fileName}  ${s.baseOffset}..${s.endOffset}`), ...renderRetention(h)].join('\n');
}
