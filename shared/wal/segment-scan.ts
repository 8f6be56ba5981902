/**
 * Sequential verification of a segment's records in large chunks: recovery,
 * `wal check` and a WalReader's refresh all walk records through here.
 */
import { readFullySync } from './file-io';
import { checkedFrameBytes, checkFrame, type WalRecord } from './format';
import { RECORD_HEADER_BYTES, SCAN_CHUNK_BYTES, SEGMENT_HEADER_BYTES } from './limits';

export interface ScanResult {
  /** File position just after the last good record. */
  readonly endPosition: number;
  readonly records: number;
  /** Set when the scan stopped before `fileBytes`: the first bad or incomplete frame. */
  readonly problem?: { readonly position: number; readonly reason: string };
}

/**
 * Verify records from `fromPosition` to `fileBytes` (a file position, header
 * included) of a segment whose first record is at global offset `baseOffset`.
 * `visit` sees each good record (its payload is a view: copy to keep it).
 */
export function scanRecords(fd: number, fileBytes: number, baseOffset: number, fromPosition: number = SEGMENT_HEADER_BYTES, visit?: (r: WalRecord) => void): ScanResult {
  let pos = fromPosition;
  let records = 0;
  let buf = Buffer.alloc(0);
  let bufPos = pos;
  while (pos < fileBytes) {
    const offset = baseOffset + pos - SEGMENT_HEADER_BYTES;
    // Without a visitor a good record needs no object: only its size.
    const check = visit === undefined ? checkedFrameBytes(buf, pos - bufPos, offset, fileBytes - pos) : checkFrame(buf, pos - bufPos, offset, fileBytes - pos);
    if (typeof check === 'number') {
      records += 1;
      pos += check;
    } else if (check.kind === 'ok') {
      visit!(check.record);
      records += 1;
      pos += check.record.nextOffset - offset;
    } else if (check.kind === 'bad') {
      return { endPosition: pos, records, problem: { position: pos, reason: check.reason } };
    } else {
      // The frame's length was checked against the file already, so `need` is bounded.
      buf = Buffer.allocUnsafe(Math.min(Math.max(check.need, SCAN_CHUNK_BYTES), fileBytes - pos));
      bufPos = pos;
      const got = readFullySync(fd, buf, pos);
      if (got < buf.length) return { endPosition: pos, records, problem: { position: pos, reason: 'file shrank during the scan' } };
    }
  }
  return { endPosition: pos, records };
}

/**
 * After a bad frame at `badPosition`: is there any valid record later in the file?
 * If so the damage is not a torn tail. Tries every position; an all-zero frame
 * header is skipped at once (BLAKE3 never yields 32 zero bytes).
 */
export function findValidRecordAfter(fd: number, fileBytes: number, baseOffset: number, badPosition: number): number | undefined {
  const start = badPosition + 1;
  if (start >= fileBytes) return undefined;
  const tail = Buffer.allocUnsafe(fileBytes - start);
  readFullySync(fd, tail, start);
  for (let at = 0; at + RECORD_HEADER_BYTES <= tail.length; at++) {
    if (isZeroHash(tail, at + 8)) continue;
    const check = checkFrame(tail, at, baseOffset + start + at - SEGMENT_HEADER_BYTES, tail.length - at);
    if (check.kind === 'ok') return start + at;
  }
  return undefined;
}

function isZeroHash(buf: Buffer, at: number): boolean {
  for (let i = at; i < at + 32; i++) if (buf[i] !== 0) return false;
  return true;
}
