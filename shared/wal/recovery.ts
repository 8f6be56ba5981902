/**
 * Recovery on open (docs/WAL.md, "Recovery"): assess the directory (assess.ts,
 * which applies the one recovery rule of verdict.ts), refuse on corruption or a
 * missing segment, otherwise quarantine and cut the torn tail, finish an
 * interrupted retention or rotation, and bring the manifest up to date. A log
 * without a manifest (made before it existed) gets one built from a clean scan.
 */
import { fstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../telemetry/logger';
import { withSpanSync } from '../telemetry/tracing';
import { assessDir, type Assessment, type TornTail } from './assess';
import { WalCorruptionError } from './errors';
import { writeFileAtomicSync, type WalFs } from './file-io';
import { encodeSegmentHeader, segmentFileName } from './format';
import { newLogId, nextManifest, writeManifest, type Manifest } from './manifest';
import { quarantineRange } from './quarantine';
import type { SegmentEntry } from './segments';

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
  /** The log's identity (from the manifest). */
  readonly logId: string;
  /** Whether the manifest was created by this open (a new log, or one from before manifests: built from the scan). */
  readonly manifestCreated: boolean;
  /** Segments below the manifest's first segment that an interrupted retention left, now deleted. */
  readonly retentionLeftovers: number;
  readonly durationMs: number;
}

export interface Recovered {
  readonly segments: SegmentEntry[];
  readonly manifest: Manifest;
  readonly report: RecoveryReport;
}

export interface RecoverOptions {
  readonly io: WalFs;
  /** Recorded in the manifest: the largest batch this writer may leave torn. */
  readonly batchBytesMax: number;
}

/**
 * Create an empty segment under a temporary name (`<name>.tmp`: header written
 * and fsynced), rename it into place and fsync the directory, so a segment under
 * its real name always has a durable header. `durable` false (durability 'none')
 * skips the fsyncs.
 */
export function createSegment(io: WalFs, dir: string, baseOffset: number, durable = true): SegmentEntry {
  const fileName = segmentFileName(baseOffset);
  writeFileAtomicSync(io, dir, fileName, encodeSegmentHeader(baseOffset), durable);
  return { baseOffset, endOffset: baseOffset, fileName };
}

const TEMP_RE = /^([0-9a-f]{16}\.wal|MANIFEST)\.tmp$/;

/** Temporary files of a creation or manifest rewrite a crash interrupted: never part of the log. */
function removeTempFiles(io: WalFs, dir: string): void {
  const stale = readdirSync(dir).filter((n) => TEMP_RE.test(n));
  for (const name of stale) io.unlinkSync(join(dir, name));
  if (stale.length > 0) io.fsyncDirSync(dir);
}

/** Throw the first problem as a WalCorruptionError (the others are in `wal check`'s report). */
function refuse(dir: string, a: Assessment): void {
  const p = a.problems[0];
  if (p === undefined) return;
  const more = a.problems.length > 1 ? ` (and ${a.problems.length - 1} more; 'stemedb wal check' lists them)` : '';
  throw new WalCorruptionError(dir, p.file, p.offset, p.reason + more);
}

/** Quarantine the torn bytes, then cut them off (or remove a torn new segment). */
function cutTorn(io: WalFs, dir: string, torn: TornTail): string {
  const path = join(dir, torn.file);
  const fd = io.openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    const file = quarantineRange(io, dir, torn.file, torn.offset, fd, torn.position, size);
    if (!torn.wholeFile) {
      io.ftruncateSync(fd, torn.position);
      io.fsyncSync(fd);
    }
    return file;
  } finally {
    io.closeSync(fd);
  }
}

/** Scan, repair a torn tail, update the manifest, and return the segments with their verified ends. Caller holds the lock. */
export function recover(dir: string, logger: Logger, options: RecoverOptions): Recovered {
  const { io } = options;
  const started = performance.now();
  return withSpanSync('wal.recover', { 'wal.dir': dir }, (span) => {
    removeTempFiles(io, dir);
    const a = assessDir(dir);
    refuse(dir, a);
    let quarantineFile: string | null = null;
    if (a.torn !== undefined) {
      quarantineFile = cutTorn(io, dir, a.torn);
      if (a.torn.wholeFile) {
        io.unlinkSync(join(dir, a.torn.file));
        io.fsyncDirSync(dir);
      }
    }
    for (const name of a.leftovers) io.unlinkSync(join(dir, name));
    if (a.leftovers.length > 0) {
      io.fsyncDirSync(dir);
      logger.info('wal finished an interrupted retention', { dir, segments: a.leftovers.length });
    }
    const segments: SegmentEntry[] = a.segments.map((s) => ({ baseOffset: s.baseOffset, endOffset: s.endOffset, fileName: s.fileName }));
    if (segments.length === 0) segments.push(createSegment(io, dir, a.torn?.offset ?? 0));
    const manifest = updateManifest(io, dir, a, segments, options.batchBytesMax, logger);
    const report: RecoveryReport = {
      segments: segments.length,
      records: a.segments.reduce((n, s) => n + s.records, 0),
      bytes: segments[segments.length - 1]!.endOffset - segments[0]!.baseOffset,
      truncatedBytes: a.torn === undefined ? 0 : a.torn.fileBytes - a.torn.position,
      quarantineFile,
      reason: a.torn?.reason ?? null,
      logId: manifest.logId,
      manifestCreated: a.manifest.kind === 'absent',
      retentionLeftovers: a.leftovers.length,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    };
    span.setAttributes({ segments: report.segments, records: report.records, bytes: report.bytes, truncated_bytes: report.truncatedBytes });
    if (quarantineFile !== null) logger.warn('wal recovered a torn tail', { dir, ...report });
    else logger.info('wal recovered', { dir, ...report });
    return { segments, manifest, report };
  });
}

function updateManifest(io: WalFs, dir: string, a: Assessment, segments: SegmentEntry[], batchBytesMax: number, logger: Logger): Manifest {
  const firstBase = segments[0]!.baseOffset;
  const lastBase = segments[segments.length - 1]!.baseOffset;
  if (a.manifest.kind !== 'ok') {
    // A new log, or one from before manifests: the scan above found it clean, so it is the truth.
    const manifest: Manifest = { logId: newLogId(), firstBase, lastBase, retentionFloor: firstBase, batchBytesMax, generation: 1 };
    writeManifest(io, dir, manifest);
    const upgraded = a.segments.length > 0;
    if (upgraded) logger.warn('wal manifest built from a clean scan (log made before manifests, or MANIFEST removed)', { dir, first_base: firstBase, last_base: lastBase, log_id: manifest.logId });
    return manifest;
  }
  const m = a.manifest.manifest;
  if (m.firstBase === firstBase && m.lastBase === lastBase && m.batchBytesMax === batchBytesMax) return m;
  if (a.unrecorded !== undefined) logger.info('wal recorded a segment an interrupted rotation created', { dir, file: a.unrecorded });
  const next = nextManifest(m, { firstBase, lastBase, batchBytesMax });
  writeManifest(io, dir, next);
  return next;
}
