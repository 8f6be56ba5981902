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
 *
 * A source may also hand its records over in the chunks they arrive in (a
 * Tail message, a log read): `records()` then returns `RecordChunks`, whose
 * `chunks()` yields the same records, in the same order, as arrays. The
 * batcher takes chunks when it can, so the per-record cost of async
 * iteration (an iterator result and several microtasks per record) is paid
 * per chunk instead.
 */
import type { WalRecord } from '../../shared/wal';

export type SourceRecord = WalRecord;

/** Records that can also be taken a chunk at a time (never an empty chunk). */
export interface RecordChunks extends AsyncIterable<SourceRecord> {
  chunks(): AsyncIterator<readonly SourceRecord[], void, undefined>;
}

/** A record generator that can also be taken a chunk at a time. Use one or the other: each opens the stream. */
export type ChunkedRecordStream = AsyncGenerator<SourceRecord, void, undefined> & RecordChunks;

/** `open`'s chunks as a record generator (each chunk flattened) whose `chunks()` hands them over as they are. Nothing opens before the first step. */
export function chunkedRecords(open: () => AsyncGenerator<readonly SourceRecord[], void, undefined>): ChunkedRecordStream {
  const flat = (async function* flatten() {
    for await (const chunk of open()) yield* chunk;
  })();
  return Object.assign(flat, { chunks: open });
}

/** A chunk iterator over any record stream: the source's own chunks, else one record per chunk. */
export function recordChunks(records: AsyncIterable<SourceRecord>): AsyncIterator<readonly SourceRecord[], void, undefined> {
  if (typeof (records as Partial<RecordChunks>).chunks === 'function') return (records as RecordChunks).chunks();
  return (async function* single() {
    for await (const r of records) yield [r];
  })();
}

export interface WalSource {
  /**
   * Records from `fromOffset` (a record boundary) on, following new appends
   * until `signal` aborts; the iterator then ends without error. May be
   * RecordChunks (see above).
   */
  records(fromOffset: number, signal: AbortSignal): AsyncIterable<SourceRecord> | RecordChunks;
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
