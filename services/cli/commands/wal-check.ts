/**
 * `stemedb wal check DIR`: verify every segment header and record of a WAL
 * directory without changing anything (safe while a writer runs). Exit 1 when it
 * finds problems.
 */
import { existsSync } from 'node:fs';
import { checkDir, type CheckReport } from '../../../shared/wal/check';
import { parseFlagsAndOne } from '../args';
import type { Command } from '../command';

const HELP = `usage: stemedb wal check DIR [--json]

Read-only scan of a WAL directory: every segment header and every record's
CRC32C and BLAKE3 are verified, and the segments against the MANIFEST (a
missing first, middle or last segment is reported by name). Safe to run while
a writer appends: an incomplete record at the end of a live writer's active
segment is a write in progress, not a problem.

Prints the log id, segments, records, bytes, first/last offset and problems
(torn_tail, corruption, missing_segment; each with segment file and offset).
Exit status: 0 clean, 1 problems found (or DIR unreadable), 2 usage error.
A torn tail is fixed by 'stemedb wal repair DIR'; see docs/WAL.md.

options:
  --json       print the report as one JSON object
  -h, --help   show this help`;

export function renderCheck(r: CheckReport): string {
  const lines = [
    `dir:      ${r.dir}`,
    `log id:   ${r.manifest?.logId ?? '- (no MANIFEST: the writer builds one from a clean scan on open)'}`,
    `writer:   ${r.writerPid === null ? 'none' : `pid ${r.writerPid} (live)`}`,
    `segments: ${r.segments.length}`,
    `records:  ${r.records}`,
    `bytes:    ${r.bytes}`,
    `first:    ${r.firstOffset ?? '-'}`,
    `last:     ${r.lastOffset ?? '-'}`,
    `head:     ${r.headOffset ?? '-'}`,
  ];
  if (r.manifest !== null) lines.push(`manifest: segments ${r.manifest.firstBase}..${r.manifest.lastBase} (base offsets), retention floor ${r.manifest.retentionFloor}, generation ${r.manifest.generation}`);
  if (r.retentionLeftovers.length > 0) lines.push(`retention leftovers: ${r.retentionLeftovers.join(', ')} (below the manifest's first segment; deleted on the next open)`);
  if (r.unverifiedTailBytes > 0) lines.push(`in progress: ${r.unverifiedTailBytes} bytes past the verified end (live writer)`);
  if (r.problems.length === 0) lines.push('problems: none');
  else {
    lines.push(`problems: ${r.problems.length}`);
    for (const p of r.problems) lines.push(`  ${p.kind} in ${p.file} at offset ${p.offset}: ${p.reason}`);
  }
  return lines.join('\n');
}

export const walCheck: Command = {
  path: ['wal', 'check'],
  summary: 'verify a WAL directory (read-only)',
  help: HELP,
  async run(args, io) {
    const parsed = parseFlagsAndOne<{ json?: boolean }>(args, { json: { type: 'boolean' } }, 'DIR');
    const dir = parsed.positional;
    if (!existsSync(dir)) throw new Error(`${dir}: no such directory`);
    const report = checkDir(dir);
    io.out(parsed.values.json === true ? JSON.stringify(report) : renderCheck(report));
    return report.problems.length === 0 ? 0 : 1;
  },
};
