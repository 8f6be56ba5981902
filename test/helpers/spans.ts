/**
 * Captures the spans a test's code records: registers an in-memory exporter as
 * the global tracer provider for the enclosing describe block, and removes it
 * afterwards. Read `exporter.getFinishedSpans()`; `reset()` between cases.
 */
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

export function useSpanCapture(): InMemorySpanExporter {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  beforeAll(() => trace.setGlobalTracerProvider(provider));
  afterAll(async () => {
    trace.disable();
    await provider.shutdown();
  });
  return exporter;
}
