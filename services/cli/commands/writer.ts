/**
 * `stemedb writer`: the process that owns and writes the log. Telemetry starts
 * before anything loads @grpc/grpc-js (the gRPC instrumentation patches it on
 * load), so the service itself is loaded with a dynamic import.
 */
import { startTelemetry } from '../../../shared/telemetry/sdk';
import { parseWriterConfig, WRITER_HELP, WriterConfigError, type WriterConfig } from '../../writer/config';
import { UsageError, type Command } from '../command';
import { stopTelemetry } from '../telemetry-stop';

export const writer: Command = {
  path: ['writer'],
  summary: 'run the writer: validate, verify and append signed records; serve Tail and Head',
  help: WRITER_HELP,
  async run(args, io) {
    let config: WriterConfig;
    try {
      config = parseWriterConfig(args, process.env);
    } catch (err) {
      if (err instanceof WriterConfigError) throw new UsageError(err.message);
      throw err;
    }
    const telemetry = startTelemetry('stemedb-writer');
    try {
      const { runWriter } = await import('../../writer/main');
      return await runWriter(config, io);
    } finally {
      await stopTelemetry(telemetry, io, 'writer');
    }
  },
};
