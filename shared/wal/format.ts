/**
 * The bytes on disk (docs/WAL.md): the 32-byte segment header, the 40-byte record
 * frame, and segment file names. Pure functions over buffers; no I/O.
 *
 * Segment header: magic "STEMEWAL" (8) ‖ version u32 LE ‖ reserved u32 (0) ‖
 * base offset u64 LE ‖ reserved u32 (0) ‖ crc32c of bytes 0..27 u32 LE.
 * Record: len u32 LE ‖ crc32c u32 LE ‖ blake3(payload) (32) ‖ payload (len).
 */
import { BLAKE3_BYTES, blake3, blake3Matches, crc32cOf, frameCrc, readU64, writeU64 } from './checksum';
import { OFFSET_MAX, RECORD_BYTES_MAX, RECORD_HEADER_BYTES, SEGMENT_HEADER_BYTES } from './limits';

export const SEGMENT_MAGIC = Buffer.from('STEMEWAL', 'ascii');
/** On-disk format version written into every segment header. */
export const FORMAT_VERSION = 2;
const SEGMENT_FILE_RE = /^([0-9a-f]{16})\.wal$/;

/** `{base_offset:016x}.wal` */
export function segmentFileName(baseOffset: number): string {
  return baseOffset.toString(16).padStart(16, '0') + '.wal';
}

/** The base offset a segment file name encodes, or undefined for other files. */
export function parseSegmentFileName(name: string): number | undefined {
  const m = SEGMENT_FILE_RE.exec(name);
  if (m === null) return undefined;
  const base = parseInt(m[1]!, 16);
  return base <= OFFSET_MAX ? base : undefined;
}

export function encodeSegmentHeader(baseOffset: number): Buffer {
  const h = Buffer.alloc(SEGMENT_HEADER_BYTES);
  SEGMENT_MAGIC.copy(h, 0);
  h.writeUInt32LE(FORMAT_VERSION, 8);
  writeU64(h, 16, baseOffset);
  h.writeUInt32LE(crc32cOf(h.subarray(0, 28)), 28);
  return h;
}

/** Decode a header; returns the base offset or a reason it is not valid. */
export function decodeSegmentHeader(h: Uint8Array): { ok: true; baseOffset: number } | { ok: false; reason: string } {
  if (h.length < SEGMENT_HEADER_BYTES) return { ok: false, reason: `segment header truncated (${h.length} of ${SEGMENT_HEADER_BYTES} bytes)` };
  const b = Buffer.from(h.buffer, h.byteOffset, SEGMENT_HEADER_BYTES);
  if (!b.subarray(0, 8).equals(SEGMENT_MAGIC)) return { ok: false, reason: 'bad segment magic' };
  if (b.readUInt32LE(28) !== crc32cOf(b.subarray(0, 28))) return { ok: false, reason: 'segment header checksum mismatch' };
  const version = b.readUInt32LE(8);
  if (version !== FORMAT_VERSION) return { ok: false, reason: `unsupported format version ${version} (expected ${FORMAT_VERSION})` };
  const baseOffset = readU64(b, 16);
  if (baseOffset > OFFSET_MAX) return { ok: false, reason: `base offset ${baseOffset} beyond ${OFFSET_MAX}` };
  return { ok: true, baseOffset };
}

/** Frame one payload for the given global offset: header and payload in one buffer. */
export function encodeRecord(offset: number, payload: Uint8Array, hash: Buffer = blake3(payload)): Buffer {
  const frame = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  encodeRecordInto(frame, 0, offset, payload, hash);
  return frame;
}

/**
 * Frame one payload for the given global offset into `out` at `at` (the
 * `RECORD_HEADER_BYTES + payload.length` bytes from there, which must fit):
 * the frames of one append written back to back into one buffer, without a
 * buffer per frame and a copy to join them. Returns where the frame ends.
 */
