/**
 * The part of level-rocksdb 5 (levelup 5 over rocksdb 5) that RocksStore uses.
 * The package ships no types.
 */
declare module 'level-rocksdb' {
  namespace level {
    interface LevelIterator {
      next(callback: (err: Error | null | undefined, key?: Buffer, value?: Buffer) => void): void;
      end(callback: (err?: Error | null) => void): void;
    }
    interface LevelChainedBatch {
      put(key: Buffer, value: Buffer): LevelChainedBatch;
      del(key: Buffer): LevelChainedBatch;
      /** The binding's put, without abstract-leveldown's argument checks and serialization (the caller has checked both Buffers). */
      _put(key: Buffer, value: Buffer): void;
      /** The binding's delete, without abstract-leveldown's argument check. */
      _del(key: Buffer): void;
      write(options: { sync?: boolean }, callback: (err?: Error | null) => void): void;
    }
    interface LevelIteratorOptions {
      gt?: Buffer;
      gte?: Buffer;
      lt?: Buffer;
      lte?: Buffer;
      reverse?: boolean;
      limit?: number;
    }
    interface LevelDb {
      get(key: Buffer, callback: (err: (Error & { notFound?: boolean }) | null | undefined, value?: Buffer) => void): void;
      getMany(keys: Buffer[], callback: (err: Error | null | undefined, values?: (Buffer | undefined)[]) => void): void;
      put(key: Buffer, value: Buffer, options: { sync?: boolean }, callback: (err?: Error | null) => void): void;
      del(key: Buffer, options: { sync?: boolean }, callback: (err?: Error | null) => void): void;
      batch(): LevelChainedBatch;
      /** The layer below (encoding-down below levelup, the rocksdb binding below encoding-down); absent at the bottom. */
      readonly db?: { batch(): LevelChainedBatch; readonly db?: unknown };
      iterator(options: LevelIteratorOptions): LevelIterator;
      close(callback: (err?: Error | null) => void): void;
    }
    interface LevelOptions {
      keyEncoding: 'binary';
      valueEncoding: 'binary';
      createIfMissing?: boolean;
      writeBufferSize?: number;
    }
  }
  function level(location: string, options: level.LevelOptions, callback: (err: Error | null | undefined, db: level.LevelDb) => void): level.LevelDb;
  export = level;
}
