/**
 * The metrics StemeDB records, through the OpenTelemetry metrics API. Without a
 * registered meter provider (see sdk.ts) every instrument is a no-op.
 * Instruments are created on first use so the provider can be registered first.
 */
import { metrics, type Counter, type Histogram, type Meter, type ObservableGauge } from '@opentelemetry/api';

export const METER_NAME = 'stemedb';

interface Instruments {
  readonly appendLatencyMs: Histogram;
  readonly fsyncLatencyUs: Histogram;
  readonly groupCommitRecords: Histogram;
  readonly ingestAppliedRecords: Counter;
  readonly ingestRejectedRecords: Counter;
  readonly resolveLatencyMs: Histogram;
  readonly rpcErrors: Counter;
}

let instruments: Instruments | undefined;

function meter(): Meter {
  return metrics.getMeter(METER_NAME);
}

/** The shared instruments (created lazily, once). */
export function stemeMetrics(): Instruments {
  if (instruments === undefined) {
    const m = meter();
    instruments = {
      appendLatencyMs: m.createHistogram('stemedb.append.latency', { unit: 'ms', description: 'Time from an append request to its durable acknowledgement' }),
      fsyncLatencyUs: m.createHistogram('stemedb.wal.fsync.latency', { unit: 'us', description: 'fdatasync time per group commit' }),
      groupCommitRecords: m.createHistogram('stemedb.wal.group_commit.records', { unit: '{record}', description: 'Records per group commit' }),
      ingestAppliedRecords: m.createCounter('stemedb.ingest.applied', { unit: '{record}', description: 'Log records applied to the store' }),
      ingestRejectedRecords: m.createCounter('stemedb.ingest.rejected', { unit: '{record}', description: 'Log records skipped because they failed verification' }),
      resolveLatencyMs: m.createHistogram('stemedb.resolve.latency', { unit: 'ms', description: 'Lens query latency' }),
      rpcErrors: m.createCounter('stemedb.rpc.errors', { unit: '{call}', description: 'RPCs answered with a non-OK status, by code' }),
    };
  }
  return instruments;
}

/** Register the ingest-lag gauge; `read` returns the lag in bytes (or undefined when unknown). */
export function observeIngestLag(read: () => number | undefined): ObservableGauge {
  const gauge = meter().createObservableGauge('stemedb.ingest.lag', { unit: 'By', description: "Bytes between the writer's head and the reader's applied offset" });
  gauge.addCallback((result) => {
    const lag = read();
    if (lag !== undefined) result.observe(lag);
  });
  return gauge;
}
