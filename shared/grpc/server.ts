/**
 * Starting and stopping a gRPC server the same way in every service: explicit
 * message limits and keepalive, a maximum connection age (Kubernetes
 * rebalancing), safe request decoding, grpc.health.v1, server reflection, and
 * a graceful shutdown bounded in time.
 *
 * TLS (`tls`): credentials that follow their files (`tls.ts`), mutual TLS with
 * a client CA, and with a role map each RPC's role checked (`access.ts`).
 * Health and reflection are served on the same (TLS) port; `healthListen`
 * adds a plaintext port serving only grpc.health.v1, for Kubernetes' gRPC
 * probes, which cannot speak TLS (docs/SECURITY.md).
 *
 * Shutdown order: health NOT_SERVING for every name → streams told to drain
 * (our handlers) or ended with UNAVAILABLE (anything else, e.g. health Watch) →
 * `tryShutdown` (no new calls; in-flight calls finish; a session that begins
 * after this is closed at once, late-sessions.ts) → `forceShutdown` if that
 * takes longer than the grace period.
 */
import { format } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import { createLogger, type Logger } from '../telemetry/logger';
import { CallTracker } from './call-tracker';
import { closeLateSessions } from './late-sessions';
import { decodeGuardInterceptor, decodeGuardedPaths, safeServiceDefinition } from './codec';
import { KEEPALIVE_TIMEOUT_MS, MAX_CONNECTION_AGE_GRACE_MS, MAX_CONNECTION_AGE_MS, MESSAGE_BYTES_MAX, SEND_MESSAGE_BYTES_MAX, SERVER_KEEPALIVE_TIME_MS, SHUTDOWN_GRACE_MS } from './limits';
import { roleInterceptor, type MethodRoles } from './access';
import { loadRoleMap } from './roles';
import { ReloadingServerCredentials } from './tls';
import type { ServerTlsFiles } from './tls-options';
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
  /** Explicit credentials (wins over `tls`). @default plaintext, or `tls` when given */
  readonly credentials?: grpc.ServerCredentials;
  /** Serve TLS from these files, reloaded when they change. @default plaintext */
  readonly tls?: ServerTlsFiles;
  /** The role each RPC needs when `tls.rolesFile` is set (methods not listed need none). */
  readonly methodRoles?: MethodRoles;
  /** `host:port` of an extra plaintext listener serving only grpc.health.v1. @default none */
  readonly healthListen?: string;
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
  /** The bound address of the plaintext health-only listener, when `healthListen` was given. */
  readonly healthAddress?: string;
  /** Whether the main port speaks TLS. */
  readonly tls: boolean;
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

/** Credentials and interceptors for the main port; TLS files are read (and checked) here. */
function security(options: StartServerOptions, logger: Logger, guardedPaths: ReadonlySet<string>): { credentials: grpc.ServerCredentials; interceptors: grpc.ServerInterceptor[] } {
  const interceptors = [decodeGuardInterceptor(guardedPaths)];
  if (options.credentials !== undefined) return { credentials: options.credentials, interceptors };
  if (options.tls === undefined) return { credentials: grpc.ServerCredentials.createInsecure(), interceptors };
  const credentials = ReloadingServerCredentials.load(options.tls, { logger: logger.child({ component: 'tls' }) });
  if (options.tls.rolesFile !== undefined) {
    const map = loadRoleMap(options.tls.rolesFile);
    logger.info('tls roles loaded', { roles_file: options.tls.rolesFile, identities: map.identities.size, default_roles: [...map.defaults] });
    interceptors.unshift(roleInterceptor(map, options.methodRoles ?? new Map()));
  }
  return { credentials, interceptors };
}

/** The plaintext health-only listener; resolves with it and its bound address. */
async function startHealthListener(address: string, health: HealthImplementation): Promise<{ server: grpc.Server; address: string }> {
  const { host } = splitHostPort(address);
  const server = new grpc.Server(serverOptions({ maxConnectionAgeMs: null }));
  health.addToServer(server);
  const port = await bind(server, address, grpc.ServerCredentials.createInsecure());
  return { server, address: `${host}:${port}` };
}

/** Start serving; resolves once bound, with health SERVING. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const logger = options.logger ?? createLogger({ component: 'grpc' });
  routeGrpcLogs(logger);
  const { host } = splitHostPort(options.address);
  if (options.healthListen !== undefined) splitHostPort(options.healthListen);
  // Methods whose handlers answer undecodable requests themselves (handlers.ts): the interceptor lets them pass.
  const guardedPaths = new Set<string>();
  const { credentials, interceptors } = security(options, logger, guardedPaths);
  const server = new grpc.Server({ ...serverOptions(options), interceptors });
  const tracker = new CallTracker();
  // Every service, ours or a library's, gets total decoding and call tracking.
  const registrar = {
    addService: (definition: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation): void => {
      for (const path of decodeGuardedPaths(definition, implementation)) guardedPaths.add(path);
      server.addService(safeServiceDefinition(definition), tracker.wrap(definition, implementation));
    },
  };

  const names = ['', ...options.services.map((s) => serviceNameOf(s.definition))];
  const health = new HealthImplementation(Object.fromEntries(names.map((n) => [n, 'NOT_SERVING' as ServingStatus])));
  const setAll = (status: ServingStatus): void => names.forEach((n) => health.setStatus(n, status));
  for (const s of options.services) registrar.addService(s.definition, s.implementation);
  health.addToServer(registrar);
  makeReflectionService(options.descriptorSetPath ?? DESCRIPTOR_SET_PATH, options.reflectedServices).addToServer(registrar);

  const port = await bind(server, options.address, credentials);
  const address = `${host}:${port}`;
  let healthOnly: { server: grpc.Server; address: string } | undefined;
  try {
    if (options.healthListen !== undefined) healthOnly = await startHealthListener(options.healthListen, health);
  } catch (err) {
    server.forceShutdown();
    throw err;
  }
  setAll('SERVING');
  logger.info('grpc server listening', { address, services: names.slice(1), tls: credentials._isSecure(), mutual_tls: options.tls?.clientCaFile !== undefined, health_address: healthOnly?.address });

  const draining = new AbortController();
  let shutdownPromise: Promise<ShutdownReport> | undefined;
  const shutdown = (graceMs: number): Promise<ShutdownReport> => {
    const startedMs = Date.now();
    logger.info('grpc server shutting down', { address, in_flight: tracker.inFlight, grace_ms: graceMs });
    setAll('NOT_SERVING');
    draining.abort();
    tracker.drainStreams();
    healthOnly?.server.forceShutdown();
    if (credentials instanceof ReloadingServerCredentials) credentials.stop();
    return new Promise<ShutdownReport>((resolve) => {
      const timer = setTimeout(() => {
        const callsCancelled = tracker.inFlight;
        server.forceShutdown();
        resolve({ forced: true, durationMs: Date.now() - startedMs, callsCancelled });
      }, graceMs);
      closeLateSessions(server, logger);
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
    ...(healthOnly === undefined ? {} : { healthAddress: healthOnly.address }),
    tls: credentials._isSecure(),
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
