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
  readonly firstOffset: number;
  readonly segments: readonly { readonly baseOffset: number; readonly endOffset: number; readonly fileName: string }[];
}
