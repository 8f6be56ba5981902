/**
 * Span links from an ingest batch to the requests that wrote its records: each
 * log entry carries the W3C traceparent of its Append call, so a trace
 * continues from the agent into ingest on every reader.
 */
import { TraceFlags, type Link } from '@opentelemetry/api';

/** Most links one batch span carries (a span with thousands of links helps nobody). */
export const INGEST_SPAN_LINKS_MAX = 64;

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const INVALID_TRACE_ID = '0'.repeat(32);
const INVALID_SPAN_ID = '0'.repeat(16);

/** The link of a traceparent, or undefined when it is empty or malformed. */
export function linkOf(traceparent: string): Link | undefined {
  const m = TRACEPARENT.exec(traceparent);
  if (m === null || m[1] === INVALID_TRACE_ID || m[2] === INVALID_SPAN_ID) return undefined;
  return { context: { traceId: m[1]!, spanId: m[2]!, traceFlags: Number.parseInt(m[3]!, 16) & TraceFlags.SAMPLED, isRemote: true } };
}
