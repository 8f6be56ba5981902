/**
 * `stemedb wal check`: a read-only scan of a WAL directory (no lock, safe while a
 * writer runs). Verifies every header and record and lists the problems. While a
 * live writer holds the lock, an incomplete frame at the end of the last segment
 * is a write in progress, not a problem.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { readFullySync } from './file-io';
import { decodeSegmentHeader } from './format';
import { SEGMENT_HEADER_BYTES } from './limits';
import { lockHolder } from './lock';
import { findValidRecordAfter, scanRecords } from './segment-scan';
import { listSegmentFiles } from './segments';

export type CheckProblemKind = 'torn_tail' | 'corruption';

export interface CheckProblem {
  readonly kind: CheckProblemKind;
  readonly file: string;
  /** Global offset where the damage starts. */
  readonly offset: number;
  readonly reason: string;
}

export interface CheckSegment {
  readonly fileName: string;
  readonly baseOffset: number;
  /** End of the verified records. */
  readonly endOffset: number;
  readonly records: number;
  readonly fileBytes: number;
}

export interface CheckReport {
  readonly dir: string;
  readonly segments: CheckSegment[];
  readonly records: number;
  /** Logical bytes of verified records. */
  readonly bytes: number;
  /** First offset of the log (null when it holds no segment). */
  readonly firstOffset: number | null;
  /** Offset of the last verified record (null when there is none). */
  readonly lastOffset: number | null;
  /** End of the verified records. */
  readonly headOffset: number | null;
  /** Pid of a live writer holding the lock, or null. */
  readonly writerPid: number | null;
  /** Bytes past the verified end of a live writer's active segment (a write in progress). */
  readonly unverifiedTailBytes: number;
  readonly problems: CheckProblem[];
}

export function checkDir(dir: string): CheckReport {
  const holder = lockHolder(dir);
  const files = listSegmentFiles(dir);
  const segments: CheckSegment[] = [];
  const problems: CheckProblem[] = [];
  let lastOffset: number | null = null;
  let unverifiedTailBytes = 0;
  let expectedBase: number | undefined;
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    const isLast = i === files.length - 1;
    const fd = openSync(join(dir, f.fileName), 'r');
    try {
      const size = fstatSync(fd).size;
      const h = Buffer.alloc(SEGMENT_HEADER_BYTES);
      const header = decodeSegmentHeader(h.subarray(0, readFullySync(fd, h, 0)));
      if (!header.ok || header.baseOffset !== f.baseOffset) {
        const reason = header.ok ? `header base offset ${header.baseOffset} does not match the file name` : header.reason;
        // A live writer may be creating this segment right now.
        if (isLast && holder !== undefined && size <= SEGMENT_HEADER_BYTES) unverifiedTailBytes += size;
        else problems.push({ kind: isLast && size <= SEGMENT_HEADER_BYTES ? 'torn_tail' : 'corruption', file: f.fileName, offset: f.baseOffset, reason });
        continue;
      }
      if (expectedBase !== undefined && f.baseOffset !== expectedBase) {
        problems.push({ kind: 'corruption', file: f.fileName, offset: f.baseOffset, reason: `segment starts at ${f.baseOffset} but the previous one ends at ${expectedBase}` });
      }
      const scan = scanRecords(fd, size, f.baseOffset, SEGMENT_HEADER_BYTES, (r) => (lastOffset = r.offset));
      const endOffset = f.baseOffset + scan.endPosition - SEGMENT_HEADER_BYTES;
      segments.push({ fileName: f.fileName, baseOffset: f.baseOffset, endOffset, records: scan.records, fileBytes: size });
      expectedBase = endOffset;
      if (scan.problem === undefined) continue;
      const offset = f.baseOffset + scan.problem.position - SEGMENT_HEADER_BYTES;
      if (!isLast) {
        problems.push({ kind: 'corruption', file: f.fileName, offset, reason: scan.problem.reason });
        expectedBase = undefined; // the real end is unknown: do not also report the next segment as a gap
      }
      else if (findValidRecordAfter(fd, size, f.baseOffset, scan.problem.position) !== undefined) {
        problems.push({ kind: 'corruption', file: f.fileName, offset, reason: `${scan.problem.reason}, and valid records follow` });
      } else if (holder !== undefined) unverifiedTailBytes += size - scan.problem.position;
      else problems.push({ kind: 'torn_tail', file: f.fileName, offset, reason: `${scan.problem.reason} (${size - scan.problem.position} bytes; 'stemedb wal repair' quarantines them)` });
    } finally {
      closeSync(fd);
    }
  }
  const first = segments[0];
  const last = segments[segments.length - 1];
  return {
    dir,
    segments,
    records: segments.reduce((n, s) => n + s.records, 0),
    bytes: segments.reduce((n, s) => n + s.endOffset - s.baseOffset, 0),
    firstOffset: first?.baseOffset ?? null,
    lastOffset,
    headOffset: last?.endOffset ?? null,
    writerPid: holder?.pid ?? null,
    unverifiedTailBytes,
    problems,
  };
}
