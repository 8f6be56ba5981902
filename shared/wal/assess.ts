/**
 * A scan of a WAL directory against its manifest, applying the recovery rule
 * (verdict.ts) to every segment: which segments verify and where they end, the
 * torn tail (if any), and every problem. Recovery acts on it, `wal check`
 * prints it; neither decides on its own.
 *
 * Against the manifest: segments below its first base are what an interrupted
 * retention left (finished on open); one segment past its last base is what an
 * interrupted rotation left (recorded on open); the first, the last and every
 * segment between them must exist and be contiguous, or the log is missing
 * records. Files that are not segments (LOCK, MANIFEST, quarantine/, ids/, …)
 * are not looked at.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { segmentFileName, type WalRecord } from './format';
import { BATCH_BYTES_MAX_DEFAULT, SEGMENT_HEADER_BYTES } from './limits';
import { MANIFEST_FILE, readManifest, type ManifestRead } from './manifest';
import { scanRecords } from './segment-scan';
import { listSegmentFiles } from './segments';
import { checkHeader, classifyBadFrame, classifyBadHeader, type Damage } from './verdict';

export interface AssessedSegment {
  readonly fileName: string;
  readonly baseOffset: number;
  /** End of the verified records. */
  readonly endOffset: number;
  readonly records: number;
  readonly fileBytes: number;
}

/** The torn write at the end of the last segment: file position `position` to EOF (the whole file for a torn creation). */
export interface TornTail extends Damage {
  readonly kind: 'torn';
  readonly position: number;
  readonly fileBytes: number;
  /** A torn segment creation: the file is removed, not truncated. */
  readonly wholeFile: boolean;
}

export interface Assessment {
  readonly manifest: ManifestRead;
  /** Segments with a valid header, oldest first, each verified to `endOffset`. */
  readonly segments: AssessedSegment[];
  readonly torn: TornTail | undefined;
  /** Corruption and missing segments: each one loses records. */
  readonly problems: Damage[];
  /** Segments below the manifest's first base: an interrupted retention. */
  readonly leftovers: string[];
  /** A segment past the manifest's last base: an interrupted rotation (it holds nothing acknowledged). */
  readonly unrecorded: string | undefined;
  /** Offset of the last verified record, or null. */
  readonly lastRecordOffset: number | null;
}

export function assessDir(dir: string, visit?: (r: WalRecord) => void): Assessment {
  const files = listSegmentFiles(dir);
  // Read after listing: retention rewrites the manifest before it unlinks, rotation after it creates.
  const manifest = readManifest(dir);
  const problems: Damage[] = [];
  const m = manifest.kind === 'ok' ? manifest.manifest : undefined;
  if (manifest.kind === 'bad') problems.push({ kind: 'corruption', file: MANIFEST_FILE, offset: 0, reason: manifest.reason });
  const leftovers = m === undefined ? [] : files.filter((f) => f.baseOffset < m.firstBase).map((f) => f.fileName);
  const live = m === undefined ? files : files.filter((f) => f.baseOffset >= m.firstBase);
  let unrecorded: string | undefined;
  if (m !== undefined) {
    if (live[0]?.baseOffset !== m.firstBase) problems.push(missing(m.firstBase, `the manifest's first segment ${segmentFileName(m.firstBase)} is missing`));
    const past = live.filter((f) => f.baseOffset > m.lastBase);
    if (!live.some((f) => f.baseOffset === m.lastBase)) problems.push(missing(m.lastBase, `the manifest's last segment ${segmentFileName(m.lastBase)} is missing`));
    if (past.length === 1) unrecorded = past[0]!.fileName;
    for (const extra of past.slice(1)) problems.push({ kind: 'corruption', file: extra.fileName, offset: extra.baseOffset, reason: `segment past the manifest's last segment ${segmentFileName(m.lastBase)} and past the one a rotation may add` });
  }
  const batchBytesMax = m?.batchBytesMax ?? BATCH_BYTES_MAX_DEFAULT;
  const segments: AssessedSegment[] = [];
  let torn: TornTail | undefined;
  let lastRecordOffset: number | null = null;
  let expectedBase: number | undefined;
  for (let i = 0; i < live.length; i++) {
    const f = live[i]!;
    const isLast = i === live.length - 1;
    if (expectedBase !== undefined && f.baseOffset !== expectedBase) {
      const reason = `segment ${segmentFileName(expectedBase)} is missing: the previous segment ends at ${expectedBase}, ${f.fileName} starts at ${f.baseOffset}`;
      problems.push(missing(expectedBase, reason));
    }
    expectedBase = undefined;
    const fd = openSync(join(dir, f.fileName), 'r');
    try {
      const size = fstatSync(fd).size;
      const header = checkHeader(fd, f.baseOffset);
      if (!header.ok) {
        const named = m !== undefined && f.baseOffset <= m.lastBase;
        const v = classifyBadHeader(fd, size, header.reason, isLast, named);
        if (v.kind === 'torn') torn = { kind: 'torn', file: f.fileName, offset: f.baseOffset, reason: v.reason, position: 0, fileBytes: size, wholeFile: true };
        else problems.push({ kind: 'corruption', file: f.fileName, offset: f.baseOffset, reason: v.reason });
        continue;
      }
      const scan = scanRecords(fd, size, f.baseOffset, SEGMENT_HEADER_BYTES, (r) => {
        lastRecordOffset = r.offset;
        visit?.(r);
      });
      const endOffset = f.baseOffset + scan.endPosition - SEGMENT_HEADER_BYTES;
      segments.push({ fileName: f.fileName, baseOffset: f.baseOffset, endOffset, records: scan.records, fileBytes: size });
      if (scan.problem === undefined) {
        expectedBase = endOffset;
        continue;
      }
      const offset = endOffset;
      const v = classifyBadFrame(fd, size, f.baseOffset, scan.problem.position, scan.problem.reason, isLast, batchBytesMax);
      if (v.kind === 'torn') torn = { kind: 'torn', file: f.fileName, offset, reason: v.reason, position: scan.problem.position, fileBytes: size, wholeFile: false };
      else problems.push({ kind: 'corruption', file: f.fileName, offset, reason: v.reason });
      // After corruption the segment's real end is unknown: the next one is not also reported as a gap.
    } finally {
      closeSync(fd);
    }
  }
  return { manifest, segments, torn, problems, leftovers, unrecorded, lastRecordOffset };
}

function missing(offset: number, reason: string): Damage {
  return { kind: 'missing', file: segmentFileName(offset), offset, reason };
}
