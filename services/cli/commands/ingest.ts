/**
 * `stemedb ingest --wal DIR --data DIR`: rebuild (or bring up to date) a store
 * offline from a WAL directory, up to the log's end as of the start. Resumable:
 * a killed ingest continues from the store's cursor, and the result is the
 * same store a one-pass build gives.
 */
import { existsSync } from 'node:fs';
import { VERIFY_MODES, isVerifyMode, type VerifyMode } from '../../ingest/check-record';
import { Ingestor } from '../../ingest/ingestor';
import { INGEST_BATCH_RECORDS_MAX } from '../../ingest/limits';
import { VERIFY_WORKERS_MAX, defaultVerifyWorkers } from '../../../shared/verify';
import { ProgressBar } from '../../ingest/progress-bar';
import { WalDirSource } from '../../ingest/sources/wal-dir-source';
import { openHybridStore } from '../../../shared/storage/hybrid-store';
import { parseFlags } from '../args';
import { UsageError, type Command } from '../command';

const HELP = `usage: stemedb ingest --wal DIR --data DIR [--json] [--batch-records N] [--verify all|none] [--verify-workers N]

Applies every record of the WAL directory, up to its end when the command
starts, to the store in --data (created if missing): verifies each record
again (unless --verify none), skips and counts invalid ones, and commits in
batches with the store's cursor. Safe to kill at any point: run it again and
it resumes from the store's cursor, with the same result as an uninterrupted
run.

A progress bar (records, MB, records/s, ETA) goes to stderr when it is a
terminal; a summary line ends the run.

options:
  --wal DIR            the WAL directory to read (not modified; a writer may be running)
  --data DIR           the store directory (rocksdb/ and lmdb/ inside)
  --batch-records N    records per store batch, 1..${INGEST_BATCH_RECORDS_MAX} (default ${INGEST_BATCH_RECORDS_MAX})
  --verify all|none    all (default): verify every record's signatures again;
                       none: trust the log (its writer verified them, and every
                       frame's CRC32C and BLAKE3 is checked on read) — only for
                       your own writer's WAL, never one copied from elsewhere
  --verify-workers N   threads verifying signatures while a batch applies, 0..${VERIFY_WORKERS_MAX}
                       (default: cores - 1, at least 1; 0 verifies on the applying thread)
  --json               print the summary as one JSON object on stdout
  -h, --help           show this help

environment:
  STEMEDB_LOG_LEVEL    debug logs every batch (offsets); invalid records are logged at warn`;

/** What `stemedb ingest` reports when it ends. */
export interface IngestSummary {
  readonly wal: string;
  readonly data: string;
  /** Which signatures were verified (`--verify`). */
  readonly verify: VerifyMode;
  readonly fromOffset: number;
  readonly appliedOffset: number;
  readonly headOffset: number;
  readonly records: number;
  readonly rejected: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly recordsPerSec: number;
}

function intOption(name: string, raw: string, min: number, max: number): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`--${name} must be ${min}..${max}, got '${raw}'`);
  return n;
}

function verifyOption(raw: string): VerifyMode {
  if (!isVerifyMode(raw)) throw new UsageError(`--verify must be one of ${VERIFY_MODES.join(', ')}, got '${raw}'`);
  return raw;
}

function parse(args: string[]): { wal: string; data: string; json: boolean; batchRecords: number; verify: VerifyMode; verifyWorkers: number } {
  const values = parseFlags<{ wal?: string; data?: string; json?: boolean; 'batch-records'?: string; verify?: string; 'verify-workers'?: string }>(args, {
    wal: { type: 'string' },
    data: { type: 'string' },
    json: { type: 'boolean' },
    'batch-records': { type: 'string' },
    verify: { type: 'string' },
    'verify-workers': { type: 'string' },
  });
  if (values.wal === undefined || values.data === undefined) throw new UsageError('--wal and --data are required');
  return {
    wal: values.wal,
    data: values.data,
    json: values.json === true,
    batchRecords: intOption('batch-records', values['batch-records'] ?? String(INGEST_BATCH_RECORDS_MAX), 1, INGEST_BATCH_RECORDS_MAX),
    verify: verifyOption(values.verify ?? 'all'),
    verifyWorkers: intOption('verify-workers', values['verify-workers'] ?? String(defaultVerifyWorkers()), 0, VERIFY_WORKERS_MAX),
  };
}

export function renderSummary(s: IngestSummary): string {
  return `ingested ${s.records} records (${s.rejected} rejected, ${(s.bytes / 1e6).toFixed(1)} MB) in ${s.seconds.toFixed(1)} s, ${Math.round(s.recordsPerSec)} records/s; ${s.data} applied through offset ${s.appliedOffset} of ${s.headOffset}`;
}

export const ingest: Command = {
  path: ['ingest'],
  summary: 'rebuild a store from a WAL directory (offline, resumable)',
  help: HELP,
  async run(args, io) {
    const opts = parse(args);
    if (!existsSync(opts.wal)) throw new Error(`${opts.wal}: no such WAL directory`);
    const source = await WalDirSource.open(opts.wal);
    try {
      const head = await source.head();
      const store = await openHybridStore(opts.data);
      try {
        let records = 0;
        let rejected = 0;
        const progress = io.isTty ? new ProgressBar((line) => io.err(line)) : undefined;
        const ingestor = await Ingestor.open(store, source, {
          batchRecordsMax: opts.batchRecords,
          verify: opts.verify,
          verifyWorkers: opts.verifyWorkers,
          onBatch: (b) => {
            records += b.records;
            rejected += b.rejected;
            progress?.update(records, b.appliedThrough - fromOffset, head - fromOffset);
          },
        });
        const fromOffset = ingestor.appliedOffset;
        const started = performance.now();
        try {
          await ingestor.catchUp(head);
        } finally {
          await ingestor.close();
        }
        progress?.done();
        const seconds = (performance.now() - started) / 1000;
        const summary: IngestSummary = {
          wal: opts.wal,
          data: opts.data,
          verify: opts.verify,
          fromOffset,
          appliedOffset: ingestor.appliedOffset,
          headOffset: head,
          records,
          rejected,
          bytes: ingestor.appliedOffset - fromOffset,
          seconds,
          recordsPerSec: seconds > 0 ? records / seconds : 0,
        };
        if (opts.json) io.out(JSON.stringify(summary));
        else io.err(renderSummary(summary));
        return 0;
      } finally {
        await store.close();
      }
    } finally {
      await source.close();
    }
  },
};
