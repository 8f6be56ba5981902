/** The client's own result types: plain values (numbers for offsets, Buffers for ids). */
import type { RecordKind, StemeRecord } from '../../../shared/domain/types';

/** Proof of a durable append. `offset` is what a reader's `min_offset` takes. */
export interface Receipt {
  /** The record's 32-byte id (BLAKE3 of its canonical bytes). */
  readonly id: Buffer;
  readonly offset: number;
  /** Where the next record starts. */
  readonly nextOffset: number;
  readonly kind: RecordKind;
}

/** One raw record of the log, from Tail, decoded. */
export interface LogRecordView {
  readonly offset: number;
  /** offset + 40 (record header) + payload length (docs/WAL.md). */
  readonly nextOffset: number;
  readonly payload: Buffer;
  /** BLAKE3 of the payload, checked by the client. */
  readonly payloadHash: Buffer;
  readonly appendedAtMs: number;
  readonly record: StemeRecord;
}

export interface Head {
  readonly headOffset: number;
  /** Lowest readable offset (raised by retention). */
  readonly firstOffset: number;
  readonly segments: readonly { readonly baseOffset: number; readonly endOffset: number; readonly fileName: string }[];
  /** The log's identity (32 hex digits; empty from a writer that does not send it). */
  readonly logId: string;
  /** The highest offset retention was asked to trim below. */
  readonly retentionFloor: number;
  /** Undefined from a writer that does not send it. */
  readonly retention?: { readonly enabled: boolean; readonly keepBytes: number; readonly lagBytesMax: number; readonly segmentBytes: number };
  /** The registered consumers (readers) and their cursors, by id. */
  readonly consumers: readonly ConsumerCursor[];
}

/** A consumer registered with the writer for retention (docs/OPERATIONS.md, "Retention"). */
export interface ConsumerCursor {
  readonly consumerId: string;
  /** It has applied every record below this offset. */
  readonly appliedOffset: number;
  readonly reportedAtMs: number;
  readonly registeredAtMs: number;
  readonly lagBytes: number;
  /** Retention no longer waits for it; it must bootstrap once its offset is deleted. */
  readonly expired: boolean;
}
