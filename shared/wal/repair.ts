/**
 * `stemedb wal repair`: with the directory's lock held (so never under a live
 * writer), run recovery — which quarantines a torn tail — or, for corruption
 * before the tail, cut the log at an operator-chosen record boundary with
 * `truncateAt`: everything from there on (the rest of that segment and every
 * later segment) is copied to quarantine/ first. Nothing is ever dropped silently.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from '../telemetry/logger';
import { WalCorruptionError, WalOffsetError } from './errors';
import { NODE_FILE_IO, readFullySync, type WalFs } from './file-io';
import { decodeSegmentHeader } from './format';
import { BATCH_BYTES_MAX_DEFAULT, SEGMENT_HEADER_BYTES } from './limits';
import { acquireLock } from './lock';
import { nextManifest, readManifest, writeManifest } from './manifest';
import { quarantineRange } from './quarantine';
import { recover, type RecoveryReport } from './recovery';
import { scanRecords } from './segment-scan';
import { findSegment, listSegmentFiles } from './segments';

export interface RepairReport {
  readonly recovery: RecoveryReport;
  /** Quarantine files written by `truncateAt` (relative to the directory). */
  readonly quarantined: string[];
  /** Bytes cut by `truncateAt` (segment headers of removed segments included). */
  readonly cutBytes: number;
}

export function repairDir(dirIn: string, logger: Logger, truncateAt?: number, io: WalFs = NODE_FILE_IO): RepairReport {
  const dir = resolve(dirIn);
  const lock = acquireLock(dir, io);
  try {
    const cut = truncateAt === undefined ? { quarantined: [], cutBytes: 0 } : cutAt(io, dir, truncateAt);
    const m = readManifest(dir);
    const batchBytesMax = m.kind === 'ok' ? m.manifest.batchBytesMax : BATCH_BYTES_MAX_DEFAULT;
    return { recovery: recover(dir, logger, { io, batchBytesMax }).report, ...cut };
  } finally {
    lock.release();
  }
}

/**
 * Verify everything below `offset`, then quarantine and remove everything from it
 * on. The manifest is rewritten (last segment = the cut one) before later segments
 * are unlinked; a crash in between is finished by running the same command again.
 */
function cutAt(io: WalFs, dir: string, offset: number): { quarantined: string[]; cutBytes: number } {
  const files = listSegmentFiles(dir);
  const idx = findSegment(files, offset);
  if (idx < 0) throw new WalOffsetError('before_first', offset, files[0]?.baseOffset ?? 0, 0);
  for (let i = 0; i <= idx; i++) {
    const f = files[i]!;
    const fd = openSync(join(dir, f.fileName), 'r');
    try {
      const size = fstatSync(fd).size;
      const h = Buffer.alloc(SEGMENT_HEADER_BYTES);
      const header = decodeSegmentHeader(h.subarray(0, readFullySync(fd, h, 0)));
      if (!header.ok) throw new WalCorruptionError(dir, f.fileName, f.baseOffset, `${header.reason}: cannot keep records before --truncate-at ${offset}`);
      const stopAt = i === idx ? SEGMENT_HEADER_BYTES + offset - f.baseOffset : size;
      if (stopAt > size) throw new WalOffsetError('beyond_head', offset, files[0]!.baseOffset, f.baseOffset + size - SEGMENT_HEADER_BYTES);
      let boundary = i < idx;
      const scan = scanRecords(fd, size, f.baseOffset, SEGMENT_HEADER_BYTES, (r) => (boundary ||= r.offset === offset));
      const stopped = scan.problem?.position ?? size;
      if (stopped < stopAt) {
        const bad = f.baseOffset + stopped - SEGMENT_HEADER_BYTES;
        throw new WalCorruptionError(dir, f.fileName, bad, `${scan.problem!.reason}: damage below --truncate-at ${offset}`);
      }
      if (!boundary && stopped !== stopAt) throw new WalOffsetError('not_boundary', offset, files[0]!.baseOffset, f.baseOffset + stopped - SEGMENT_HEADER_BYTES);
    } finally {
      closeSync(fd);
    }
  }
  const quarantined: string[] = [];
  let cutBytes = 0;
  const target = files[idx]!;
  const position = SEGMENT_HEADER_BYTES + offset - target.baseOffset;
  const fd = io.openSync(join(dir, target.fileName), 'r+');
  try {
    const size = fstatSync(fd).size;
    if (size > position) {
      quarantined.push(quarantineRange(io, dir, target.fileName, offset, fd, position, size));
      cutBytes += size - position;
      io.ftruncateSync(fd, position);
      io.fsyncSync(fd);
    }
  } finally {
    io.closeSync(fd);
  }
  const later = files.slice(idx + 1);
  for (const seg of later) {
    const lfd = openSync(join(dir, seg.fileName), 'r');
    try {
      const size = fstatSync(lfd).size;
      quarantined.push(quarantineRange(io, dir, seg.fileName, seg.baseOffset, lfd, 0, size));
      cutBytes += size;
    } finally {
      closeSync(lfd);
    }
  }
  const m = readManifest(dir);
  if (m.kind === 'ok' && m.manifest.lastBase !== target.baseOffset) writeManifest(io, dir, nextManifest(m.manifest, { lastBase: target.baseOffset }));
  for (const seg of later) io.unlinkSync(join(dir, seg.fileName));
  io.fsyncDirSync(dir);
  return { quarantined, cutBytes };
}
