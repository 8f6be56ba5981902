/**
 * Recovery on open (docs/WAL.md, "Recovery"). Every segment header and every
 * record's CRC32C and BLAKE3 are checked. A bad or partial record at the tail of
 * the last segment is quarantined and cut off; damage anywhere before that makes
 * the open fail with WalCorruptionError, because dropping it would lose records.
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../telemetry/logger';
import { withSpanSync } from '../telemetry/tracing';
import { WalCorruptionError } from './errors';
import { fsyncDir, readFullySync } from './file-io';
import { decodeSegmentHeader, encodeSegmentHeader, segmentFileName } from './format';
import { SEGMENT_HEADER_BYTES } from './limits';
import { quarantineRange } from './quarantine';
import { findValidRecordAfter, scanRecords } from './segment-scan';
import { listSegmentFiles, type SegmentEntry } from './segments';

/** What recovery found and did; logged and exposed as `Wal.recoveryReport`. */
export interface RecoveryReport {
  readonly segments: number;
  /** Good records in the log after recovery. */
  readonly records: number;
  /** Logical bytes (framed records, headers excluded) after recovery. */
  readonly bytes: number;
  /** Bytes cut from the tail (and copied to quarantine). */
  readonly truncatedBytes: number;
  /** Quarantine file relative to the WAL directory, or null when nothing was cut. */
  readonly quarantineFile: string | null;
  /** Why bytes were cut, or null. */
  readonly reason: string | null;
  readonly durationMs: number;
}

export interface Recovered {
  readonly segments: SegmentEntry[];
  readonly report: RecoveryReport;
}

/**
 * Create an empty segment: header written, then file and directory fsynced
 * (skipped only when `durable` is false, i.e. durability 'none').
 */
