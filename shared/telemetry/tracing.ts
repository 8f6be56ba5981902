/**
 * Span helpers over `@opentelemetry/api`. Without a registered SDK these are
 * no-ops costing a function call, so libraries use them unconditionally.
 *
 * `STEMEDB_TELEMETRY=off` (read once at load) bypasses the OpenTelemetry API
 * altogether: the helpers call `fn` directly with a non-recording span. It exists
 * so `make bench` can measure what the no-op API path costs against no telemetry
 * at all.
 */
import { trace, ProxyTracerProvider, SpanStatusCode, INVALID_SPAN_CONTEXT, type Attributes, type Span, type Tracer } from '@opentelemetry/api';

export const TRACER_NAME = 'stemedb';

/** True when telemetry is compiled out for this process (`STEMEDB_TELEMETRY=off`). */
export const TELEMETRY_OFF = (process.env.STEMEDB_TELEMETRY ?? '').toLowerCase() === 'off';

const NON_RECORDING: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** The API's no-op provider: what the global proxy delegates to until an SDK registers. */
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * True when spans can go anywhere: a tracer provider is registered and telemetry
 * is not switched off. Checked per call (a provider may register after this
 * module loads); two property reads. Without a provider the helpers call `fn`
 * directly: no span object, no context switch, no extra promise per call, which
 * measurably slows hot paths such as WAL appends (bench/telemetry.ts).
 */
export function tracingActive(): boolean {
  if (TELEMETRY_OFF) return false;
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_TRACER_PROVIDER;
}

export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** Run `fn` inside an active span; records an exception and ERROR status on throw. */
export async function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  if (!tracingActive()) return fn(NON_RECORDING);
  return tracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Synchronous variant of `withSpan`. */
export function withSpanSync<T>(name: string, attributes: Attributes, fn: (span: Span) => T): T {
  if (!tracingActive()) return fn(NON_RECORDING);
  return tracer().startActiveSpan(name, { attributes }, (span) => {
    try {
      return fn(span);
    } catch (err) {
      failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

export function failSpan(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : new Error(String(err)));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}
