/**
 * The recovery rule, in one place (docs/WAL.md, "The recovery rule"). Open
 * (recovery.ts), `wal check` (check.ts), `wal repair` (repair.ts) and the log
 * readers (wal-reader.ts, log-read.ts) all ask this module whether damage is a
 * torn write — bytes no caller was ever told are durable, cut and quarantined —
 * or corruption, which loses acknowledged records and is never dropped silently.
 *
 * A bad frame in the last segment is torn when
 *   (a) no valid record follows it in the file (a cut, a zero extension, garbage
 *       past the last good record), or
 *   (b) it is a group commit torn out of order: the damage starts with a zeroed
 *       piece the way a lost write shows up (the piece from the frame's start to
 *       the next sector boundary, or a whole zeroed sector, before the next valid
 *       record) and lies within the last batch's bytes (`batchBytesMax` of the
 *       file's end). Like etcd's torn-entry rule, everything after the first torn
 *       frame was never synced, so valid frames after it were never acknowledged.
 * Anything else — damage in an earlier segment, a bad header, a gap — is corruption.
 */
import { WalCorruptionError, WalOffsetError } from './errors';
import { readFullySync } from './file-io';
import { decodeSegmentHeader } from './format';
import { RECORD_BYTES_MAX, RECORD_HEADER_BYTES, SCAN_CHUNK_BYTES, SECTOR_BYTES, SEGMENT_HEADER_BYTES } from './limits';
import { findValidRecordAfter } from './segment-scan';

export type DamageKind = 'torn' | 'corruption';

/** What a scan of a log reports: torn (cut on open), corruption, or a segment missing. */
export interface Damage {
  readonly kind: DamageKind | 'missing';
  /** Segment file name (or `MANIFEST`). */
  readonly file: string;
  /** Global offset where the damage starts. */
  readonly offset: number;
  readonly reason: string;
}

/** How a bad frame at `position` of a segment is to be treated. */
export interface FrameVerdict {
  readonly kind: DamageKind;
  readonly reason: string;
}

/**
 * Classify the first bad frame of a segment (file position `position`, `reason`
 * from the frame check). Only the last segment can hold a torn write.
 */
export function classifyBadFrame(fd: number, fileBytes: number, baseOffset: number, position: number, reason: string, isLast: boolean, batchBytesMax: number): FrameVerdict {
  if (!isLast) return { kind: 'corruption', reason: `${reason} (in a segment before the last)` };
  const valid = findValidRecordAfter(fd, fileBytes, baseOffset, position);
  if (valid === undefined) return { kind: 'torn', reason };
  const validOffset = baseOffset + valid - SEGMENT_HEADER_BYTES;
  const zeroed = lostWritePiece(fd, position, valid);
  if (zeroed !== undefined && fileBytes - position <= batchBytesMax) {
    return { kind: 'torn', reason: `${reason}; a group commit torn out of order (zeroed bytes at file position ${zeroed}, valid records from offset ${validOffset} were never synced)` };
  }
  return { kind: 'corruption', reason: `${reason}, and a valid record follows at offset ${validOffset}` };
}

/**
 * The file position of a zeroed piece in [from, to) that a lost write leaves: the
 * piece from `from` to the next sector boundary, or a whole aligned sector.
 */
function lostWritePiece(fd: number, from: number, to: number): number | undefined {
  const bytes = Buffer.allocUnsafe(to - from);
  const got = readFullySync(fd, bytes, from);
  const firstEnd = Math.min(got, Math.ceil((from + 1) / SECTOR_BYTES) * SECTOR_BYTES - from);
  if (firstEnd > 0 && isZero(bytes, 0, firstEnd)) return from;
  for (let at = firstEnd; at + SECTOR_BYTES <= got; at += SECTOR_BYTES) if (isZero(bytes, at, at + SECTOR_BYTES)) return from + at;
  return undefined;
}

function isZero(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== 0) return false;
  return true;
}

/** Whether the first `bytes` of the file are all zero (read in bounded chunks). */
export function allZero(fd: number, bytes: number, chunkBytes = SCAN_CHUNK_BYTES): boolean {
  const buf = Buffer.allocUnsafe(Math.max(1, Math.min(bytes, chunkBytes)));
  for (let pos = 0; pos < bytes; pos += buf.length) {
    const got = readFullySync(fd, buf, pos);
    if (!isZero(buf, 0, got)) return false;
  }
  return true;
}

/** The decoded header of an open segment, or why it is not valid (including a base that does not match the name). */
export function checkHeader(fd: number, nameBase: number): { ok: true } | { ok: false; reason: string } {
  const h = Buffer.alloc(SEGMENT_HEADER_BYTES);
  const decoded = decodeSegmentHeader(h.subarray(0, readFullySync(fd, h, 0)));
  if (!decoded.ok) return decoded;
  if (decoded.baseOffset !== nameBase) return { ok: false, reason: `header base offset ${decoded.baseOffset} does not match the file name` };
  return { ok: true };
}

/**
 * A segment whose header is not valid. It is a torn creation (no data, nothing
 * acknowledged) only when it is the last segment, the manifest does not name it
 * (segments are created under a temporary name and renamed only once their header
 * is durable, and the manifest names a segment only after that), and it holds
 * nothing but zeros or less than a header. Anything else is corruption.
 */
export function classifyBadHeader(fd: number, fileBytes: number, reason: string, isLast: boolean, named: boolean): FrameVerdict {
  if (!isLast) return { kind: 'corruption', reason };
  if (named) return { kind: 'corruption', reason: `${reason} (the manifest names this segment, so its header was durable)` };
  if (fileBytes <= SEGMENT_HEADER_BYTES || allZero(fd, fileBytes)) return { kind: 'torn', reason: `torn segment creation: ${reason}` };
  return { kind: 'corruption', reason: `${reason} (and the file holds data)` };
}

/** Where a failed read happened: the log's range and the segment read. */
export interface ReadPlace {
  readonly dir: string;
  readonly fileName: string;
  readonly baseOffset: number;
  readonly firstOffset: number;
  readonly headOffset: number;
}

/**
 * A frame at `offset` failed its checks on read. If `offset` is a record start
 * (the frame lengths from the segment's first record lead exactly there), the
 * record there is damaged: WalCorruptionError with file, offset and reason.
 * Otherwise the caller asked for an offset inside a record: WalOffsetError
 * `not_boundary`. The walk reads only frame headers (in SCAN_CHUNK_BYTES chunks)
 * and stops at `offset`, so it costs at most one pass over one segment.
 */
export function readFailure(fd: number, place: ReadPlace, offset: number, reason: string): WalCorruptionError | WalOffsetError {
  const target = SEGMENT_HEADER_BYTES + offset - place.baseOffset;
  const chunk = Buffer.allocUnsafe(SCAN_CHUNK_BYTES);
  let pos = SEGMENT_HEADER_BYTES;
  let chunkPos = 0;
  let chunkLen = 0;
  while (pos < target) {
    if (pos < chunkPos || pos + 4 > chunkPos + chunkLen) {
      chunkPos = pos;
      chunkLen = readFullySync(fd, chunk.subarray(0, Math.min(chunk.length, target - pos + 4)), pos);
      if (chunkLen < 4) break;
    }
    const len = chunk.readUInt32LE(pos - chunkPos);
    if (len > RECORD_BYTES_MAX) break;
    pos += RECORD_HEADER_BYTES + len;
  }
  if (pos === target) return new WalCorruptionError(place.dir, place.fileName, offset, reason);
  return new WalOffsetError('not_boundary', offset, place.firstOffset, place.headOffset);
}
