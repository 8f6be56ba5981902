/**
 * What every reader handler shares: the graph read API over the local store,
 * a view of the in-process ingestor, the read-your-writes waiters, and the
 * log source (for Status). Built by start-reader.ts; handlers never open or
 * close any of it.
 */
import type { GraphReader } from '../../shared/graph/graph-reader';
import type { Logger } from '../../shared/telemetry/logger';
import type { IngestCounters } from '../ingest/ingestor';
import type { SourceRegistration } from '../ingest/wal-source';
import type { OffsetWaiters } from './offset-waiters';

/** The parts of the Ingestor the handlers read (the Ingestor itself in production). */
export interface IngestView {
  /** Every record below this offset is applied. */
  readonly appliedOffset: number;
  /** Seqlock over store commits (Ingestor.commitSequence): odd while a batch commits. */
  readonly commitSequence: number;
  readonly counters: IngestCounters;
}

/** The log source as Status shows it. */
export interface SourceView {
  head(signal?: AbortSignal): Promise<number>;
  describe(): string;
  /** The reader's consumer registration with its writer (WriterTailSource). @default none */
  registration?(): SourceRegistration | undefined;
}

export interface ReaderCore {
  readonly graph: GraphReader;
  readonly ingest: IngestView;
  readonly waiters: OffsetWaiters;
  readonly source: SourceView;
  readonly logger: Logger;
  /** Longest wait for an offset, whatever the call's deadline. @default OFFSET_WAIT_MS_MAX */
  readonly offsetWaitMsMax: number;
}
