/** The write-ahead log's public surface. */
export { Wal, type AppendResult, type AppendBatchResult } from './wal';
export { WalReader, type WalReaderOptions } from './wal-reader';
export type { WalOptions } from './options';
export type { ReadChecks, WalRecord } from './format';
export type { SegmentInfo } from './segments';
export type { RecoveryReport } from './recovery';
export type { Durability, GroupCommitStats } from './group-commit';
export type { TailOptions } from './tail';
export type { WalFileIo } from './file-io';
export * from './errors';
export * from './limits';
