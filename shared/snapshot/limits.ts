/**
 * Every limit of the snapshot format and its transfer (units last). Tests
 * exercise them at their edges; docs/SNAPSHOTS.md quotes them.
 */

/** The format this code writes, and the newest it reads: a newer manifest or file is refused. */
export const SNAPSHOT_FORMAT_VERSION = 1;

/** A data file is closed before an entry would take it past this size (an entry never spans two files). */
export const SNAPSHOT_FILE_BYTES_MAX = 64 * 1024 * 1024;

/** Bytes per piece a snapshot is written, hashed and streamed in (each Snapshot message carries at most this). */
export const SNAPSHOT_CHUNK_BYTES = 1024 * 1024;

/** Largest snapshot (all data files together) that is created, accepted from a peer or restored. */
export const SNAPSHOT_BYTES_MAX = 1024 * 1024 * 1024 * 1024;

/** Most data files one manifest may list (SNAPSHOT_BYTES_MAX in full files, with room to spare). */
export const SNAPSHOT_FILES_MAX = 20_000;

/** Largest MANIFEST.json read or received. */
export const SNAPSHOT_MANIFEST_BYTES_MAX = 4 * 1024 * 1024;

/** Largest value one entry may carry (store values are records and small indexes, far below this). */
export const SNAPSHOT_VALUE_BYTES_MAX = 16 * 1024 * 1024;

/** Bytes of entries a restore writes per store batch. */
export const RESTORE_BATCH_BYTES = 4 * 1024 * 1024;
