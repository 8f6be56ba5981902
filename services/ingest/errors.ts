/** Errors of the ingest worker. Log content never raises these: bad records are counted and skipped. */

/** The source delivered a record that does not follow the previous one (a source bug). */
export class IngestGapError extends Error {
  override readonly name = 'IngestGapError';
  constructor(
    readonly expectedOffset: number,
    readonly gotOffset: number,
  ) {
    super(`log source delivered offset ${gotOffset}, expected ${expectedOffset}`);
  }
}

/** An ingest option out of range. */
export class IngestOptionError extends Error {
  override readonly name = 'IngestOptionError';
  constructor(
    readonly option: string,
    readonly reason: string,
  ) {
    super(`${option}: ${reason}`);
  }
}
