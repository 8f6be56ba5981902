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
  close(): Promise<void>;
}
