/** The Ingestor's options, what it reports per batch, and the shapes its pipeline passes between stages. */
import type { BatchOps } from '../../shared/graph/apply/batch-state';
import type { VerifyMode } from './check-record';
import { IngestOptionError } from './errors';
import type { Logger } from '../../shared/telemetry/logger';

export interface IngestorOptions {
  /** Most records per batch, 1..INGEST_BATCH_RECORDS_MAX. @default INGEST_BATCH_RECORDS_MAX */
  readonly batchRecordsMax?: number;
  /** Payload bytes that close a batch, 1..INGEST_BATCH_BYTES_MAX. @default INGEST_BATCH_BYTES_MAX */
  readonly batchBytesMax?: number;
  /** Wait for more records after a batch's first, 0..INGEST_BATCH_DELAY_MS_MAX. @default INGEST_BATCH_DELAY_MS */
  readonly batchDelayMs?: number;
  /** @default createLogger({ component: 'ingest' }) */
  readonly logger?: Logger;
  /** Called after each committed batch (progress, read-your-writes waiters, Watch). @default none */
  readonly onBatch?: (info: BatchInfo) => void;
  /**
   * Worker threads of the shared signature verifier that check the next
   * batch's signatures while this one applies, 0..VERIFY_WORKERS_MAX; 0
   * verifies on the applying thread. (Decoding and validation always run on
   * the applying thread, once per record.)
   * @default 0
   */
  readonly verifyWorkers?: number;
  /** Which signatures to verify (check-record.ts `VerifyMode`). @default 'all' */
  readonly verify?: VerifyMode;
  /** Candidates kept in cached pair models across batches, 0..PAIR_CACHE_CANDIDATES_MAX. @default PAIR_CACHE_CANDIDATES_MAX */
  readonly pairCacheCandidatesMax?: number;
}

/** What one committed batch did. */
export interface BatchInfo {
  readonly fromOffset: number;
  readonly appliedThrough: number;
  readonly records: number;
  readonly rejected: number;
  readonly payloadBytes: number;
}

export interface IngestCounters {
  /** Records applied since the store was created. */
  readonly applied: number;
  /** Records skipped (failed decode or verification) since the store was created. */
  readonly rejected: number;
}

export function checkRange(option: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new IngestOptionError(option, `must be an integer ${min}..${max}, got ${value}`);
  return value;
}


/** A batch applied to the graph model, not yet committed. */
export interface AppliedBatch {
  readonly fromOffset: number;
  readonly appliedThrough: number;
  readonly ops: BatchOps;
  readonly counts: { applied: number; rejected: number };
  readonly rejected: number;
  readonly records: number;
  readonly payloadBytes: number;
}
