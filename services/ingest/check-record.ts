/**
 * Decode and verify one log record again on the reader side (validate on both
 * sides of the disk): the payload must decode to a valid record, and every
 * signature must verify against the id recomputed from the record's canonical
 * bytes — so a body changed after signing (an id mismatch) fails here too.
 * Never throws: a bad record comes back as a rejection to count and skip.
 */
import { decodeLogPayload } from '../../shared/domain/log-payload';
import { verifyRecord } from '../../shared/domain/signing';
import type { LogEntry } from '../../shared/domain/types';
import type { SourceRecord } from './wal-source';

export type CheckedRecord =
  | { readonly ok: true; readonly offset: number; readonly nextOffset: number; readonly entry: LogEntry; readonly id: Buffer }
  | { readonly ok: false; readonly offset: number; readonly nextOffset: number; readonly reason: RejectReason; readonly error: string };

/** Why a record was skipped. */
export type RejectReason = 'decode' | 'signature';

export function checkRecord(r: SourceRecord): CheckedRecord {
  const at = { offset: r.offset, nextOffset: r.nextOffset };
  let entry: LogEntry;
  try {
    entry = decodeLogPayload(r.payload);
  } catch (err) {
    return { ok: false, ...at, reason: 'decode', error: describe(err) };
  }
  try {
    return { ok: true, ...at, entry, id: verifyRecord(entry.record, 'entry.record') };
  } catch (err) {
    return { ok: false, ...at, reason: 'signature', error: describe(err) };
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
