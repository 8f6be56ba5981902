/**
 * `stemedb wal check`: a read-only scan of a WAL directory (no lock, safe while a
 * writer runs) against its manifest, with the same rule recovery applies
 * (assess.ts, verdict.ts). While a live writer holds the lock, a torn tail of the
 * last segment is a write in progress, not a problem, and a missing segment or
 * damage in the active segment is looked at once more before it is reported.
 */
import { assessDir, type Assessment } from './assess';
import { lockHolder } from './lock';
import type { DamageKind } from './verdict';

/** `torn_tail`: cut (and quarantined) on open or by repair. The others lose records. */
export type CheckProblemKind = 'torn_tail' | 'corruption' | 'missing_segment';

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

export interface CheckManifest {
  readonly logId: string;
  readonly firstBase: number;
  readonly lastBase: number;
  readonly retentionFloor: number;
  readonly generation: number;
}

export interface CheckReport {
  readonly dir: string;
  /** The manifest, or null when there is none (a log from before manifests: the writer builds one on open). */
  readonly manifest: CheckManifest | null;
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
  /** Segments below the manifest's first one (an interrupted retention; deleted on the next open). */
  readonly retentionLeftovers: string[];
  readonly problems: CheckProblem[];
}

const KINDS: Readonly<Record<DamageKind | 'missing', CheckProblemKind>> = { torn: 'torn_tail', corruption: 'corruption', missing: 'missing_segment' };

export function checkDir(dir: string): CheckReport {
  const holder = lockHolder(dir);
  let a = assessDir(dir);
  // Beside a live writer, look once more before reporting a missing segment (a rotation between the
  // listing and the manifest read) or damage in the active segment (a read racing the writer's copy).
  const active = a.segments[a.segments.length - 1]?.fileName;
  if (holder !== undefined && a.problems.some((p) => p.kind === 'missing' || p.file === active)) a = assessDir(dir);
  const problems: CheckProblem[] = a.problems.map((p) => ({ kind: KINDS[p.kind], file: p.file, offset: p.offset, reason: p.reason }));
  let unverifiedTailBytes = 0;
  if (a.torn !== undefined) {
    if (holder !== undefined) unverifiedTailBytes = a.torn.fileBytes - a.torn.position;
    else {
      const bytes = a.torn.fileBytes - a.torn.position;
      problems.push({ kind: 'torn_tail', file: a.torn.file, offset: a.torn.offset, reason: `${a.torn.reason} (${bytes} bytes; 'stemedb wal repair' quarantines them)` });
    }
  }
  const segments = a.segments.map((s) => ({ ...s }));
  const first = segments[0];
  const last = segments[segments.length - 1];
  return {
    dir,
    manifest: manifestOf(a),
    segments,
    records: segments.reduce((n, s) => n + s.records, 0),
    bytes: segments.reduce((n, s) => n + s.endOffset - s.baseOffset, 0),
    firstOffset: first?.baseOffset ?? null,
    lastOffset: a.lastRecordOffset,
    headOffset: last?.endOffset ?? null,
    writerPid: holder?.pid ?? null,
    unverifiedTailBytes,
    retentionLeftovers: a.leftovers,
    problems,
  };
}

function manifestOf(a: Assessment): CheckManifest | null {
  if (a.manifest.kind !== 'ok') return null;
  const { logId, firstBase, lastBase, retentionFloor, generation } = a.manifest.manifest;
  return { logId, firstBase, lastBase, retentionFloor, generation };
}
