import { telemetryPlan } from '../../shared/telemetry/sdk';

describe('telemetry plan from OTEL_* variables', () => {
  it('starts nothing when no variable is set', () => {
    expect(telemetryPlan({})).toEqual({ traces: 'none', otlpMetrics: false, prometheusPort: null });
  });

  it('exports traces and metrics over OTLP when the common endpoint is set', () => {
    expect(telemetryPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' })).toEqual({ traces: 'otlp', otlpMetrics: true, prometheusPort: null });
  });

  it('honours an explicit exporter choice and OTEL_SDK_DISABLED', () => {
    expect(telemetryPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318', OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none' }).traces).toBe('none');
    expect(telemetryPlan({ OTEL_TRACES_EXPORTER: 'console' }).traces).toBe('console');
    expect(telemetryPlan({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318', STEMEDB_PROMETHEUS_PORT: '9464' })).toEqual({ traces: 'none', otlpMetrics: false, prometheusPort: null });
  });

  it('takes a Prometheus port and rejects one that is not a port', () => {
    expect(telemetryPlan({ STEMEDB_PROMETHEUS_PORT: '9464' }).prometheusPort).toBe(9464);
    expect(() => telemetryPlan({ STEMEDB_PROMETHEUS_PORT: '70000' })).toThrow(/not a port/);
    expect(() => telemetryPlan({ STEMEDB_PROMETHEUS_PORT: 'abc' })).toThrow(/not a port/);
  });
});
