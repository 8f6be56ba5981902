/**
 * Why a snapshot is refused. Every refusal names the snapshot directory and
 * what was expected versus found, and happens before the store is touched
 * (docs/SNAPSHOTS.md, "Checks").
 */

/** A file's bytes are not what the manifest says (BLAKE3, size, entries, order, header). */
export class SnapshotIntegrityError extends Error {
  override readonly name = 'SnapshotIntegrityError';
  constructor(
    readonly dir: string,
    /** The file inside `dir` (MANIFEST.json or a data file). */
    readonly file: string,
    readonly reason: string,
    readonly expected?: string,
    readonly found?: string,
  ) {
    super(`snapshot ${dir}: ${file}: ${reason}${expected === undefined ? '' : ` (expected ${expected}, found ${found ?? 'nothing'})`}; the snapshot is not used`);
  }
}

/** The directory does not hold exactly the files the manifest lists. */
export class SnapshotFilesError extends Error {
  override readonly name = 'SnapshotFilesError';
  constructor(
    readonly dir: string,
    readonly missing: readonly string[],
    readonly extra: readonly string[],
  ) {
    const parts = [missing.length > 0 ? `missing ${missing.join(', ')}` : '', extra.length > 0 ? `unexpected ${extra.join(', ')}` : ''].filter((p) => p !== '');
    super(`snapshot ${dir}: the files do not match the manifest: ${parts.join('; ')}; the snapshot is not used`);
  }
}

/** Written by a newer StemeDB: this code cannot read its format. */
export class SnapshotVersionError extends Error {
  override readonly name = 'SnapshotVersionError';
  constructor(
    readonly dir: string,
    readonly file: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(`snapshot ${dir}: ${file} has format version ${found}, this StemeDB reads up to version ${supported}; upgrade it or take a snapshot with this version`);
  }
}

/** The snapshot holds a store of another store format than this build reads (docs/STORAGE.md, "Store format"). */
export class SnapshotStoreFormatError extends Error {
  override readonly name = 'SnapshotStoreFormatError';
  constructor(
    readonly dir: string,
    readonly found: number,
    readonly expected: number,
  ) {
    super(`snapshot ${dir} holds a store of format ${found}, this StemeDB reads store format ${expected}; take the snapshot from a reader of this version, or let this reader replay the log`);
  }
}

/** The snapshot was taken from another log than the one this reader tails. */
export class SnapshotLogMismatchError extends Error {
  override readonly name = 'SnapshotLogMismatchError';
  constructor(
    readonly dir: string,
    readonly snapshotLogId: string,
    readonly logId: string,
    /** Where `logId` came from, e.g. "writer 10.0.0.5:7070". */
    readonly source: string,
  ) {
    super(`snapshot ${dir} is of log ${snapshotLogId}, but ${source} serves log ${logId}; take the snapshot from a reader of this log`);
  }
}

/** A snapshot or one of its parts is past a bound (SNAPSHOT_BYTES_MAX, SNAPSHOT_FILES_MAX, ...). */
export class SnapshotLimitError extends Error {
  override readonly name = 'SnapshotLimitError';
  constructor(
    /** The limit's name, e.g. `SNAPSHOT_BYTES_MAX`. */
    readonly limit: string,
    readonly max: number,
    readonly found: number,
    readonly what: string,
  ) {
    super(`${what}: ${found} is past ${limit} (${max})`);
  }
}

/** Restore goes only into an empty store: this one holds data. */
export class SnapshotTargetNotEmptyError extends Error {
  override readonly name = 'SnapshotTargetNotEmptyError';
  constructor(
    readonly dataDir: string,
    readonly appliedOffset: number,
  ) {
    super(`store ${dataDir} is not empty (applied through ${appliedOffset}); a snapshot is restored only into an empty store`);
  }
}

/** `snapshot create --out DIR` goes only into a new or empty directory. */
export class SnapshotOutputError extends Error {
  override readonly name = 'SnapshotOutputError';
  constructor(
    readonly dir: string,
    readonly reason: string,
  ) {
    super(`snapshot output ${dir}: ${reason}`);
  }
}

/** A peer's Snapshot stream broke the transfer rules (order, names, sizes) or ended early. */
export class SnapshotTransferError extends Error {
  override readonly name = 'SnapshotTransferError';
  constructor(
    /** The peer's `HOST:PORT`. */
    readonly peer: string,
    readonly reason: string,
  ) {
    super(`snapshot from ${peer}: ${reason}; nothing from it is used`);
  }
}

/** The snapshot is older than the log's first offset: the records between were deleted, so it cannot be caught up. */
export class SnapshotBehindLogError extends Error {
  override readonly name = 'SnapshotBehindLogError';
  constructor(
    readonly dir: string,
    readonly offset: number,
    readonly firstOffset: number,
    readonly source: string,
  ) {
    super(`snapshot ${dir} is at offset ${offset}, but ${source} now starts at ${firstOffset}; take a newer snapshot`);
  }
}
