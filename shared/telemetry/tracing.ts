/**
 * Span helpers over `@opentelemetry/api`. Without a registered SDK these are
 * no-ops costing a function call, so libraries use them unconditionally.
 */
import { trace, SpanStatusCode, type Attributes, type Span, type Tracer } from '@opentelemetry/api';

export const TRACER_NAME = 'stemedb';

export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** Run `fn` inside an active span; records an exception and ERROR status on throw. */
export async function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
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
