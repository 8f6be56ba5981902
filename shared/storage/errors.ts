/**
 * Error families of the storage layer. Each names the backend and operation,
 * and the key in hex when one is concerned, so a log line says exactly what
 * failed where.
 */

/** Which store an error or span concerns. */
export type BackendName = 'rocksdb' | 'lmdb' | 'hybrid';

/** A storage operation failed (I/O, a closed store, a malformed stored value). */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  /** The key in lowercase hex, or undefined when the operation has no single key. */
  readonly keyHex: string | undefined;

  constructor(
    readonly backend: BackendName,
    readonly op: string,
    readonly reason: string,
    key?: Buffer,
    options?: { cause?: unknown },
  ) {
    super(`${backend} ${op}${key === undefined ? '' : ` key=${key.toString('hex')}`}: ${reason}`, options);
    this.keyHex = key?.toString('hex');
  }
}

/** A key cannot be built (bad component) or parsed (bytes that no builder makes). */
export class KeyCodecError extends Error {
  override readonly name = 'KeyCodecError';
  constructor(
    readonly reason: string,
    /** The offending key bytes in hex, when there are some. */
    readonly keyHex?: string,
  ) {
    super(keyHex === undefined ? reason : `${reason} (key ${keyHex})`);
  }
}

/**
 * The two backends hold different prefixes of the log and the redo intent
 * cannot bridge them (docs/STORAGE.md, "After a power loss"): serving would mix
 * two points of the log, so the store refuses to open (or, when asked, rebuilds).
 */
export class StoreDivergedError extends Error {
  override readonly name = 'StoreDivergedError';
  constructor(
    /** The hybrid store directory. */
    readonly dir: string,
    readonly rocksCursor: number,
    readonly lmdbCursor: number,
    /** The stored redo intent's `from`..`to`, when there is one. */
    readonly intent: { readonly from: number; readonly to: number } | undefined,
  ) {
    const intentText = intent === undefined ? 'no redo intent' : `a redo intent from ${intent.from} to ${intent.to}`;
    super(
      `store ${dir}: RocksDB is applied through ${rocksCursor} and LMDB through ${lmdbCursor}, with ${intentText}, which cannot bring them together; ` +
        'the store is not served. Rebuild it from the log: delete the directory and ingest again (or open it with onDivergence: rebuild).',
    );
  }
}

/**
 * The store was written in another layout than this build reads (key routing
 * between the backends, value encodings: docs/STORAGE.md "Store format"). Its
 * keys would be looked for in the wrong backend or decoded wrongly, so it is
 * refused before anything is served (or, when asked, rebuilt from the log).
 */
export class StoreFormatError extends Error {
  override readonly name = 'StoreFormatError';
  constructor(
    /** The hybrid store directory. */
    readonly dir: string,
    /** The format the store holds (1 = written before the format was stamped). */
    readonly found: number,
    /** The format this build writes and reads. */
    readonly expected: number,
  ) {
    super(
      `store ${dir}: written in store format ${found}, this build reads format ${expected}; the store is not served. ` +
        'Rebuild it from the log: delete the directory and ingest again (or open it with onDivergence: rebuild).',
    );
  }
}
