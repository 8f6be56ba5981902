/**
 * Stopping telemetry at exit without changing the exit status: a final span
 * export that fails (an OTLP endpoint that is down answers ECONNREFUSED after
 * the exporter's retries, several seconds) is reported on stderr as one line.
 */
import type { TelemetryHandle } from '../../shared/telemetry/sdk';
import type { CommandIo } from './command';

export async function stopTelemetry(telemetry: TelemetryHandle | undefined, io: Pick<CommandIo, 'err'>, name: string): Promise<void> {
  try {
    await telemetry?.shutdown();
  } catch (err) {
    io.err(`stemedb ${name}: telemetry: the last export failed at exit (${err instanceof Error ? err.message : String(err)}); the exit status is unchanged`);
  }
}
