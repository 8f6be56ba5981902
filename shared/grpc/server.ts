/**
 * Starting and stopping a gRPC server the same way in every service: explicit
 * message limits and keepalive, a maximum connection age (Kubernetes
 * rebalancing), safe request decoding, grpc.health.v1, server reflection, and
 * a graceful shutdown bounded in time.
 *
 * Shutdown order: health NOT_SERVING for every name → streams told to drain
 * (our handlers) or ended with UNAVAILABLE (anything else, e.g. health Watch) →
 * `tryShutdown` (no new calls; in-flight calls finish) → `forceShutdown` if
 * that takes longer than the grace period.
 */
import { format } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import { createLogger, type Logger } from '../telemetry/logger';
import { CallTracker } from './call-tracker';
import { decodeGuardInterceptor, safeServiceDefinition } from './codec';
import { KEEPALIVE_TIMEOUT_MS, MAX_CONNECTION_AGE_GRACE_MS, MAX_CONNECTION_AGE_MS, MESSAGE_BYTES_MAX, SEND_MESSAGE_BYTES_MAX, SERVER_KEEPALIVE_TIME_MS, SHUTDOWN_GRACE_MS } from './limits';
import { makeReflectionService, type ReflectedServices, DESCRIPTOR_SET_PATH } from './reflection';

/** One service to serve: a grpc-js definition (e.g. ts-proto's `WriterServiceService`) and its handlers. */
export interface ServiceRegistration {
  readonly definition: grpc.ServiceDefinition;
  readonly implementation: grpc.UntypedServiceImplementation;
}

export interface StartServerOptions {
  /** `host:port` to listen on; port 0 picks a free port (read it from `address`). */
  readonly address: string;
  readonly services: readonly ServiceRegistration[];
  /** @default a logger with `component: 'grpc'` */
  readonly logger?: Logger;
  /** Close connections after this age so clients rebalance; `null` never does. @default MAX_CONNECTION_AGE_MS */
  readonly maxConnectionAgeMs?: number | null;
  /** Time calls get to finish once their connection is too old. @default MAX_CONNECTION_AGE_GRACE_MS */
  readonly maxConnectionAgeGraceMs?: number;
  /** Largest request accepted. @default MESSAGE_BYTES_MAX */
  readonly messageBytesMax?: number;
  /** Largest response sent. @default SEND_MESSAGE_BYTES_MAX */
  readonly sendMessageBytesMax?: number;
  /** @default grpc.ServerCredentials.createInsecure() */
  readonly credentials?: grpc.ServerCredentials;
  /** Descriptor set for reflection. @default DESCRIPTOR_SET_PATH */
  readonly descriptorSetPath?: string;
  /** Services reflection lists (health is always included with 'all'). @default 'all' */
  readonly reflectedServices?: ReflectedServices;
}

export interface ShutdownReport {
  /** True when the grace period ran out and remaining calls were cancelled. */
  readonly forced: boolean;
  readonly durationMs: number;
  /** Calls still open when the shutdown was forced (0 when it was not). */
  readonly callsCancelled: number;
}

export interface RunningServer {
  readonly server: grpc.Server;
  /** The bound `host:port`, with the real port when 0 was asked for. */
  readonly address: string;
  readonly port: number;
  readonly health: HealthImplementation;
  /** Health names this server reports: '' (the whole server) and each service's full name. */
  readonly healthNames: readonly string[];
  /** Aborted when shutdown begins: long-running work outside handlers can stop on it. */
  readonly draining: AbortSignal;
  /** Calls accepted and not yet answered. */
  inFlight(): number;
  /** Report SERVING or NOT_SERVING under every health name (e.g. while the log is unwritable). */
  setServing(serving: boolean): void;
  /** Graceful stop, forced after `graceMs`; idempotent (later calls get the first one's report). */
  shutdown(graceMs?: number): Promise<ShutdownReport>;
}

/** Full service name from a method path: `/stemedb.v1.WriterService/Append` → `stemedb.v1.WriterService`. */
export function serviceNameOf(definition: grpc.ServiceDefinition): string {
  const first = Object.values(definition)[0];
  if (first === undefined) throw new Error('service definition has no methods');
  return first.path.split('/')[1]!;
}

