/**
 * Composition of the writer process: open the WAL (lock + recovery), build the
 * admission pipeline and the WriterService, and serve it with health and
 * reflection. `shutdown` drains: health NOT_SERVING, no new calls, in-flight
 * appends and the last group commit finish, the log closes; calls still open
 * after SHUTDOWN_GRACE_MS are cancelled.
 */
import { join } from 'node:path';
import { SHUTDOWN_GRACE_MS } from '../../shared/grpc/limits';
import { methodRolesOf } from '../../shared/grpc/access';
import { startServer, type RunningServer } from '../../shared/grpc/server';
import { WriterServiceService } from '../../shared/gen/stemedb/v1/writer';
import { createLogger, setLogLevel, type Logger } from '../../shared/telemetry/logger';
import { Wal } from '../../shared/wal';
import { Admission } from './admission';
import { AgentRegistry, observingLog } from './agent-registry';
import type { WriterConfig } from './config';
import { AppendLoad } from './append-load';
import type { WriterDeps } from './deps';
import { PeerKeyLimit } from './peer-limit';
import { AgentQuota } from './quota';
import { SignatureVerifier, defaultVerifyWorkers } from '../../shared/verify/signature-verifier';
import { IdIndex } from './id-index';
import { ID_INDEX_DIR_NAME } from './limits';
import { ReplayGuard } from './replay-guard';
import { TailBudget } from './tail-budget';
import { WRITER_SERVICE_NAME, writerService } from './service';
import { ConsumerRegistry } from './consumer-registry';
import { Retention } from './retention';
import { RETENTION_LAG_BYTES_MAX_DEFAULT } from './limits';

const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';

/** Under a role map: appends need 'agent', the log's consumers (Tail, Head, ReportProgress) 'reader'. */
export const WRITER_METHOD_ROLES = methodRolesOf(WriterServiceService, 'agent', { tail: 'reader', head: 'reader', reportProgress: 'reader' });

export interface WriterShutdownReport {
  /** True when the grace period ran out and open calls were cancelled. */
  readonly forced: boolean;
  readonly durationMs: number;
}

export interface RunningWriter {
  /** The bound `host:port` (the real port when 0 was asked for). */
  readonly address: string;
  readonly server: RunningServer;
  readonly wal: Wal;
  /** Graceful stop; idempotent. */
  shutdown(graceMs?: number): Promise<WriterShutdownReport>;
}

/** The consumer registry of the log and retention over it (off unless configured). ConsumerFileError for a bad registry. */
function openRetention(config: WriterConfig, wal: Wal, logger: Logger): Retention {
  const registry = ConsumerRegistry.open(wal.dir, wal.logId, logger);
  const r = config.retention;
  const policy = r === undefined ? { enabled: false, keepBytes: 0, lagBytesMax: RETENTION_LAG_BYTES_MAX_DEFAULT } : { enabled: true, keepBytes: r.keepBytes, lagBytesMax: r.lagBytesMax };
  return new Retention(wal, registry, policy, logger);
}

export async function startWriter(config: WriterConfig, logger: Logger = createLogger({ service: 'writer' })): Promise<RunningWriter> {
  if (config.logLevel !== undefined) setLogLevel(config.logLevel);
  let retention: Retention | undefined;
  const wal = await Wal.open({
    dir: config.walDir,
    durability: config.durability,
    logger: logger.child({ component: 'wal' }),
    ...(config.segmentBytes === undefined ? {} : { segmentBytesMax: config.segmentBytes }),
    onRotate: () => retention?.schedule(),
  });
  let server: RunningServer | undefined;
  let agents: AgentRegistry;
  let ids: IdIndex;
  try {
    retention = openRetention(config, wal, logger.child({ component: 'retention' }));
    agents = await AgentRegistry.open(config.walDir, wal, config.adminKeys, logger.child({ component: 'agents' }));
    try {
      ids = await IdIndex.open(join(wal.dir, ID_INDEX_DIR_NAME), wal, logger.child({ component: 'id-index' }));
    } catch (err) {
      await agents.close();
      throw err;
    }
  } catch (err) {
    await wal.close();
    throw err;
  }
  // The id index reads the log behind the appends: never delete what it has not indexed yet.
  retention.heldBelow = () => ids.covered;
  // Admission awaits every round it sends: when the workers are idle, its thread verifies a share meanwhile.
  const verifier = new SignatureVerifier({ inlineShare: true, workers: config.verifyWorkers ?? defaultVerifyWorkers('admission') });
  const deps: WriterDeps = {
    log: observingLog(wal, agents),
    admission: new Admission(config.adminKeys, new AgentQuota(config.quota), verifier, { registry: agents, enforce: config.admission === true }),
    load: new AppendLoad(),
    ...(config.peerLimit === undefined || config.admission === true ? {} : { peers: new PeerKeyLimit(config.peerLimit) }),
    logger,
    replays: new ReplayGuard(ids, logger.child({ component: 'id-index' })),
    tailBudget: new TailBudget(),
    retention,
    onLogUnwritable: () => server?.setServing(false),
  };
  try {
    server = await startServer({
      address: config.listen,
      services: [writerService(deps)],
      logger: logger.child({ component: 'grpc' }),
      maxConnectionAgeMs: config.maxConnectionAgeMs,
      reflectedServices: [WRITER_SERVICE_NAME, HEALTH_SERVICE_NAME],
      ...(config.tls === undefined ? {} : { tls: config.tls, methodRoles: WRITER_METHOD_ROLES }),
      ...(config.healthListen === undefined ? {} : { healthListen: config.healthListen }),
    });
  } catch (err) {
    await ids.close().catch(() => undefined);
    retention.stop();
    await Promise.all([wal.close(), verifier.close(), agents.close()]);
    throw err;
  }
  const running = server;
  const retained = retention;
  if (config.retention !== undefined) retained.start(config.retention.intervalMs);
  logger.info('writer ready', {
    address: running.address,
    wal_dir: wal.dir,
    head_offset: wal.headOffset,
    durability: config.durability,
    admin_keys: config.adminKeys.length,
    quota_records_per_sec: config.quota.recordsPerSec,
    tls: running.tls,
    admission: config.admission === true,
    verify_workers: verifier.workers,
    first_offset: wal.firstOffset,
    segment_bytes: wal.segmentBytesMax,
    retention: config.retention === undefined ? 'off' : { keep_bytes: config.retention.keepBytes, lag_bytes_max: config.retention.lagBytesMax, interval_ms: config.retention.intervalMs },
    consumers: retained.registry.size,
  });
  let stopping: Promise<WriterShutdownReport> | undefined;
  const shutdown = async (graceMs: number): Promise<WriterShutdownReport> => {
    const report = await running.shutdown(graceMs);
    try {
      retained.stop();
    } catch (err) {
      logger.warn('saving the consumer registry failed', { error: err instanceof Error ? err.message : String(err) });
    }
    await ids.close().catch((err: unknown) => logger.warn('closing the id index failed', { error: err instanceof Error ? err.message : String(err) }));
    await Promise.all([wal.close(), verifier.close(), agents.close()]);
    logger.info('writer stopped', { forced: report.forced, duration_ms: report.durationMs, head_offset: wal.headOffset });
    return { forced: report.forced, durationMs: report.durationMs };
  };
  return { address: running.address, server: running, wal, shutdown: (graceMs = SHUTDOWN_GRACE_MS) => (stopping ??= shutdown(graceMs)) };
}
