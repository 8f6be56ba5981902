/** The ingest worker: a WalSource in, verified records applied to the hybrid store's graph model. */
export { Ingestor, type BatchInfo, type IngestCounters, type IngestorOptions } from './ingestor';
export { IngestGapError, IngestOptionError } from './errors';
export { INGEST_BATCH_BYTES_MAX, INGEST_BATCH_DELAY_MS, INGEST_BATCH_DELAY_MS_MAX, INGEST_BATCH_RECORDS_MAX } from './limits';
export { WalDirSource } from './sources/wal-dir-source';
export { RecordChecker, VERIFY_MODES, type VerifyMode } from './check-record';
export type { SourceRecord, WalSource } from './wal-source';
