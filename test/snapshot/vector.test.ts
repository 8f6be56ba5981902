/**
 * The worked example of docs/SNAPSHOTS.md is what the code writes: the data
 * files' bytes (the `snapshot-vector` block, comments stripped) and the
 * manifest's exact text (the `snapshot-manifest` block).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openHybridStore } from '../../shared/storage/hybrid-store';
import { keys } from '../../shared/storage/keys';
import { createSnapshot } from '../../shared/snapshot/snapshot-dir';
import { MANIFEST_FILE } from '../../shared/snapshot/format';
import { docBlock } from '../helpers/doc-blocks';
import { useTempDir } from '../helpers/tmp';

const block = (marker: string): string => docBlock('SNAPSHOTS.md', marker);

/** `file (N bytes)` headings, each followed by hex lines with `#` comments. */
function filesOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let current: string | undefined;
  for (const line of text.split('\n')) {
    const heading = /^(\S+\.kv) \((\d+) bytes\)$/.exec(line.trim());
    if (heading !== null) {
      current = heading[1]!;
      out.set(current, '');
      continue;
    }
    const hex = line.replace(/#.*$/, '').replace(/\s+/g, '');
    if (current !== undefined && hex !== '') out.set(current, out.get(current)! + hex);
  }
  return out;
}

describe('the docs/SNAPSHOTS.md worked example', () => {
  const tmp = useTempDir('stemedb-snapshot-vector-');

  it('is byte for byte what createSnapshot writes', async () => {
    const store = await openHybridStore(join(tmp.path, 'data'));
    await store.applyBatch([{ type: 'put', key: keys.subjectName('ada'), value: Buffer.alloc(8) }], 4096);
    await createSnapshot(store, join(tmp.path, 'snap'), { logId: '00112233445566778899aabbccddeeff', createdAt: '2026-01-01T00:00:00.000Z' });
    await store.close();
    const documented = filesOf(block('snapshot-vector'));
    expect([...documented.keys()]).toEqual(['rocksdb-000000.kv', 'lmdb-000000.kv']);
    for (const [name, hex] of documented) {
      const bytes = readFileSync(join(tmp.path, 'snap', name));
      expect(bytes.toString('hex')).toBe(hex);
      expect(block('snapshot-vector')).toContain(`${name} (${bytes.length} bytes)`);
    }
    expect(readFileSync(join(tmp.path, 'snap', MANIFEST_FILE), 'utf8')).toBe(block('snapshot-manifest'));
  });
});
