/**
 * Composition of the reader process: open the store, open the log source
 * (the writer's Tail, or WAL files on this host), run the Ingestor in-process,
 * and serve ReaderService with health and reflection.
 *
 * Readiness: the server binds at once with health NOT_SERVING; `caughtUp`
 * resolves (and health turns SERVING) once ingest has applied the log through
 * the head the source reported at startup. Queries are answered meanwhile,
 * each with its served_at_offset, so a client with a receipt can still read
 * its write (min_offset); Kubernetes' startupProbe waits for SERVING.
 *
 * Shutdown drains: parked min_offset waits end with UNAVAILABLE, health
 * NOT_SERVING, in-flight calls finish (streams are told to drain), then ingest
 * stops after its current batch, the source and the store close.
 */
import { GraphReader } from '../../shared/graph/graph-reader';
import { SHUTDOWN_GRACE_MS } from '../../shared/grpc/limits';
import { methodRolesOf } from '../../shared/grpc/access';
import { startServer, type RunningServer } from '../../shared/grpc/server';
import { ReaderServiceService } from '../../shared/gen/stemedb/v1/reader';
import { openHybridStore, type HybridStore } from '../../shared/storage/hybrid-store';
import { createLogger, setLogLevel, type Logger } from '../../shared/telemetry/logger';
import { observeIngestLag } from '../../shared/telemetry/metrics';
import { defaultVerifyWorkers } from '../../shared/verify/signature-verifier';
import { Ingestor } from '../ingest/ingestor';
import { WalDirSource } from '../ingest/sources/wal-dir-source';
import { WriterTailSource } from '../ingest/sources/writer-tail-source';
import type { WalSource } from '../ingest/wal-source';
import { BatchBell } from './batch-bell';
import { prepareStore } from './bootstrap';
import type { ReaderConfig } from './config';
import type { ReaderCore } from './core';
import { OFFSET_WAIT_MS_MAX, STARTUP_HEAD_DEADLINE_MS } from './limits';
import { OffsetWaiters } from './offset-waiters';
import { READER_SERVICE_NAME, readerService } from './service';
import { HeadTracker, lagBytes } from './status-handler';

const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';

/** Under a role map every query needs the 'client' role; Snapshot (a copy of the whole store, like Tail of the whole log) needs 'reader'. */
export const READER_METHOD_ROLES = methodRolesOf(ReaderServiceService, 'client', { snapshot: 'reader' });

export interface ReaderShutdownReport {
  /** True when the grace period ran out and open calls were cancelled. */
  readonly forced: boolean;
  readonly durationMs: number;
}

export interface ReaderOptions {
  /** Longest wait for a query's offset. @default OFFSET_WAIT_MS_MAX */
  readonly offsetWaitMsMax?: number;
}

export interface RunningReader {
  /** The bound `host:port` (the real port when 0 was asked for). */
  readonly address: string;
  readonly server: RunningServer;
  readonly store: HybridStore;
  readonly ingestor: Ingestor;
  /** Resolves once ingest reached the log's head as seen at startup (health is then SERVING). */
  readonly caughtUp: Promise<void>;
  /** Resolves when ingest stops: undefined after a shutdown, the error when it failed on its own. */
  readonly ingestStopped: Promise<Error | undefined>;
  /** Graceful stop; idempotent. */
  shutdown(graceMs?: number): Promise<ReaderShutdownReport>;
}

async function openSource(config: ReaderConfig, logger: Logger): Promise<WalSource> {
  return config.source.kind === 'writer'
    ? new WriterTailSource(config.source.address, {
        logger: logger.child({ component: 'writer-tail-source' }),
        ...(config.source.tls === undefined ? {} : { tls: config.source.tls }),
        ...(config.source.consumerId === undefined ? {} : { consumerId: config.source.consumerId }),
      })
    : WalDirSource.open(config.source.dir);
}

