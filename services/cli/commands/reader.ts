/**
 * `stemedb reader`: serve lens queries from a local store kept up to date by
 * in-process ingest. Telemetry starts before anything loads @grpc/grpc-js (the
 * gRPC instrumentation patches it on load), so the service itself is loaded
 * with a dynamic import.
 */
import { startTelemetry } from '../../../shared/telemetry/sdk';
import { parseReaderConfig, READER_HELP, ReaderConfigError, type ReaderConfig } from '../../reader/config';
import { UsageError, type Command } from '../command';
import { stopTelemetry } from '../telemetry-stop';

export const reader: Command = {
  path: ['reader'],
  summary: 'run a reader: tail the log into a local store and serve lens queries',
  help: READER_HELP,
  async run(args, io) {
    let config: ReaderConfig;
    try {
      config = parseReaderConfig(args, process.env);
    } catch (err) {
      if (err instanceof ReaderConfigError) throw new UsageError(err.message);
      throw err;
    }
    const telemetry = startTelemetry('stemedb-reader');
    try {
      const { runReader } = await import('../../reader/main');
      return await runReader(config, io);
    } finally {
      await stopTelemetry(telemetry, io, 'reader');
    }
  },
};
