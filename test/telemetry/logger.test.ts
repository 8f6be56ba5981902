import { trace, context, ROOT_CONTEXT } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { createLogger, setLogSink, setLogLevel, parseLevel } from '../../shared/telemetry/logger';

describe('structured logger', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(() => {
    context.disable();
  });

  let lines: string[];
  beforeEach(() => {
    lines = [];
    setLogSink({ write: (l) => lines.push(l) });
    setLogLevel('info');
  });

  it('writes one JSON object per line with level, message and fields', () => {
    createLogger({ component: 'wal' }).info('opened', { offset: 42n, hash: Buffer.from([0xab, 0xcd]) });
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', msg: 'opened', component: 'wal', offset: '42', hash: 'abcd' });
    expect(typeof line.time).toBe('string');
  });

  it('drops lines below the configured level', () => {
    const log = createLogger();
    log.debug('hidden');
    setLogLevel('debug');
    log.debug('shown');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['shown']);
  });

  it('carries the trace and span id of the active span', () => {
    const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
    const ctx = trace.setSpanContext(ROOT_CONTEXT, spanContext);
    context.with(ctx, () => createLogger().warn('inside'));
    expect(JSON.parse(lines[0]!)).toMatchObject({ trace_id: spanContext.traceId, span_id: spanContext.spanId });
  });

  it('rejects an unknown level name', () => {
    expect(parseLevel('WARN')).toBe('warn');
    expect(() => parseLevel('loud')).toThrow(/unknown log level/);
  });
});