export async function startReader(config: ReaderConfig, logger: Logger = createLogger({ service: 'reader' }), options: ReaderOptions = {}): Promise<RunningReader> {
  if (config.logLevel !== undefined) setLogLevel(config.logLevel);
  const prepared = await prepareStore(config, logger.child({ component: 'bootstrap' }));
  const store = await openHybridStore(config.dataDir);
  let source: WalSource | undefined;
  let server: RunningServer | undefined;
  try {
    source = await openSource(config, logger);
    const bell = new BatchBell();
    let waiters: OffsetWaiters | undefined;
    const ingestor = await Ingestor.open(store, source, {
      logger: logger.child({ component: 'ingest' }),
      verify: config.verify ?? 'all',
      verifyWorkers: config.verifyWorkers ?? defaultVerifyWorkers(),
      onBatch: () => {
        waiters?.notify();
        bell.ring();
      },
    });
    waiters = new OffsetWaiters(() => ingestor.appliedOffset);
    const core: ReaderCore = { graph: new GraphReader(store), ingest: ingestor, waiters, source, logger, offsetWaitMsMax: options.offsetWaitMsMax ?? OFFSET_WAIT_MS_MAX };
    const heads = new HeadTracker(core);
    server = await startServer({
      address: config.listen,
      services: [readerService(core, bell, heads, { store, logId: () => prepared.logId, logger: logger.child({ component: 'snapshot' }) })],
      logger: logger.child({ component: 'grpc' }),
      maxConnectionAgeMs: config.maxConnectionAgeMs,
      reflectedServices: [READER_SERVICE_NAME, HEALTH_SERVICE_NAME],
      ...(config.tls === undefined ? {} : { tls: config.tls, methodRoles: READER_METHOD_ROLES }),
      ...(config.healthListen === undefined ? {} : { healthListen: config.healthListen }),
    });
    // Same tick as the bind resolving: no health check can see SERVING before catch-up.
    server.setServing(false);
    return compose({ config, logger, store, source, ingestor, waiters, heads, server });
  } catch (err) {
    await server?.shutdown(0);
    await source?.close();
    await store.close();
    throw err;
  }
}

interface Parts {
  readonly config: ReaderConfig;
  readonly logger: Logger;
  readonly store: HybridStore;
  readonly source: WalSource;
  readonly ingestor: Ingestor;
  readonly waiters: OffsetWaiters;
  readonly heads: HeadTracker;
  readonly server: RunningServer;
}

function compose(p: Parts): RunningReader {
  const { logger, store, source, ingestor, waiters, heads, server } = p;
  const stopIngest = new AbortController();
  const ingestStopped = ingestor.run(stopIngest.signal).then(
    () => undefined,
    (err: unknown) => {
      const error = err instanceof Error ? err : new Error(String(err));
      logger.error('ingest failed; the reader stops serving', { error: error.message, applied_offset: ingestor.appliedOffset, source: source.describe() });
      server.setServing(false);
      waiters.close(`ingest failed: ${error.message}`);
      return error;
    },
  );
  observeIngestLag(() => {
    void heads.refresh(); // for the next collection: a gauge callback cannot wait
    const head = heads.known;
    return head === undefined ? undefined : lagBytes(head, ingestor.appliedOffset);
  });
  const caughtUp = (async () => {
    const head = await heads.refresh(AbortSignal.timeout(STARTUP_HEAD_DEADLINE_MS));
    if (head === undefined) logger.warn('the log head is unknown at startup; serving from what the store holds', { source: source.describe(), applied_offset: ingestor.appliedOffset });
    else await waiters.waitFor(head, 'startup', stopIngest.signal, undefined);
    server.setServing(true);
    logger.info('reader ready', { address: server.address, data_dir: store.dir, source: source.describe(), applied_offset: ingestor.appliedOffset, head_offset: head ?? -1 });
  })();
  caughtUp.catch(() => undefined); // the owner awaits it; a shutdown during catch-up is not an unhandled rejection

  let stopping: Promise<ReaderShutdownReport> | undefined;
  const shutdown = async (graceMs: number): Promise<ReaderShutdownReport> => {
    waiters.close();
    const report = await server.shutdown(graceMs);
    stopIngest.abort();
    await ingestStopped;
    await ingestor.close();
    await source.close();
    await store.close();
    logger.info('reader stopped', { forced: report.forced, duration_ms: report.durationMs, applied_offset: ingestor.appliedOffset });
    return { forced: report.forced, durationMs: report.durationMs };
  };
  return {
    address: server.address,
    server,
    store,
    ingestor,
    caughtUp,
    ingestStopped,
    shutdown: (graceMs = SHUTDOWN_GRACE_MS) => (stopping ??= shutdown(graceMs)),
  };
}