export function encodeRecordInto(out: Buffer, at: number, offset: number, payload: Uint8Array, hash: Buffer = blake3(payload)): number {
  const end = at + RECORD_HEADER_BYTES + payload.length;
  if (at < 0 || end > out.length) throw new RangeError(`a ${payload.length}-byte payload's frame does not fit at ${at} of a ${out.length}-byte buffer`);
  out.writeUInt32LE(payload.length, at);
  hash.copy(out, at + 8);
  out.set(payload, at + RECORD_HEADER_BYTES);
  out.writeUInt32LE(frameCrc(offset, out, at, payload.length), at + 4);
  return end;
}

/** A record as readers see it. `payload` may share memory with a read buffer: copy it to keep it long. */
export interface WalRecord {
  readonly offset: number;
  readonly payload: Buffer;
  /** BLAKE3 of the payload (32 bytes), verified on read (unless the read was asked not to: ReadChecks). */
  readonly hash: Buffer;
  readonly nextOffset: number;
}

/** Outcome of checking the frame at `start` of `buf` (global offset `offset`). */
export type FrameCheck =
  | { kind: 'ok'; record: WalRecord }
  /** Not enough bytes in `buf` for the whole frame (`need` bytes from start). */
  | { kind: 'short'; need: number }
  | { kind: 'bad'; reason: string };

/**
 * What a read checks besides the frame's length. `hash: false` leaves out the
 * BLAKE3 of the payload, keeping CRC32C (which covers the stored hash and the
 * payload, so damage on disk is still caught): for a read whose records are
 * forwarded with their stored hash to a consumer that checks it (the writer's
 * Tail; docs/WAL.md, "Reads").
 */
export interface ReadChecks {
  /** @default true */
  readonly hash?: boolean;
}

/** Why a frame did not check (checkFrame's outcomes other than ok). */
export type FrameProblem = Exclude<FrameCheck, { kind: 'ok' }>;

/**
 * Check one frame: len within RECORD_BYTES_MAX and within `limit` (bytes of the
 * log that exist after `start`), then CRC32C, then BLAKE3 (unless `checks.hash`
 * is false). Nothing is allocated before len has been checked; the payload is a
 * view into `buf`.
 */
export function checkFrame(buf: Buffer, start: number, offset: number, limit: number, checks: ReadChecks = {}): FrameCheck {
  const total = checkedFrameBytes(buf, start, offset, limit, checks);
  if (typeof total !== 'number') return total;
  const hash = buf.subarray(start + 8, start + 8 + BLAKE3_BYTES);
  const payload = buf.subarray(start + RECORD_HEADER_BYTES, start + total);
  return { kind: 'ok', record: { offset, payload, hash, nextOffset: offset + total } };
}

/**
 * checkFrame's checks without the record: the good frame's size in bytes
 * (header and payload), or what is wrong with it. A scan that only needs to
 * know where the good records end (a reader's refresh, recovery) allocates
 * nothing per good record.
 */
export function checkedFrameBytes(buf: Buffer, start: number, offset: number, limit: number, checks: ReadChecks = {}): number | FrameProblem {
  const have = buf.length - start;
  if (limit < RECORD_HEADER_BYTES) return { kind: 'bad', reason: `${limit} bytes left, less than a record header` };
  if (have < RECORD_HEADER_BYTES) return { kind: 'short', need: RECORD_HEADER_BYTES };
  const len = buf.readUInt32LE(start);
  if (len > RECORD_BYTES_MAX) return { kind: 'bad', reason: `record length ${len} over the maximum ${RECORD_BYTES_MAX}` };
  const total = RECORD_HEADER_BYTES + len;
  if (total > limit) return { kind: 'bad', reason: `record length ${len} runs past the end of the segment (${limit - RECORD_HEADER_BYTES} bytes left)` };
  if (have < total) return { kind: 'short', need: total };
  if (buf.readUInt32LE(start + 4) !== frameCrc(offset, buf, start, len)) return { kind: 'bad', reason: 'record crc32c mismatch' };
  if (checks.hash !== false && !blake3Matches(buf.subarray(start + RECORD_HEADER_BYTES, start + total), buf, start + 8)) return { kind: 'bad', reason: 'record blake3 mismatch' };
  return total;
}
