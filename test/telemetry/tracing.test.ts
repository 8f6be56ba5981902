import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

type TracingModule = typeof import('../../shared/telemetry/tracing');

function loadTracing(env: string | undefined): TracingModule {
  const saved = process.env.STEMEDB_TELEMETRY;
  if (env === undefined) delete process.env.STEMEDB_TELEMETRY;
  else process.env.STEMEDB_TELEMETRY = env;
  let mod: TracingModule | undefined;
  jest.isolateModules(() => {
    mod = jest.requireActual<TracingModule>('../../shared/telemetry/tracing');
  });
  if (saved === undefined) delete process.env.STEMEDB_TELEMETRY;
  else process.env.STEMEDB_TELEMETRY = saved;
  return mod!;
}

describe('span helpers', () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => {
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  });
  afterAll(() => trace.disable());
  beforeEach(() => exporter.reset());

  it('record a span with its attributes and an error status on throw', async () => {
    const t = loadTracing(undefined);
    await t.withSpan('wal.append', { bytes: 300 }, async () => 1);
    expect(() => t.withSpanSync('store.get', { key_len: 40 }, () => {
      throw new Error('boom');
    })).toThrow('boom');
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['wal.append', 'store.get']);
    expect(spans[0]!.attributes).toEqual({ bytes: 300 });
    expect(spans[1]!.status.code).toBe(2);
    expect(spans[1]!.events.map((e) => e.name)).toContain('exception');
  });

  it('touch no tracer at all when STEMEDB_TELEMETRY=off', async () => {
    const t = loadTracing('off');
    expect(t.TELEMETRY_OFF).toBe(true);
    const recording = await t.withSpan('wal.append', {}, async (span) => span.isRecording());
    expect(recording).toBe(false);
    expect(t.withSpanSync('store.get', {}, (span) => span.isRecording())).toBe(false);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});
