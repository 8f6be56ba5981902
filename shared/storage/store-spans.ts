/**
 * Span helpers shared by the backends: one span per call (`store.get`,
 * `store.get_many`, `store.put`, `store.delete`, `store.batch`, `store.scan`,
 * `store.flush`), never one per key of a batch or per entry of a scan. With no
 * SDK registered they cost a function call.
 */
import type { Attributes } from '@opentelemetry/api';
import { failSpan, tracer, tracingActive } from '../telemetry/tracing';
import type { BackendName } from './errors';
import type { BatchOp, BatchOptions, ScanOptions } from './kv-store';

const NO_ATTRIBUTES: Attributes = Object.freeze({});

/**
 * Attributes of a batch: op count and total key+value bytes, and `sync: true`
 * for a synced batch. None when no span can record them (`tracingActive`):
 * counting the bytes is a pass over every op of the batch.
 */
export function batchAttributes(backend: BackendName, ops: readonly BatchOp[], options: BatchOptions = {}): Attributes {
  if (!tracingActive()) return NO_ATTRIBUTES;
  let bytes = 0;
  for (const op of ops) bytes += op.key.length + (op.type === 'put' ? op.value.length : 0);
  return options.sync === true ? { backend, ops: ops.length, bytes, sync: true } : { backend, ops: ops.length, bytes };
}

/** A span that lives as long as a scan: counts entries and ends when the scan does. */
export interface ScanSpan {
  end(entries: number, err?: unknown): void;
}

export function startScanSpan(backend: BackendName, prefix: Buffer, options: ScanOptions): ScanSpan {
  const span = tracer().startSpan('store.scan', {
    attributes: { backend, prefix_len: prefix.length, reverse: options.reverse === true, limit: options.limit ?? -1 },
  });
  return {
    end(entries, err) {
      span.setAttribute('entries', entries);
      if (err !== undefined) failSpan(span, err);
      span.end();
    },
  };
}
