/**
 * Where the ingest worker reads the log from. Two implementations:
 * `sources/wal-dir-source.ts` (segment files on this host, via WalReader) and
 * `sources/writer-tail-source.ts` (the writer's `Tail` stream over gRPC, which
 * reconnects and resumes from the last delivered offset after any disconnect
 * or writer restart).
 *
 * Every implementation delivers each record exactly once per `records()` call,
 * in offset order, with no gaps: a record's `offset` equals the previous
 * record's `nextOffset` (the first equals `fromOffset`). The payload's BLAKE3
 * has been verified against `hash` before delivery.
 */
import type { WalRecord } from '../../shared/wal';

export type SourceRecord = WalRecord;

export interface WalSource {
  /**
   * Records from `fromOffset` (a record boundary) on, following new appends
   * until `signal` aborts; the iterator then ends without error.
   */
  records(fromOffset: number, signal: AbortSignal): AsyncIterable<SourceRecord>;
  /** The source's current end of log (offset just past its last durable record). */
  head(signal?: AbortSignal): Promise<number>;
  /** For logs and Status: "writer HOST:PORT" or "wal DIR". */
  describe(): string;
  /**
   * Told by the ingestor after each store commit: every record below
   * `appliedOffset` is applied (and survives a restart of the reader). A
   * writer's Tail source reports it to the writer's retention. @default ignored
   */
  committed?(appliedOffset: number): void;
  /** This reader's registration as a consumer of the writer, for Status. @default none */
  registration?(): SourceRegistration | undefined;
  close(): Promise<void>;
}

/** A reader's consumer registration with its writer, as Status shows it. */
export interface SourceRegistration {
  readonly consumerId: string;
  /** The applied offset the writer last acknowledged (-1 before the first). */
  readonly reportedOffset: number;
  /** When the writer acknowledged it (Unix ms; 0 before the first). */
  readonly reportedAtMs: number;
  /** The writer marks the consumer expired: retention no longer waits for it. */
  readonly expired: boolean;
  /** The writer's first readable offset as last learned. */
  readonly writerFirstOffset?: number;
}
