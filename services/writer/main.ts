/**
 * The writer as a process: start, announce readiness with one JSON line on
 * stdout, stop gracefully on SIGTERM or SIGINT. Loaded by `stemedb writer`
 * with a dynamic import, after telemetry has started (it loads grpc-js).
 */
import { createLogger } from '../../shared/telemetry/logger';
import type { WriterConfig } from './config';
import { startWriter } from './start-writer';

/** Where the ready line goes (the CLI's stdout). */
export interface ReadyOutput {
  out(text: string): void;
}

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Run until SIGTERM/SIGINT; resolves with the exit code (0 after a clean drain, 1 when forced). */
export async function runWriter(config: WriterConfig, io: ReadyOutput): Promise<number> {
  const logger = createLogger({ service: 'writer' });
  const writer = await startWriter(config, logger);
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    for (const s of STOP_SIGNALS) process.once(s, () => resolve(s));
  });
  const health = writer.server.healthAddress;
  io.out(JSON.stringify({ ready: true, service: 'writer', address: writer.address, ...(health === undefined ? {} : { health_address: health }) }));
  const signal = await signalled;
  logger.info('writer shutting down', { signal });
  // A second signal during the drain must not kill the process mid-commit: the drain is bounded anyway.
  for (const s of STOP_SIGNALS) process.on(s, () => logger.warn('already shutting down', { signal: s }));
  const report = await writer.shutdown();
  return report.forced ? 1 : 0;
}
