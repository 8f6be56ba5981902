/**
 * The snapshot format end to end on real stores: create → verify → restore
 * gives a byte-identical dump; a view pinned before a batch never shows it;
 * and every check refuses its damage with a typed error, leaving the target
 * store empty (docs/SNAPSHOTS.md, "Checks").
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openHybridStore } from '../../shared/storage/hybrid-store';
import { createSnapshot, verifySnapshot } from '../../shared/snapshot/snapshot-dir';
import { restoreSnapshot, storeIsEmpty } from '../../shared/snapshot/restore';
import { FILE_HEADER_BYTES, MANIFEST_FILE } from '../../shared/snapshot/format';
import { SNAPSHOT_FORMAT_VERSION } from '../../shared/snapshot/limits';
import { FORMAT_KEY, formatStampValue, STORE_FORMAT_VERSION } from '../../shared/storage/store-format';
import { blake3 } from '../../shared/domain/hash';
import { useTempDir } from '../helpers/tmp';
import { dumpOf, fillStore, flipByte, readManifest, resealManifest } from './fixtures';

const LOG_ID = 'ab'.repeat(16);
const OTHER_LOG_ID = 'cd'.repeat(16);

describe('snapshots', () => {
  const tmp = useTempDir('stemedb-snapshot-');
  const paths = () => ({ data: join(tmp.path, 'data'), snap: join(tmp.path, 'snap'), target: join(tmp.path, 'target') });

  async function snapshotOf(batches = 5, fileBytesMax?: number): Promise<void> {
    const { data, snap } = paths();
    const store = await openHybridStore(data);
    await fillStore(store, batches, 40);
    await createSnapshot(store, snap, { logId: LOG_ID, ...(fileBytesMax === undefined ? {} : { fileBytesMax }) });
    await store.close();
  }

  async function expectRefused(error: string, message: RegExp, logId = LOG_ID): Promise<void> {
    const { snap, target } = paths();
    await expect(verifySnapshot(snap, { logId, logSource: 'writer w:1' })).rejects.toMatchObject({ name: error, message: expect.stringMatching(message) });
    await expect(restoreSnapshot(snap, target, { logId, logSource: 'writer w:1' })).rejects.toMatchObject({ name: error });
    expect(await storeIsEmpty(target)).toBe(true);
    expect(existsSync(join(target, 'restoring'))).toBe(false);
  }

  it('restores a store equal byte for byte, at the same offset, across several files per backend', async () => {
    await snapshotOf(5, 2048);
    const { data, snap, target } = paths();
    const manifest = await verifySnapshot(snap, { logId: LOG_ID });
    expect(manifest).toMatchObject({ offset: 500, logId: LOG_ID, version: SNAPSHOT_FORMAT_VERSION, keys: 5 * 40 * 2 + 3 }); // the data, both cursors and the store format stamp
    expect(manifest.files.filter((f) => f.backend === 'rocksdb').length).toBeGreaterThan(1);
    expect(manifest.files.filter((f) => f.backend === 'lmdb').length).toBeGreaterThan(1);
    for (const f of manifest.files) {
      expect(statSync(join(snap, f.name)).size).toBe(f.bytes);
      expect(f.bytes).toBeLessThanOrEqual(2048);
      expect(blake3(readFileSync(join(snap, f.name))).toString('hex')).toBe(f.blake3);
    }
    await restoreSnapshot(snap, target, { logId: LOG_ID });
    expect(await dumpOf(target)).toBe(await dumpOf(data));
    const restored = await openHybridStore(target);
    expect(restored.cursors()).toEqual({ rocks: 500, lmdb: 500 });
    await restored.close();
    expect(readdirSync(target).sort()).toEqual(['lmdb', 'rocksdb']);
  });

  it('a pinned view holds the store as of the pin while later batches commit', async () => {
    const { data } = paths();
    const store = await openHybridStore(data);
    await fillStore(store, 3, 10);
    const before: string[] = [];
    for await (const e of store.dump()) before.push(`${e.key.toString('hex')}=${e.value.toString('hex')}`);
    const view = await store.pinView();
    await fillStore(store, 3, 10, 3); // commits while the view is open
    const seen: string[] = [];
    for await (const [k, v] of view.rocks) seen.push(`${k.toString('hex')}=${v.toString('hex')}`);
    for await (const [k, v] of view.lmdb) seen.push(`${k.toString('hex')}=${v.toString('hex')}`);
    await view.release();
    expect(view.appliedThrough).toBe(300);
    // The view holds the store's every key; a dump leaves out only the format stamp.
    const stamp = `${FORMAT_KEY.toString('hex')}=${formatStampValue().toString('hex')}`;
    expect(seen).toContain(stamp);
    expect(seen.filter((e) => e !== stamp)).toEqual(before);
    expect(store.cursors().rocks).toBe(600);
    await store.close();
  });

  it('refuses a flipped byte in a data file (BLAKE3), naming the file and both hashes', async () => {
    await snapshotOf();
    const file = readManifest(paths().snap).files[1]!;
    flipByte(paths().snap, file.name, FILE_HEADER_BYTES + 20);
    await expectRefused('SnapshotIntegrityError', new RegExp(`${file.name}: .*BLAKE3 differs from the manifest \\(expected ${file.blake3}`));
  });

  it('refuses a flipped byte in the manifest', async () => {
    await snapshotOf();
    const text = readFileSync(join(paths().snap, MANIFEST_FILE), 'utf8');
    flipByte(paths().snap, MANIFEST_FILE, text.indexOf('"offset"') + 11); // a digit of the offset: still JSON, still canonical
    await expectRefused('SnapshotIntegrityError', /MANIFEST\.json: BLAKE3 of the manifest does not match/);
  });

  it('refuses a missing data file and an extra file', async () => {
    await snapshotOf();
    const { snap } = paths();
    const gone = readManifest(snap).files[0]!.name;
    const bytes = readFileSync(join(snap, gone));
    const { rmSync } = await import('node:fs');
    rmSync(join(snap, gone));
    await expectRefused('SnapshotFilesError', new RegExp(`missing ${gone}`));
    writeFileSync(join(snap, gone), bytes);
    writeFileSync(join(snap, 'notes.txt'), 'hello');
    await expectRefused('SnapshotFilesError', /unexpected notes\.txt/);
  });

  it('refuses a snapshot of another log', async () => {
    await snapshotOf();
    await expectRefused('SnapshotLogMismatchError', new RegExp(`is of log ${LOG_ID}, but writer w:1 serves log ${OTHER_LOG_ID}`), OTHER_LOG_ID);
  });

  it('refuses a newer format version, in the manifest and in a file header', async () => {
    await snapshotOf();
    const { snap } = paths();
    const original = readFileSync(join(snap, MANIFEST_FILE));
    resealManifest(snap, (m) => ({ ...m, version: SNAPSHOT_FORMAT_VERSION + 1 }));
    await expectRefused('SnapshotVersionError', new RegExp(`format version ${SNAPSHOT_FORMAT_VERSION + 1}, this StemeDB reads up to version ${SNAPSHOT_FORMAT_VERSION}`));
    writeFileSync(join(snap, MANIFEST_FILE), original);
    // A file header saying version 2, with the manifest's hash of it made to match.
    const file = readManifest(snap).files[0]!;
    const bytes = readFileSync(join(snap, file.name));
    bytes.writeUInt16BE(SNAPSHOT_FORMAT_VERSION + 1, 8);
    writeFileSync(join(snap, file.name), bytes);
    resealManifest(snap, (m) => ({ ...m, files: m.files.map((f) => (f.name === file.name ? { ...f, blake3: blake3(bytes).toString('hex') } : f)) }));
    await expectRefused('SnapshotVersionError', new RegExp(`${file.name} has format version ${SNAPSHOT_FORMAT_VERSION + 1}`));
  });

  it('refuses a snapshot of another store format, before anything is written', async () => {
    await snapshotOf();
    const { snap } = paths();
    expect(readManifest(snap).storeFormat).toBe(STORE_FORMAT_VERSION);
    resealManifest(snap, (m) => ({ ...m, storeFormat: STORE_FORMAT_VERSION - 1 }));
    await expectRefused('SnapshotStoreFormatError', new RegExp(`holds a store of format ${STORE_FORMAT_VERSION - 1}, this StemeDB reads store format ${STORE_FORMAT_VERSION}`));
  });

  it('refuses a manifest whose offset disagrees with the stored cursors, and a restore into a store with data', async () => {
    await snapshotOf();
    const { snap, data } = paths();
    resealManifest(snap, (m) => ({ ...m, offset: m.offset + 1 }));
    await expectRefused('SnapshotIntegrityError', /applied cursor disagrees with the manifest's offset \(expected 501, found 500\)/);
    resealManifest(snap, (m) => ({ ...m, offset: m.offset - 1 }));
    await expect(restoreSnapshot(snap, data)).rejects.toMatchObject({ name: 'SnapshotTargetNotEmptyError', message: expect.stringMatching(/applied through 500/) });
  });
});
