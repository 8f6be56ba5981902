/**
 * `stemedb wal repair DIR [--truncate-at OFFSET]`: quarantine a torn tail (what a
 * writer's recovery would do) without starting a writer; with --truncate-at, cut
 * corruption before the tail at a record boundary the operator chose. Refuses
 * while another process holds the directory's lock.
 */
import { existsSync } from 'node:fs';
import { createLogger } from '../../../shared/telemetry/logger';
import { WalCorruptionError } from '../../../shared/wal/errors';
import { repairDir } from '../../../shared/wal/repair';
import { parseFlagsAndOne } from '../args';
import { UsageError, type Command } from '../command';

const HELP = `usage: stemedb wal repair DIR [--truncate-at OFFSET] [--json]

Take the WAL directory's lock (refused while a writer or another repair holds
it) and run recovery: a bad or partial record at the tail of the last segment is
copied to DIR/quarantine/<segment>-<offset>-<time>.bin, then cut off.

Corruption before the tail is never dropped on its own: repair reports the
segment and offset and exits 1. To cut the log there, pass --truncate-at OFFSET
(a record boundary at or below the damage, e.g. the reported offset): every
byte from OFFSET on — the rest of that segment and all later segments — is
copied to quarantine/ first, and the log then ends at OFFSET.

options:
  --truncate-at OFFSET   cut the log at this record boundary (quarantining the rest)
  --json                 print the report as one JSON object
  -h, --help             show this help

Exit status: 0 repaired or clean, 1 refused (locked, corruption, bad offset), 2 usage error.`;

export const walRepair: Command = {
  path: ['wal', 'repair'],
  summary: 'quarantine a torn WAL tail (or cut at --truncate-at)',
  help: HELP,
  async run(args, io) {
    const parsed = parseFlagsAndOne<{ json?: boolean; 'truncate-at'?: string }>(args, { json: { type: 'boolean' }, 'truncate-at': { type: 'string' } }, 'DIR');
    const dir = parsed.positional;
    const rawCut = parsed.values['truncate-at'];
    let truncateAt: number | undefined;
    if (rawCut !== undefined) {
      if (!/^\d+$/.test(rawCut) || !Number.isSafeInteger(Number(rawCut))) throw new UsageError(`--truncate-at must be a non-negative integer offset, got '${rawCut}'`);
      truncateAt = Number(rawCut);
    }
    if (!existsSync(dir)) throw new Error(`${dir}: no such directory`);
    // Recovery logs its report as JSON on stderr; the command prints its own summary.
    const logger = createLogger({ component: 'wal-repair' });
    try {
      const report = repairDir(dir, logger, truncateAt);
      const r = report.recovery;
      if (parsed.values.json === true) io.out(JSON.stringify(report));
      else {
        const lines = [`segments: ${r.segments}`, `records:  ${r.records}`, `bytes:    ${r.bytes}`];
        if (r.quarantineFile !== null) lines.push(`torn tail: ${r.truncatedBytes} bytes moved to ${r.quarantineFile} (${r.reason ?? ''})`);
        for (const q of report.quarantined) lines.push(`cut: moved to ${q}`);
        if (r.quarantineFile === null && report.quarantined.length === 0) lines.push('nothing to repair');
        io.out(lines.join('\n'));
      }
      return 0;
    } catch (err) {
      if (err instanceof WalCorruptionError) {
        io.err(`stemedb wal repair: ${err.message}\nnothing was changed. To cut the log there (quarantining everything after), run:\n  stemedb wal repair ${dir} --truncate-at ${err.offset}`);
        return 1;
      }
      throw err;
    }
  },
};
