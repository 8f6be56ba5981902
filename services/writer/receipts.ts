/** Receipts: the proof of a durable append that every append RPC returns. */
import { RECORD_TYPE_BYTE } from '../../shared/domain/types';
import type { RecordKind as PbRecordKind } from '../../shared/gen/stemedb/v1/records';
import type { Receipt } from '../../shared/gen/stemedb/v1/writer';
import type { Checked } from './admission';

/** The receipt of a checked record held by the log at [offset, nextOffset). */
export function receiptAt(checked: Checked, offset: number, nextOffset: number): Receipt {
  // The proto's RecordKind is the log's type byte + 1 (0 is UNSPECIFIED).
  const kind = (RECORD_TYPE_BYTE[checked.record.kind] + 1) as PbRecordKind;
  return { id: checked.id, offset: BigInt(offset), kind, nextOffset: BigInt(nextOffset) };
}
