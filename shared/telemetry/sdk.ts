/**
 * OpenTelemetry set-up for a service process.
 *
 * Call `startTelemetry()` first thing in a service's entry point, before anything
 * loads `@grpc/grpc-js`: the gRPC instrumentation patches the module on load and
 * cannot patch one that is already loaded. The OTLP/HTTP exporters are used
 * because the OTLP/gRPC exporter would itself load grpc-js too early.
 *
 * Nothing starts unless the standard variables ask for it, so an unconfigured
 * process pays only the no-op API's cost:
 *   OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT  traces (OTLP/HTTP)
 *   OTEL_TRACES_EXPORTER=otlp|console|none                           explicit choice
 *   OTEL_EXPORTER_OTLP_METRICS_ENDPOINT or the common endpoint       metrics (OTLP/HTTP)
 *   STEMEDB_PROMETHEUS_PORT                                          Prometheus scrape endpoint
 *   OTEL_SDK_DISABLED=true                                           off, whatever else is set
 *   OTEL_SERVICE_NAME                                                overrides the service name
 */
import { createLogger } from './logger';

export interface TelemetryHandle {
  /** True when a tracer provider was registered. */
  readonly tracing: boolean;
  /** True when a meter provider was registered. */
  readonly metrics: boolean;
  /** Flush and stop exporters (bounded by the SDK's own timeouts). */
  shutdown(): Promise<void>;
}

const NOOP: TelemetryHandle = { tracing: false, metrics: false, shutdown: async () => undefined };

function isSet(v: string | undefined): v is string {
  return v !== undefined && v.trim() !== '';
}

/** What the environment asks for; pure, so it is unit-testable. */
export function telemetryPlan(env: NodeJS.ProcessEnv): { traces: 'otlp' | 'console' | 'none'; otlpMetrics: boolean; prometheusPort: number | null } {
  if ((env.OTEL_SDK_DISABLED ?? '').toLowerCase() === 'true') return { traces: 'none', otlpMetrics: false, prometheusPort: null };
  const endpoint = isSet(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const explicit = (env.OTEL_TRACES_EXPORTER ?? '').trim().toLowerCase();
  let traces: 'otlp' | 'console' | 'none' = 'none';
  if (explicit === 'otlp' || explicit === 'console') traces = explicit;
  else if (explicit === '' && (endpoint || isSet(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT))) traces = 'otlp';
  const metricsExplicit = (env.OTEL_METRICS_EXPORTER ?? '').trim().toLowerCase();
  const otlpMetrics = metricsExplicit === 'otlp' || (metricsExplicit === '' && (endpoint || isSet(env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT)));
  let prometheusPort: number | null = null;
  if (isSet(env.STEMEDB_PROMETHEUS_PORT)) {
    const port = Number(env.STEMEDB_PROMETHEUS_PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`STEMEDB_PROMETHEUS_PORT: not a port: '${env.STEMEDB_PROMETHEUS_PORT}'`);
    prometheusPort = port;
  }
  return { traces, otlpMetrics, prometheusPort };
}

let started: TelemetryHandle | undefined;

/**
 * Start the SDK for `serviceName` (e.g. 'stemedb-writer') when the environment
 * asks for it; otherwise a no-op handle. Idempotent within a process.
 * `quiet` logs the start at debug level (command-line clients: their stderr is
 * for the user).
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env, options: { readonly quiet?: boolean } = {}): TelemetryHandle {
  if (started !== undefined) return started;
  const plan = telemetryPlan(env);
  if (plan.traces === 'none' && !plan.otlpMetrics && plan.prometheusPort === null) {
    started = NOOP;
    return started;
  }
  const log = createLogger({ component: 'telemetry' });
  if (require.cache[require.resolve('@grpc/grpc-js')] !== undefined) {
    log.warn('@grpc/grpc-js was loaded before telemetry started: RPC spans will be missing');
  }
  // Required lazily: an unconfigured process never loads the SDK.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { GrpcInstrumentation } = require('@opentelemetry/instrumentation-grpc') as typeof import('@opentelemetry/instrumentation-grpc');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { BatchSpanProcessor, ConsoleSpanExporter } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics') as typeof import('@opentelemetry/sdk-metrics');
  /* eslint-enable @typescript-eslint/no-require-imports */

  const spanProcessors =
    plan.traces === 'otlp' ? [new BatchSpanProcessor(new OTLPTraceExporter())] : plan.traces === 'console' ? [new BatchSpanProcessor(new ConsoleSpanExporter())] : [];
  const metricReaders = [];
  if (plan.otlpMetrics) {
    const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-http') as typeof import('@opentelemetry/exporter-metrics-otlp-http');
    metricReaders.push(new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter() }));
  }
  if (plan.prometheusPort !== null) {
    const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus') as typeof import('@opentelemetry/exporter-prometheus');
    metricReaders.push(new PrometheusExporter({ port: plan.prometheusPort }));
  }
  const sdk = new NodeSDK({
    serviceName: isSet(env.OTEL_SERVICE_NAME) ? env.OTEL_SERVICE_NAME : serviceName,
    spanProcessors,
    metricReaders,
    // Logs are JSON lines on stderr carrying trace ids; the SDK must not add an
    // OTLP log exporter of its own (its default when OTEL_LOGS_EXPORTER is unset).
    logRecordProcessors: [],
    instrumentations: [new GrpcInstrumentation()],
  });
  sdk.start();
  (options.quiet === true ? log.debug : log.info)('telemetry started', { service: serviceName, traces: plan.traces, otlp_metrics: plan.otlpMetrics, prometheus_port: plan.prometheusPort });
  started = {
    tracing: plan.traces !== 'none',
    metrics: metricReaders.length > 0,
    shutdown: () => sdk.shutdown(),
  };
  return started;
}