export function createSegment(dir: string, baseOffset: number, durable = true): SegmentEntry {
  const fileName = segmentFileName(baseOffset);
  const fd = openSync(join(dir, fileName), 'wx');
  try {
    writeSync(fd, encodeSegmentHeader(baseOffset), 0, SEGMENT_HEADER_BYTES, 0);
    if (durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (durable) fsyncDir(dir);
  return { baseOffset, endOffset: baseOffset, fileName };
}

function allZero(fd: number, bytes: number): boolean {
  const buf = Buffer.allocUnsafe(Math.min(bytes, 1 << 20));
  for (let pos = 0; pos < bytes; pos += buf.length) {
    const got = readFullySync(fd, buf, pos);
    for (let i = 0; i < got; i++) if (buf[i] !== 0) return false;
  }
  return true;
}

interface Cut {
  file: string | null;
  bytes: number;
  reason: string | null;
}

/**
 * The last segment's header is unreadable. If the file holds no data (shorter
 * than a header, or all zeros), it is a segment whose creation was torn by a
 * crash: quarantine and remove it. Otherwise it is corruption.
 */
function dropTornNewSegment(dir: string, seg: { baseOffset: number; fileName: string }, reason: string): Cut {
  const fd = openSync(join(dir, seg.fileName), 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > SEGMENT_HEADER_BYTES && !allZero(fd, size)) throw new WalCorruptionError(dir, seg.fileName, seg.baseOffset, reason);
    const file = quarantineRange(dir, seg.fileName, seg.baseOffset, fd, 0, size);
    unlinkSync(join(dir, seg.fileName));
    fsyncDir(dir);
    return { file, bytes: size, reason: `torn segment creation: ${reason}` };
  } finally {
    closeSync(fd);
  }
}

/** Scan, repair a torn tail, and return the segments with their verified ends. Caller holds the lock. */
export function recover(dir: string, logger: Logger): Recovered {
  const started = performance.now();
  return withSpanSync('wal.recover', { 'wal.dir': dir }, (span) => {
    const files = listSegmentFiles(dir);
    let cut: Cut = { file: null, bytes: 0, reason: null };
    const last = files[files.length - 1];
    if (last !== undefined) {
      const header = readHeader(dir, last.fileName);
      if (!header.ok) {
        cut = dropTornNewSegment(dir, last, header.reason);
        files.pop();
        if (files.length === 0) files.push({ ...createSegment(dir, last.baseOffset) });
      }
    } else files.push({ ...createSegment(dir, 0) });

    const segments: SegmentEntry[] = [];
    let records = 0;
    for (let i = 0; i < files.length; i++) {
      const f = files[i]!;
      const isLast = i === files.length - 1;
      const expectedBase = i === 0 ? f.baseOffset : segments[i - 1]!.endOffset;
      const scanned = recoverSegment(dir, f.fileName, f.baseOffset, expectedBase, isLast);
      records += scanned.records;
      if (scanned.cut !== undefined) cut = scanned.cut;
      segments.push({ baseOffset: f.baseOffset, endOffset: scanned.endOffset, fileName: f.fileName });
    }
    const report: RecoveryReport = {
      segments: segments.length,
      records,
      bytes: segments[segments.length - 1]!.endOffset - segments[0]!.baseOffset,
      truncatedBytes: cut.bytes,
      quarantineFile: cut.file,
      reason: cut.reason,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    };
    span.setAttributes({ segments: report.segments, records: report.records, bytes: report.bytes, truncated_bytes: report.truncatedBytes });
    if (cut.file !== null) logger.warn('wal recovered a torn tail', { dir, ...report });
    else logger.info('wal recovered', { dir, ...report });
    return { segments, report };
  });
}

function readHeader(dir: string, fileName: string): ReturnType<typeof decodeSegmentHeader> {
  const fd = openSync(join(dir, fileName), 'r');
  try {
    const h = Buffer.alloc(SEGMENT_HEADER_BYTES);
    const got = readFullySync(fd, h, 0);
    return decodeSegmentHeader(h.subarray(0, got));
  } finally {
    closeSync(fd);
  }
}

function recoverSegment(dir: string, fileName: string, nameBase: number, expectedBase: number, isLast: boolean): { endOffset: number; records: number; cut?: Cut } {
  const fd = openSync(join(dir, fileName), isLast ? 'r+' : 'r');
  try {
    const size = fstatSync(fd).size;
    const header = Buffer.alloc(SEGMENT_HEADER_BYTES);
    const decoded = decodeSegmentHeader(header.subarray(0, readFullySync(fd, header, 0)));
    if (!decoded.ok) throw new WalCorruptionError(dir, fileName, nameBase, decoded.reason);
    if (decoded.baseOffset !== nameBase) throw new WalCorruptionError(dir, fileName, nameBase, `header base offset ${decoded.baseOffset} does not match the file name`);
    if (nameBase !== expectedBase) throw new WalCorruptionError(dir, fileName, nameBase, `segment starts at ${nameBase} but the previous one ends at ${expectedBase}`);
    const scan = scanRecords(fd, size, nameBase);
    const endOffset = nameBase + scan.endPosition - SEGMENT_HEADER_BYTES;
    if (scan.problem === undefined) return { endOffset, records: scan.records };
    const badOffset = nameBase + scan.problem.position - SEGMENT_HEADER_BYTES;
    if (!isLast) throw new WalCorruptionError(dir, fileName, badOffset, `${scan.problem.reason} (in a segment before the last)`);
    const valid = findValidRecordAfter(fd, size, nameBase, scan.problem.position);
    if (valid !== undefined) {
      throw new WalCorruptionError(dir, fileName, badOffset, `${scan.problem.reason}, and a valid record follows at offset ${nameBase + valid - SEGMENT_HEADER_BYTES}`);
    }
    const file = quarantineRange(dir, fileName, badOffset, fd, scan.problem.position, size);
    ftruncateSync(fd, scan.problem.position);
    fsyncSync(fd);
    return { endOffset, records: scan.records, cut: { file, bytes: size - scan.problem.position, reason: scan.problem.reason } };
  } finally {
    closeSync(fd);
  }
}
