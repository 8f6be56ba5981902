/**
 * `stemedb writer consumers --wal DIR [--remove ID]`: the consumers registered
 * for retention in a WAL directory (`consumers.json`, docs/OPERATIONS.md,
 * "Retention"), and removing one that will never come back. Listing reads the
 * file and is safe beside a running writer (the running writer's live view is
 * `stemedb head --writer`); removing takes the WAL's lock, so it is refused
 * while the writer runs.
 */
import { resolve } from 'node:path';
import { readManifest } from '../../../shared/wal/manifest';
import { acquireLock } from '../../../shared/wal/lock';
import { WalLockedError } from '../../../shared/wal/errors';
import { consumerIdProblem, consumersFilePath, readConsumersFile, writeConsumersFile, type ConsumerEntry } from '../../writer/consumer-file';
import { parseFlags, required, S, B } from '../args';
import { UsageError, type Command } from '../command';

const HELP = `usage: stemedb writer consumers --wal DIR [--remove ID] [--json]

List the consumers (readers) registered with the writer of the WAL directory
DIR for retention: each one's id, the offset it has applied the log through,
when it registered and when it last reported. The file is read only, so this
is safe while the writer runs; 'stemedb head --writer HOST:PORT' shows the
running writer's live cursors with their lag and expiry.

--remove ID deletes a consumer that will not come back (a decommissioned
reader), so it no longer holds retention back. It takes the WAL's lock: stop
the writer first. A consumer that lags more than --retention-lag-bytes-max
stops holding retention on its own, without a restart.

options:
  --wal DIR      the writer's WAL directory (required)
  --remove ID    remove this consumer (the writer must be stopped)
  --json         print {"log_id","consumers":[...]} (after the removal, if any)
  -h, --help     show this help

Exit status: 0; 1 the directory or its registry cannot be read, the consumer
is not registered, or the writer is running (with --remove); 2 a usage error.`;

/** A removal that could not be done (exit 1). */
export class ConsumerRemovalError extends Error {
  override readonly name = 'ConsumerRemovalError';
  constructor(
    readonly dir: string,
    readonly consumerId: string,
    readonly reason: string,
  ) {
    super(`cannot remove consumer '${consumerId}' from ${dir}: ${reason}`);
  }
}

function logIdOf(dir: string): string {
  const m = readManifest(dir);
  if (m.kind === 'absent') throw new ConsumerRemovalError(dir, '-', 'no MANIFEST: not a WAL directory a writer has opened');
  if (m.kind === 'bad') throw new ConsumerRemovalError(dir, '-', `its MANIFEST is damaged (${m.reason}); run 'stemedb wal check ${dir}'`);
  return m.manifest.logId;
}

function remove(dir: string, logId: string, id: string): ConsumerEntry[] {
  let lock;
  try {
    lock = acquireLock(dir);
  } catch (err) {
    if (err instanceof WalLockedError) throw new ConsumerRemovalError(dir, id, `the writer (pid ${err.pid}) is running; stop it first`);
    throw err;
  }
  try {
    const entries = readConsumersFile(dir, logId);
    if (!entries.some((e) => e.consumerId === id)) throw new ConsumerRemovalError(dir, id, `no such consumer (registered: ${entries.map((e) => e.consumerId).join(', ') || 'none'})`);
    const kept = entries.filter((e) => e.consumerId !== id);
    writeConsumersFile(dir, logId, kept);
    return kept;
  } finally {
    lock.release();
  }
}

function render(dir: string, logId: string, entries: readonly ConsumerEntry[]): string {
  const lines = [`registry:  ${consumersFilePath(dir)}`, `log id:    ${logId}`, `consumers: ${entries.length}`];
  for (const e of entries) lines.push(`  ${e.consumerId}  applied ${e.appliedOffset}  registered ${new Date(e.registeredAtMs).toISOString()}  reported ${new Date(e.reportedAtMs).toISOString()}`);
  return lines.join('\n');
}

export const writerConsumers: Command = {
  path: ['writer', 'consumers'],
  summary: 'list (or remove) the consumers registered for retention in a WAL directory',
  help: HELP,
  async run(args, io) {
    const v = parseFlags<Record<string, string | boolean | undefined>>(args, { wal: S, remove: S, json: B });
    const dir = resolve(required(v, 'wal'));
    const id = v.remove as string | undefined;
    if (id !== undefined) {
      const problem = consumerIdProblem(id);
      if (problem !== null) throw new UsageError(`--remove: the consumer id ${problem}`);
    }
    const logId = logIdOf(dir);
    const entries = id === undefined ? readConsumersFile(dir, logId) : remove(dir, logId, id);
    if (id !== undefined) io.err(`removed consumer '${id}'`);
    const json = { log_id: logId, consumers: entries.map((e) => ({ consumer_id: e.consumerId, applied_offset: e.appliedOffset, registered_at_ms: e.registeredAtMs, reported_at_ms: e.reportedAtMs })) };
    io.out(v.json === true ? JSON.stringify(json) : render(dir, logId, entries));
    return 0;
  },
};
