/**
 * Reading records by global offset over a list of segments: the part `Wal` and
 * `WalReader` share. Every record is verified (CRC32C and BLAKE3, or CRC32C
 * alone when the caller asks: ReadChecks) on the way out, and nothing at or past
 * `headOffset` is ever returned.
 */
import { WalCorruptionError, WalOffsetError } from './errors';
import { readFailure } from './verdict';
import { readFullySync } from './file-io';
import { checkFrame, type ReadChecks, type WalRecord } from './format';
import { READ_AHEAD_BYTES, RECORD_HEADER_BYTES, SEGMENT_HEADER_BYTES } from './limits';
import type { SegmentFiles } from './segment-files';
import { findSegment, type SegmentInfo } from './segments';

/** What a read may see: the segment list and the readable range [firstOffset, headOffset). */
export interface ReadView {
  readonly dir: string;
  readonly segmentList: readonly SegmentInfo[];
  readonly firstOffset: number;
  readonly headOffset: number;
}

function locate(view: ReadView, offset: number): SegmentInfo {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new WalOffsetError('not_boundary', offset, view.firstOffset, view.headOffset);
  if (offset < view.firstOffset) throw new WalOffsetError('before_first', offset, view.firstOffset, view.headOffset);
  if (offset >= view.headOffset) throw new WalOffsetError('beyond_head', offset, view.firstOffset, view.headOffset);
  const seg = view.segmentList[findSegment(view.segmentList, offset)];
  if (seg === undefined || offset >= seg.endOffset) throw new WalOffsetError('not_boundary', offset, view.firstOffset, view.headOffset);
  return seg;
}

/** A record start whose frame is bad is damage; any other offset is not a boundary (verdict.ts decides). */
function failedAt(fd: number, view: ReadView, seg: SegmentInfo, offset: number, reason: string): WalCorruptionError | WalOffsetError {
  return readFailure(fd, { dir: view.dir, fileName: seg.fileName, baseOffset: seg.baseOffset, firstOffset: view.firstOffset, headOffset: view.headOffset }, offset, reason);
}

function segmentLimit(view: ReadView, seg: SegmentInfo): number {
  return Math.min(seg.endOffset, view.headOffset);
}

/** The record starting at `offset`; WalOffsetError when there is none. */
export function readRecord(files: SegmentFiles, view: ReadView, offset: number, checks: ReadChecks = {}): WalRecord {
  const seg = locate(view, offset);
  const fd = files.fd(seg.fileName);
  const position = SEGMENT_HEADER_BYTES + offset - seg.baseOffset;
  const limit = segmentLimit(view, seg) - offset;
  // One read usually covers the whole frame; a larger record costs a second read.
  const head = Buffer.allocUnsafe(Math.min(RECORD_HEADER_BYTES + READ_AHEAD_BYTES, limit));
  readFullySync(fd, head, position);
  let check = checkFrame(head, 0, offset, limit, checks);
  if (check.kind === 'short') {
    // checkFrame bounded `need` by RECORD_BYTES_MAX and by the bytes left before allocating.
    const frame = Buffer.allocUnsafe(check.need);
    head.copy(frame, 0);
    const got = readFullySync(fd, frame.subarray(head.length), position + head.length);
    check = got === frame.length - head.length ? checkFrame(frame, 0, offset, limit, checks) : { kind: 'bad', reason: 'file shorter than expected' };
  }
  if (check.kind !== 'ok') throw failedAt(fd, view, seg, offset, check.kind === 'bad' ? check.reason : 'record incomplete');
  return check.record;
}

/**
 * Records from `offset` in order, as many as fit in `bytesMax` framed bytes (at
 * least one when `offset` is below the head, whatever its size). Crosses segments.
 */
export function readRecords(files: SegmentFiles, view: ReadView, offset: number, bytesMax: number, checks: ReadChecks = {}): WalRecord[] {
  const out: WalRecord[] = [];
  let pos = offset;
  let budget = bytesMax;
  locate(view, offset);
  while (pos < view.headOffset && budget >= RECORD_HEADER_BYTES) {
    const seg = view.segmentList[findSegment(view.segmentList, pos)]!;
    const end = segmentLimit(view, seg);
    const chunk = Buffer.allocUnsafe(Math.min(budget, end - pos));
    readFullySync(files.fd(seg.fileName), chunk, SEGMENT_HEADER_BYTES + pos - seg.baseOffset);
    let at = 0;
    for (;;) {
      const check = checkFrame(chunk, at, pos, end - pos, checks);
      if (check.kind === 'short') break;
      if (check.kind === 'bad') {
        if (out.length === 0) throw failedAt(files.fd(seg.fileName), view, seg, offset, check.reason);
        throw new WalCorruptionError(view.dir, seg.fileName, pos, check.reason);
      }
      out.push(check.record);
      at += check.record.nextOffset - pos;
      budget -= check.record.nextOffset - pos;
      pos = check.record.nextOffset;
      if (pos >= end) break;
    }
    if (pos < end) break; // the budget ran out inside this segment
  }
  if (out.length === 0 && offset < view.headOffset) out.push(readRecord(files, view, offset, checks));
  return out;
}
