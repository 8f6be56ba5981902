/**
 * `stemedb snapshot create` (a store directory or a running reader → a
 * snapshot directory) and `stemedb snapshot verify DIR` (every check, nothing
 * written). Format and checks: docs/SNAPSHOTS.md.
 */
import { rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SnapshotManifest } from '../../../shared/snapshot/manifest';
import { parseFlags, parseFlagsAndOne, S, B } from '../args';
import { UsageError, type Command } from '../command';
import { StoreInUseError } from './store-dump';

const CREATE_HELP = `usage: stemedb snapshot create (--data DIR | --reader HOST:PORT) --out DIR [--json]

Writes a consistent snapshot of a reader's store at its applied offset into
--out (a new or empty directory): data files of the store's keys and values
and MANIFEST.json (offset, the writer's log id, each file's keys, bytes and
BLAKE3). A new reader starts from it with --bootstrap-snapshot DIR.

options:
  --data DIR          the store directory of a stopped reader (rocksdb/ and lmdb/ inside)
  --reader HOST:PORT  or a running reader: its Snapshot stream, taken while it keeps
                      ingesting (checked in full once received)
  --out DIR           where the snapshot goes (required)
  --json              print the manifest's summary as JSON
  -h, --help          show this help

Exit status: 0; 1 the store is in use, the reader failed, or a check failed; 2 a usage error.`;

const VERIFY_HELP = `usage: stemedb snapshot verify DIR [--log-id HEX] [--json]

Checks a snapshot directory without writing anything: the manifest (format
version, canonical form, its own BLAKE3), that DIR holds exactly the files it
lists, and every file's size, BLAKE3, entries and order, and the offsets.

options:
  --log-id HEX  also require the snapshot to be of this log (32 hex digits, as
                in the WAL's MANIFEST)
  --json        print the manifest's summary as JSON
  -h, --help    show this help

Exit status: 0 the snapshot is sound; 1 it is not (the message names the file,
expected and found); 2 a usage error.`;

function summary(m: SnapshotManifest, dir: string, json: boolean): string {
  if (json) return JSON.stringify({ dir, offset: m.offset, log_id: m.logId, version: m.version, created_at: m.createdAt, keys: m.keys, bytes: m.bytes, files: m.files.length });
  return `snapshot ${dir}: offset ${m.offset}, log ${m.logId === '' ? '(unknown)' : m.logId}, ${m.keys} keys, ${m.bytes} bytes in ${m.files.length} files`;
}

async function createOffline(data: string, out: string): Promise<SnapshotManifest> {
  if (!existsSync(join(data, 'rocksdb')) || !existsSync(join(data, 'lmdb'))) throw new Error(`${data}: not a store directory (no rocksdb/ and lmdb/)`);
  const { openHybridStore } = await import('../../../shared/storage/hybrid-store');
  const { createSnapshot } = await import('../../../shared/snapshot/snapshot-dir');
  const { storeLogId } = await import('../../reader/log-identity');
  let store: Awaited<ReturnType<typeof openHybridStore>>;
  try {
    store = await openHybridStore(data);
  } catch (err) {
    if (err instanceof Error && /\block\b/i.test(err.message)) throw new StoreInUseError(data);
    throw err;
  }
  try {
    return await createSnapshot(store, out, { logId: storeLogId(data) });
  } finally {
    await store.close();
  }
}

async function createOnline(reader: string, out: string): Promise<SnapshotManifest> {
  const { downloadSnapshot } = await import('../../reader/bootstrap');
  const { verifySnapshot } = await import('../../../shared/snapshot/snapshot-dir');
  try {
    await downloadSnapshot(reader, out);
    return await verifySnapshot(out);
  } catch (err) {
    await rm(out, { recursive: true, force: true });
    throw err;
  }
}

export const snapshotCreate: Command = {
  path: ['snapshot', 'create'],
  summary: "write a consistent snapshot of a store (or a running reader's) to a directory",
  help: CREATE_HELP,
  telemetry: 'client',
  async run(args, io) {
    const v = parseFlags<{ data?: string; reader?: string; out?: string; json?: boolean }>(args, { data: S, reader: S, out: S, json: B });
    if (v.out === undefined || v.out === '') throw new UsageError('--out is required');
    if ((v.data === undefined) === (v.reader === undefined)) throw new UsageError('give exactly one of --data DIR and --reader HOST:PORT');
    const manifest = v.data !== undefined ? await createOffline(v.data, v.out) : await createOnline(v.reader!, v.out);
    io.out(summary(manifest, v.out, v.json === true));
    return 0;
  },
};

export const snapshotVerify: Command = {
  path: ['snapshot', 'verify'],
  summary: 'check a snapshot directory (manifest, files, BLAKE3s) without writing',
  help: VERIFY_HELP,
  async run(args, io) {
    const { values: v, positional: dir } = parseFlagsAndOne<{ 'log-id'?: string; json?: boolean }>(args, { 'log-id': S, json: B }, 'DIR');
    const logId = v['log-id'];
    if (logId !== undefined && !/^[0-9a-f]{32}$/.test(logId)) throw new UsageError('--log-id must be 32 lowercase hex digits');
    const { verifySnapshot } = await import('../../../shared/snapshot/snapshot-dir');
    const manifest = await verifySnapshot(dir, logId === undefined ? {} : { logId, logSource: `--log-id` });
    io.out(summary(manifest, dir, v.json === true));
    return 0;
  },
};
