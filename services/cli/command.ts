/**
 * The contract of a `stemedb` subcommand. Each lives in `commands/<name>.ts` and
 * is listed once in `commands/index.ts`.
 */
export interface CommandIo {
  /** Results go here (stdout). */
  out(text: string): void;
  /** Errors and progress go here (stderr). */
  err(text: string): void;
  /** True when stdout/stderr is a terminal (progress bars only then). */
  readonly isTty: boolean;
}

export interface Command {
  /** Words that select it, e.g. ['wal', 'check']. */
  readonly path: readonly string[];
  /** One line for the command list. */
  readonly summary: string;
  /** Full `--help` text: usage line, options with defaults, environment variables. */
  readonly help: string;
  /**
   * 'client': a command that calls a StemeDB service. The entry point starts
   * OpenTelemetry as service `stemedb-cli` before the command loads gRPC (so its
   * calls carry a trace context to the server) and flushes spans before exit.
   * Server commands start their own telemetry. @default none
   */
  readonly telemetry?: 'client';
  /** Run with the arguments after the path; resolve to the exit code. */
  run(args: string[], io: CommandIo): Promise<number>;
}

/** A usage mistake: printed with the command's help hint, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
