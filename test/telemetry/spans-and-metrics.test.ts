/**
 * The spans and metrics an operator relies on, for one append and one query,
 * captured in memory from a writer and a reader running in this process (the
 * gRPC auto-instrumentation cannot patch inside jest; trace-e2e.test.ts covers
 * RPC spans with real processes).
 */
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { join } from 'node:path';
import { makeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

class ManualReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const spans = new InMemorySpanExporter();
const reader = new ManualReader();
// Registered before any StemeDB module loads: instruments are created on first use.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

/* eslint-disable @typescript-eslint/no-require-imports */
const { startWriter } = require('../../services/writer/start-writer') as typeof import('../../services/writer/start-writer');
const { startReader } = require('../../services/reader/start-reader') as typeof import('../../services/reader/start-reader');
const { claimBy, codeOf, readerClient, resolve, write } = require('../reader/reader-fixtures') as typeof import('../reader/reader-fixtures');
const { createLogger, setLogSink } = require('../../shared/telemetry/logger') as typeof import('../../shared/telemetry/logger');
/* eslint-enable @typescript-eslint/no-require-imports */

function span(name: string, pred: (s: ReadableSpan) => boolean = () => true): ReadableSpan {
  const found = spans.getFinishedSpans().find((s) => s.name === name && pred(s));
  if (found === undefined) throw new Error(`no ${name} span; have ${[...new Set(spans.getFinishedSpans().map((s) => s.name))].join(', ')}`);
  return found;
}

async function metricPoints(name: string): Promise<{ attributes: Record<string, unknown>; value: unknown }[]> {
  const { resourceMetrics } = (await reader.collect()) as { resourceMetrics: ResourceMetrics };
  return resourceMetrics.scopeMetrics.flatMap((sm) => sm.metrics.filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value }))));
}

describe('spans and metrics for an append and a query', () => {
  const dir = makeTempDir();
  const logger = createLogger({ test: 'telemetry' });
  let writer: Awaited<ReturnType<typeof startWriter>>;
  let readerService: Awaited<ReturnType<typeof startReader>>;

  beforeAll(async () => {
    setLogSink({ write: () => undefined });
    writer = await startWriter({ walDir: join(dir.path, 'wal'), listen: '127.0.0.1:0', adminKeys: [], durability: 'fsync', maxConnectionAgeMs: null, quota: { recordsPerSec: 0, burstRecords: 0 } }, logger);
    readerService = await startReader({ dataDir: join(dir.path, 'reader'), source: { kind: 'writer', address: writer.address }, listen: '127.0.0.1:0', maxConnectionAgeMs: null }, logger);
  });

  afterAll(async () => {
    await readerService?.shutdown(1000);
    await writer?.shutdown(1000);
    dir.cleanup();
  });

  it('an append leaves wal.append and wal.group_commit spans and fsync, batch and latency metrics', async () => {
    const receipt = await write(writer.address, claimBy(1, 'water', 'boils_at', '100 C'));
    const offset = Number(receipt.offset);
    const append = span('wal.append', (s) => s.attributes.offset === offset);
    expect(append.attributes).toMatchObject({ records: 1, offset, bytes: Number(receipt.nextOffset) - offset });
    const commit = span('wal.group_commit', (s) => s.attributes.offset === offset);
    expect(commit.attributes).toMatchObject({ records: 1, offset, bytes: Number(receipt.nextOffset) - offset });
    expect(commit.attributes.fsync_us).toEqual(expect.any(Number));
    // The group commit runs in the append's context: one trace.
    expect(commit.spanContext().traceId).toBe(append.spanContext().traceId);

    expect((await metricPoints('stemedb.wal.fsync.latency')).length).toBeGreaterThan(0);
    expect((await metricPoints('stemedb.wal.group_commit.records')).length).toBeGreaterThan(0);
    expect((await metricPoints('stemedb.append.latency')).length).toBeGreaterThan(0);
  });

  it('a query leaves ingest.apply, store.* and lens.resolve spans and ingest and resolve metrics', async () => {
    const receipt = await write(writer.address, claimBy(2, 'water', 'boils_at', '99 C'));
    const c = readerClient(readerService.address);
    try {
      const res = await resolve(c, 'water', 'boils_at', { minOffset: receipt.offset, lens: 2 /* recency: a full resolution */ });
      expect(res.resolution!.alternatives.length).toBe(2);
      const lens = span('lens.resolve', (s) => s.attributes.lens === 'recency');
      expect(lens.attributes).toMatchObject({ lens: 'recency', candidates: 2, subject: 'water', predicate: 'boils_at', served_at_offset: Number(res.servedAtOffset) });

      const ingest = await waitFor(() => spans.getFinishedSpans().find((s) => s.name === 'ingest.apply' && Number(s.attributes.applied_through) >= Number(receipt.nextOffset)), 'ingest.apply span');
      expect(ingest.attributes).toMatchObject({ batch_records: expect.any(Number), rejected: 0 });
      const batch = span('store.apply_batch');
      expect(Object.keys(batch.attributes)).toEqual(expect.arrayContaining(['applied_through']));
      const get = span('store.get');
      expect(get.attributes).toMatchObject({ key_len: expect.any(Number), backend: expect.any(String) });

      expect(await metricPoints('stemedb.resolve.latency')).toEqual(expect.arrayContaining([expect.objectContaining({ attributes: expect.objectContaining({ lens: 'recency' }) })]));
      const applied = await metricPoints('stemedb.ingest.applied');
      expect(applied.reduce((n, p) => n + Number(p.value), 0)).toBeGreaterThanOrEqual(2);
      expect((await metricPoints('stemedb.ingest.lag')).length).toBeGreaterThan(0);

      // A rejected call is counted by status code.
      expect(await codeOf(resolve(c, '', 'boils_at'))).toBe(3);
      expect(await metricPoints('stemedb.rpc.errors')).toEqual(expect.arrayContaining([expect.objectContaining({ attributes: expect.objectContaining({ code: 'INVALID_ARGUMENT' }) })]));
    } finally {
      c.close();
    }
  });
});
