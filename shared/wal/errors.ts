/**
 * Typed errors of the write-ahead log. Each carries what an operator needs to act:
 * the directory, segment file and global offset.
 */

/** Why an offset could not be read. */
export type WalOffsetErrorKind = 'not_boundary' | 'before_first' | 'beyond_head';

/** A read at an offset that is not the start of a readable record. */
export class WalOffsetError extends Error {
  override readonly name = 'WalOffsetError';
  constructor(
    readonly kind: WalOffsetErrorKind,
    readonly offset: number,
    /** The first readable offset and the durable end at the time of the read. */
    readonly firstOffset: number,
    readonly headOffset: number,
  ) {
    super(describeOffsetError(kind, offset, firstOffset, headOffset));
  }
}

function describeOffsetError(kind: WalOffsetErrorKind, offset: number, first: number, head: number): string {
  switch (kind) {
    case 'not_boundary':
      return `offset ${offset} is not the start of a record`;
    case 'before_first':
      return `offset ${offset} is below the first retained offset ${first} (deleted by retention)`;
    case 'beyond_head':
      return `offset ${offset} is beyond the durable head ${head}`;
  }
}

/** Damage the log cannot repair on its own: a bad record or header before the tail. */
export class WalCorruptionError extends Error {
  override readonly name = 'WalCorruptionError';
  constructor(
    readonly dir: string,
    /** Segment file name, e.g. `0000000000000000.wal`. */
    readonly file: string,
    /** Global offset of the damaged record (or the segment's base offset for a header). */
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`WAL corrupt in ${dir}/${file} at offset ${offset}: ${reason}`);
  }
}

/** Another live process holds the directory's lock. */
export class WalLockedError extends Error {
  override readonly name = 'WalLockedError';
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`WAL directory ${dir} is locked by running process ${pid}`);
  }
}

/** The log cannot accept writes (a write or fsync failed earlier); nothing was acknowledged. */
export class WalUnavailableError extends Error {
  override readonly name = 'WalUnavailableError';
  constructor(
    readonly dir: string,
    override readonly cause: unknown,
  ) {
    super(`WAL ${dir} is not writable: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** The WAL directory or its active segment is no longer where the log put it (removed, renamed or replaced). */
export class WalVanishedError extends Error {
  override readonly name = 'WalVanishedError';
  constructor(
    readonly dir: string,
    /** The active segment file name. */
    readonly file: string,
    readonly reason: string,
  ) {
    super(`WAL ${dir}/${file} vanished: ${reason}`);
  }
}

/** The log was closed. */
export class WalClosedError extends Error {
  override readonly name = 'WalClosedError';
  constructor(readonly dir: string) {
    super(`WAL ${dir} is closed`);
  }
}

/** A request over one of the named limits in limits.ts. */
export class WalLimitError extends Error {
  override readonly name = 'WalLimitError';
  constructor(
    readonly limit: string,
    readonly value: number,
    readonly max: number,
  ) {
    super(`${limit} is ${value}, over the maximum ${max}`);
  }
}

/** An invalid `Wal.open` option. */
export class WalOptionError extends Error {
  override readonly name = 'WalOptionError';
  constructor(
    readonly option: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`WAL option ${option}=${String(value)} ${reason}`);
  }
}
