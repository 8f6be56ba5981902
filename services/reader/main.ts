/**
 * The reader as a process: start, announce readiness with one JSON line on
 * stdout once caught up, stop gracefully on SIGTERM or SIGINT (or when ingest
 * fails). Loaded by `stemedb reader` with a dynamic import, after telemetry
 * has started (it loads grpc-js).
 */
import { createLogger } from '../../shared/telemetry/logger';
import type { ReaderConfig } from './config';
import { startReader } from './start-reader';

/** Where the ready line goes (the CLI's stdout). */
export interface ReadyOutput {
  out(text: string): void;
}

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Run until SIGTERM/SIGINT; resolves with the exit code (0 after a clean drain, 1 when forced or ingest failed). */
export async function runReader(config: ReaderConfig, io: ReadyOutput): Promise<number> {
  const logger = createLogger({ service: 'reader' });
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    for (const s of STOP_SIGNALS) process.once(s, () => resolve(s));
  });
  const reader = await startReader(config, logger);
  const failed = reader.ingestStopped.then((err) => err ?? new Error('ingest stopped'));
  const readyOrStop = await Promise.race([reader.caughtUp.then(() => 'ready' as const, (err: unknown) => err), signalled, failed]);
  const health = reader.server.healthAddress;
  if (readyOrStop === 'ready') io.out(JSON.stringify({ ready: true, service: 'reader', address: reader.address, ...(health === undefined ? {} : { health_address: health }) }));
  const cause = readyOrStop === 'ready' ? await Promise.race([signalled, failed]) : readyOrStop;
  logger.info('reader shutting down', { cause: cause instanceof Error ? cause.message : String(cause) });
  for (const s of STOP_SIGNALS) process.on(s, () => logger.warn('already shutting down', { signal: s }));
  const report = await reader.shutdown();
  const ingestError = await reader.ingestStopped;
  return report.forced || ingestError !== undefined || cause instanceof Error ? 1 : 0;
}
