/**
 * Decode and verify log records on the reader side (validate on both sides
 * of the disk): the payload must decode to a valid record, and — unless the
 * source is trusted (`verify: 'none'`) — every signature must verify against
 * the id recomputed from the record's canonical bytes, so a body changed after
 * signing (an id mismatch) fails here too. Each record is decoded and
 * validated once, on the applying thread; only the signatures go to the
 * shared verifier's workers. Never throws on a bad record: it comes back as a
 * rejection to count and skip.
 */
import { recordId } from '../../shared/domain/hash';
import { decodeLogRecord, type LogRecord } from '../../shared/domain/log-payload';
import { verifyRecord } from '../../shared/domain/signing';
import type { LogEntry } from '../../shared/domain/types';
import type { SignatureVerifier } from '../../shared/verify/signature-verifier';
import type { SourceRecord } from './wal-source';
import { mapInTurns } from './turns';

export type CheckedRecord =
  | {
      readonly ok: true;
      readonly offset: number;
      readonly nextOffset: number;
      readonly entry: LogEntry;
      readonly id: Buffer;
      /** The record's protobuf bytes within the payload (log-payload.ts `decodeLogRecord`), or undefined: re-encode. */
      readonly recordBytes: Buffer | undefined;
    }
  | { readonly ok: false; readonly offset: number; readonly nextOffset: number; readonly reason: RejectReason; readonly error: string };

/** Why a record was skipped. */
export type RejectReason = 'decode' | 'signature';

/**
 * Which records' signatures ingest verifies. `all` (the default): every one.
 * `none`: a trusted source — the writer verified every signature before
 * appending and the source checked each record's BLAKE3 on receipt — so the
 * reader skips re-verification (docs/OPERATIONS.md says when that is right).
 */
export type VerifyMode = 'all' | 'none';
export const VERIFY_MODES: readonly VerifyMode[] = ['all', 'none'];

/** Whether `value` names a VerifyMode (a flag, an environment variable or an option as given). */
export function isVerifyMode(value: unknown): value is VerifyMode {
  return (VERIFY_MODES as readonly unknown[]).includes(value);
}

/** Decode + verify one record on this thread (the inline path, and the bench's unit of work). */
export function checkRecord(r: SourceRecord): CheckedRecord {
  const decoded = decodeRecord(r);
  if (!decoded.ok) return decoded;
  try {
    return { ...decoded, id: verifyRecord(decoded.entry.record, 'entry.record') };
  } catch (err) {
    return rejected(r, 'signature', err);
  }
}

type Decoded = Omit<Extract<CheckedRecord, { ok: true }>, 'id'> | Extract<CheckedRecord, { ok: false }>;

function decodeRecord(r: SourceRecord): Decoded {
  try {
    // One pass: the entry and the record's bytes within the payload (log-payload.ts).
    const { entry, recordBytes } = decodeLogRecord(r.payload);
    return { ok: true, offset: r.offset, nextOffset: r.nextOffset, entry, recordBytes };
  } catch (err) {
    return rejected(r, 'decode', err);
  }
}

/** Decode and id, no signature check (a trusted source): one result object per record, not a decoded one copied. */
function decodeTrusted(r: SourceRecord): CheckedRecord {
  let decoded: LogRecord;
  try {
    decoded = decodeLogRecord(r.payload);
  } catch (err) {
    return rejected(r, 'decode', err);
  }
  const { entry, recordBytes } = decoded;
  return { ok: true, offset: r.offset, nextOffset: r.nextOffset, entry, id: recordId(entry.record), recordBytes };
}

/** Checks batches of records: one decode each, signatures on the shared verifier (or inline, or not at all). */
export class RecordChecker {
  constructor(
    readonly mode: VerifyMode,
    /** Undefined: verify on the applying thread. */
    private readonly verifier: SignatureVerifier | undefined,
  ) {}

  /** Decodes in turns of the event loop (turns.ts), so a commit in flight moves on meanwhile. */
  async check(records: readonly SourceRecord[]): Promise<CheckedRecord[]> {
    if (this.mode === 'all' && this.verifier === undefined) return mapInTurns(records, checkRecord);
    if (this.mode === 'none') return mapInTurns(records, decodeTrusted);
    return this.verifyAll(records, await mapInTurns(records, decodeRecord));
  }

  /** Every decoded record's signatures in one round on the verifier (one promise for the batch, not one per record). */
  private async verifyAll(records: readonly SourceRecord[], decoded: readonly Decoded[]): Promise<CheckedRecord[]> {
    const ok = decoded.filter((d): d is Extract<Decoded, { ok: true }> => d.ok);
    const results = await this.verifier!.verifyRecords(
      ok.map((d) => d.entry.record),
      () => 'entry.record',
    );
    let next = 0;
    return decoded.map((d, i) => {
      if (!d.ok) return d;
      const result = results[next++]!;
      return Buffer.isBuffer(result) ? { ...d, id: result } : rejected(records[i]!, 'signature', result);
    });
  }
}

function rejected(r: SourceRecord, reason: RejectReason, err: unknown): Extract<CheckedRecord, { ok: false }> {
  return { ok: false, offset: r.offset, nextOffset: r.nextOffset, reason, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
}
