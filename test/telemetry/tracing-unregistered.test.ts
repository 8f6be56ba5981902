import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { tracingActive, withSpan, withSpanSync } from '../../shared/telemetry/tracing';

describe('span helpers without a registered tracer provider', () => {
  afterEach(() => trace.disable());

  it('call fn directly with a non-recording span', async () => {
    expect(tracingActive()).toBe(false);
    expect(await withSpan('wal.append', { bytes: 1 }, async (span) => span.isRecording())).toBe(false);
    expect(withSpanSync('store.get', {}, (span) => span.isRecording())).toBe(false);
    await expect(withSpan('wal.append', {}, async () => Promise.reject(new Error('still thrown')))).rejects.toThrow('still thrown');
  });

  it('start recording as soon as a provider registers, with no reload', async () => {
    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    expect(tracingActive()).toBe(true);
    expect(await withSpan('wal.append', {}, async (span) => span.isRecording())).toBe(true);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['wal.append']);
  });
});
