/**
 * Span links from an ingest batch to the requests that wrote its records: each
 * log entry carries the W3C traceparent of its Append call, so a trace
 * continues from the agent into ingest on every reader.
 */
import { ROOT_CONTEXT, TraceFlags, trace, type Attributes, type Link, type Span, type SpanContext } from '@opentelemetry/api';
import { tracer } from '../../shared/telemetry/tracing';
import type { CheckedRecord } from './check-record';
import { INGEST_RECORD_SPANS_MAX, INGEST_SPAN_LINKS_MAX } from './limits';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const INVALID_TRACE_ID = '0'.repeat(32);
const INVALID_SPAN_ID = '0'.repeat(16);

/** The link of a traceparent, or undefined when it is empty or malformed. */
export function linkOf(traceparent: string): Link | undefined {
  const m = TRACEPARENT.exec(traceparent);
  if (m === null || m[1] === INVALID_TRACE_ID || m[2] === INVALID_SPAN_ID) return undefined;
  return { context: { traceId: m[1]!, spanId: m[2]!, traceFlags: Number.parseInt(m[3]!, 16) & TraceFlags.SAMPLED, isRemote: true } };
}

/** A record whose traceparent continues a sampled trace into this reader. */
export interface TracedRecord {
  readonly traceparent: string;
  readonly attributes: Attributes;
}

/**
 * Starts one `ingest.record` span per record that carries a sampled traceparent,
 * as a child of the writer-side span that appended it, so the agent's call, the
 * writer's append and fsync, and this reader's ingest share one trace id. The
 * caller ends them once the batch is committed (the record is then visible
 * here). Unsampled or untraced records start nothing.
 */
export function startRecordSpans(records: readonly TracedRecord[], batch: SpanContext): Span[] {
  const spans: Span[] = [];
  for (const r of records) {
    if (spans.length >= INGEST_RECORD_SPANS_MAX) break;
    const link = linkOf(r.traceparent);
    if (link === undefined || (link.context.traceFlags & TraceFlags.SAMPLED) === 0) continue;
    const parent = trace.setSpanContext(ROOT_CONTEXT, link.context);
    spans.push(tracer().startSpan('ingest.record', { attributes: r.attributes, links: [{ context: batch }] }, parent));
  }
  return spans;
}

/** The traced records of a batch (those with a traceparent). */
export function tracedRecords(checked: readonly CheckedRecord[]): TracedRecord[] {
  const out: TracedRecord[] = [];
  for (const c of checked) {
    if (c.ok && c.entry.traceparent !== '') out.push({ traceparent: c.entry.traceparent, attributes: { offset: c.offset, record_kind: c.entry.record.kind, id: c.id.toString('hex') } });
  }
  return out;
}

/** Span links to the batch's writers, at most INGEST_SPAN_LINKS_MAX. */
export function collectLinks(checked: readonly CheckedRecord[]): Link[] {
  const links: Link[] = [];
  for (const c of checked) {
    if (links.length >= INGEST_SPAN_LINKS_MAX) break;
    const link = c.ok ? linkOf(c.entry.traceparent) : undefined;
    if (link !== undefined) links.push(link);
  }
  return links;
}
