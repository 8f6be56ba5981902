/** Failures of `stemedb dev`, each with what the user needs to fix it. */

/** A listen address is taken by another process. */
export class PortBusyError extends Error {
  override readonly name = 'PortBusyError';
  constructor(
    readonly address: string,
    /** The flag that sets it, e.g. `--writer-listen`. */
    readonly flag: string,
  ) {
    super(`${address} is already in use (another 'stemedb dev' running?); pick a free port with ${flag} HOST:PORT`);
  }
}

/** A child service exited, or did not announce readiness, before it was ready. */
export class ChildStartError extends Error {
  override readonly name = 'ChildStartError';
  constructor(
    readonly service: string,
    readonly reason: string,
    /** Its log file, quoted in the message's tail. */
    readonly logPath: string,
    readonly logTail: string,
    /** Its process id, when it was spawned (it is gone by the time this is thrown). */
    readonly pid: number | undefined,
  ) {
    super(`the ${service} ${reason}; its log is ${logPath}${logTail === '' ? '' : `, ending with:\n${logTail}`}`);
  }
}

/** The reader did not apply the log up to the writer's head in time. */
export class CatchUpTimeoutError extends Error {
  override readonly name = 'CatchUpTimeoutError';
  constructor(
    readonly targetOffset: number,
    readonly appliedOffset: number,
    readonly timeoutMs: number,
  ) {
    super(`the reader applied the log up to offset ${appliedOffset} of ${targetOffset} within ${timeoutMs} ms`);
  }
}
