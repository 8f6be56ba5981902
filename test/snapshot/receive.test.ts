/**
 * The transfer rules a peer's Snapshot stream must keep (shared/snapshot/
 * receive.ts): each broken rule is refused with SnapshotTransferError naming
 * the peer, before a byte lands outside the target directory. And a snapshot
 * older than the log's first offset is refused (SnapshotBehindLogError).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openHybridStore } from '../../shared/storage/hybrid-store';
import { SnapshotReceiver, type SnapshotPiece } from '../../shared/snapshot/receive';
import { createSnapshot, verifySnapshot } from '../../shared/snapshot/snapshot-dir';
import { SNAPSHOT_CHUNK_BYTES } from '../../shared/snapshot/limits';
import { useTempDir } from '../helpers/tmp';
import { fillStore } from './fixtures';

const EMPTY = Buffer.alloc(0);
const piece = (p: Partial<SnapshotPiece>): SnapshotPiece => ({ fileName: 'rocksdb-000000.kv', fileOffset: 0, data: Buffer.from('abc'), fileEnd: false, manifest: EMPTY, ...p });

describe('receiving a snapshot stream', () => {
  const tmp = useTempDir('stemedb-snapshot-receive-');
  let n = 0;

  async function refused(pieces: SnapshotPiece[], reason: RegExp, options: { bytesMax?: number; end?: boolean } = {}): Promise<void> {
    const r = await SnapshotReceiver.into(join(tmp.path, `in-${n++}`), 'peer:1', options.bytesMax === undefined ? {} : { bytesMax: options.bytesMax });
    const run = async (): Promise<void> => {
      for (const p of pieces) await r.accept(p);
      if (options.end === true) await r.end();
    };
    await expect(run()).rejects.toMatchObject({ name: 'SnapshotTransferError', peer: 'peer:1', message: expect.stringMatching(reason) });
    await r.abort();
  }

  it('refuses a name that is not a data file name (no paths)', async () => {
    await refused([piece({ fileName: '../escape.kv' })], /"\.\.\/escape\.kv" is not a snapshot data file name/);
    expect(existsSync(join(tmp.path, 'escape.kv'))).toBe(false);
  });

  it('refuses a gap or an overlap, a piece past the chunk size, and past the byte bound', async () => {
    await refused([piece({}), piece({ fileOffset: 4 })], /a piece at byte 4, expected 3/);
    await refused([piece({ data: Buffer.alloc(SNAPSHOT_CHUNK_BYTES + 1) })], /past SNAPSHOT_CHUNK_BYTES/);
    await refused([piece({}), piece({ fileOffset: 3, data: Buffer.alloc(8) })], /more than 10 bytes/, { bytesMax: 10 });
  });

  it('accepts exactly the byte bound', async () => {
    const r = await SnapshotReceiver.into(join(tmp.path, 'in'), 'peer:1', { bytesMax: 10 });
    await r.accept(piece({}));
    await r.accept(piece({ fileOffset: 3, data: Buffer.alloc(7), fileEnd: true }));
    await r.abort();
  });

  it('refuses a file sent twice, a second file before the first ended, and anything after the manifest', async () => {
    await refused([piece({ fileEnd: true }), piece({})], /rocksdb-000000\.kv sent twice/);
    await refused([piece({}), piece({ fileName: 'lmdb-000000.kv' })], /lmdb-000000\.kv started before rocksdb-000000\.kv ended/);
    await refused([piece({ fileEnd: true }), piece({ fileName: '', manifest: Buffer.from('{}') }), piece({ fileName: 'lmdb-000000.kv' })], /a message after the manifest/);
  });

  it('refuses a stream that ends before the manifest', async () => {
    await refused([piece({ fileEnd: true })], /the stream ended before the manifest/, { end: true });
    await refused([piece({})], /the stream ended inside rocksdb-000000\.kv/, { end: true });
  });

  it('refuses a snapshot older than the log it would tail', async () => {
    const store = await openHybridStore(join(tmp.path, 'data'));
    await fillStore(store, 2, 5);
    await createSnapshot(store, join(tmp.path, 'snap'), { logId: '' });
    await store.close();
    await expect(verifySnapshot(join(tmp.path, 'snap'), { firstOffset: 201, logSource: 'writer w:1' })).rejects.toMatchObject({
      name: 'SnapshotBehindLogError',
      message: expect.stringMatching(/is at offset 200, but writer w:1 now starts at 201/),
    });
    await expect(verifySnapshot(join(tmp.path, 'snap'), { firstOffset: 200 })).resolves.toMatchObject({ offset: 200 });
  });
});
