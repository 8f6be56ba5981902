/** The ordered list of segment files and the binary search that maps an offset to one. */
import { readdirSync } from 'node:fs';
import { parseSegmentFileName } from './format';

/** One segment file: records with offsets in [baseOffset, endOffset). */
export interface SegmentInfo {
  readonly baseOffset: number;
  /** Offset just after the segment's last (durable, verified) record. */
  readonly endOffset: number;
  readonly fileName: string;
}

/** A mutable entry used inside the log; `segments()` hands out frozen copies. */
export interface SegmentEntry {
  baseOffset: number;
  endOffset: number;
  fileName: string;
}

/** Index of the last segment whose base offset is <= `offset`, or -1. */
export function findSegment(segments: readonly { readonly baseOffset: number }[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (segments[mid]!.baseOffset <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Segment files in `dir` ordered by base offset (other files are ignored). */
export function listSegmentFiles(dir: string): { baseOffset: number; fileName: string }[] {
  const out: { baseOffset: number; fileName: string }[] = [];
  for (const name of readdirSync(dir)) {
    const base = parseSegmentFileName(name);
    if (base !== undefined) out.push({ baseOffset: base, fileName: name });
  }
  return out.sort((a, b) => a.baseOffset - b.baseOffset);
}