/** grpc-js server options from the limits (exported for the bench's bare echo server). */
export function serverOptions(options: Omit<StartServerOptions, 'address' | 'services'> = {}): grpc.ServerOptions {
  const ageMs = options.maxConnectionAgeMs === undefined ? MAX_CONNECTION_AGE_MS : options.maxConnectionAgeMs;
  return {
    'grpc.max_receive_message_length': options.messageBytesMax ?? MESSAGE_BYTES_MAX,
    'grpc.max_send_message_length': options.sendMessageBytesMax ?? SEND_MESSAGE_BYTES_MAX,
    'grpc.keepalive_time_ms': SERVER_KEEPALIVE_TIME_MS,
    'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
    ...(ageMs === null ? {} : { 'grpc.max_connection_age_ms': ageMs, 'grpc.max_connection_age_grace_ms': options.maxConnectionAgeGraceMs ?? MAX_CONNECTION_AGE_GRACE_MS }),
  };
}

function splitHostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  const port = Number(address.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`listen address '${address}' is not HOST:PORT`);
  return { host: address.slice(0, i), port };
}

function bind(server: grpc.Server, address: string, credentials: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (err, port) => (err === null ? resolve(port) : reject(new Error(`cannot listen on ${address}: ${err.message}`))));
  });
}

/**
 * Send grpc-js's own diagnostics (it writes to console.error by default) through
 * our structured logger. Process-wide: the last server started sets it.
 */
export function routeGrpcLogs(logger: Logger): void {
  const log = logger.child({ component: 'grpc-js' });
  grpc.setLogger({ error: (...args: unknown[]) => log.warn(format(...args)) });
}

/** Start serving; resolves once bound, with health SERVING. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const logger = options.logger ?? createLogger({ component: 'grpc' });
  routeGrpcLogs(logger);
  const { host } = splitHostPort(options.address);
  const server = new grpc.Server({ ...serverOptions(options), interceptors: [decodeGuardInterceptor()] });
  const tracker = new CallTracker();
  // Every service, ours or a library's, gets total decoding and call tracking.
  const registrar = {
    addService: (definition: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation): void =>
      server.addService(safeServiceDefinition(definition), tracker.wrap(definition, implementation)),
  };

  const names = ['', ...options.services.map((s) => serviceNameOf(s.definition))];
  const health = new HealthImplementation(Object.fromEntries(names.map((n) => [n, 'NOT_SERVING' as ServingStatus])));
  const setAll = (status: ServingStatus): void => names.forEach((n) => health.setStatus(n, status));
  for (const s of options.services) registrar.addService(s.definition, s.implementation);
  health.addToServer(registrar);
  makeReflectionService(options.descriptorSetPath ?? DESCRIPTOR_SET_PATH, options.reflectedServices).addToServer(registrar);

  const port = await bind(server, options.address, options.credentials ?? grpc.ServerCredentials.createInsecure());
  const address = `${host}:${port}`;
  setAll('SERVING');
  logger.info('grpc server listening', { address, services: names.slice(1) });

  const draining = new AbortController();
  let shutdownPromise: Promise<ShutdownReport> | undefined;
  const shutdown = (graceMs: number): Promise<ShutdownReport> => {
    const startedMs = Date.now();
    logger.info('grpc server shutting down', { address, in_flight: tracker.inFlight, grace_ms: graceMs });
    setAll('NOT_SERVING');
    draining.abort();
    tracker.drainStreams();
    return new Promise<ShutdownReport>((resolve) => {
      const timer = setTimeout(() => {
        const callsCancelled = tracker.inFlight;
        server.forceShutdown();
        resolve({ forced: true, durationMs: Date.now() - startedMs, callsCancelled });
      }, graceMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve({ forced: false, durationMs: Date.now() - startedMs, callsCancelled: 0 });
      });
    }).then((report) => {
      logger.info('grpc server stopped', { address, forced: report.forced, duration_ms: report.durationMs, calls_cancelled: report.callsCancelled });
      return report;
    });
  };

  return {
    server,
    address,
    port,
    health,
    healthNames: names,
    draining: draining.signal,
    inFlight: () => tracker.inFlight,
    setServing: (serving) => {
      if (!draining.signal.aborted) setAll(serving ? 'SERVING' : 'NOT_SERVING');
    },
    shutdown: (graceMs = SHUTDOWN_GRACE_MS) => (shutdownPromise ??= shutdown(graceMs)),
  };
}
