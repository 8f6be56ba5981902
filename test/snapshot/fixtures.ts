/** Small stores and snapshot-editing helpers for the snapshot tests. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keys } from '../../shared/storage/keys';
import { openHybridStore, type HybridStore } from '../../shared/storage/hybrid-store';
import { MANIFEST_FILE } from '../../shared/snapshot/format';
import { parseManifest, sealManifest, type SnapshotManifest } from '../../shared/snapshot/manifest';
import type { BatchOp } from '../../shared/storage/kv-store';

/** `batches` applyBatch calls of `perBatch` keys in both backends (subject names in LMDB, meta counters in RocksDB). */
export async function fillStore(store: HybridStore, batches: number, perBatch: number, from = 0): Promise<void> {
  for (let b = from; b < from + batches; b++) {
    const ops: BatchOp[] = [];
    for (let i = 0; i < perBatch; i++) {
      const n = b * perBatch + i;
      ops.push({ type: 'put', key: keys.subjectName(`subject-${String(n).padStart(6, '0')}`), value: Buffer.from(`lmdb value ${n}`) });
      ops.push({ type: 'put', key: keys.meta(`m${String(n).padStart(6, '0')}`), value: Buffer.from(`rocks value ${n}`) });
    }
    await store.applyBatch(ops, (b + 1) * 100);
  }
}

/** Every entry of a store as one comparable text (backend, key hex, value hex). */
export async function dumpOf(dir: string): Promise<string> {
  const store = await openHybridStore(dir);
  try {
    const lines: string[] = [];
    for await (const e of store.dump()) lines.push(`${e.backend} ${e.key.toString('hex')} ${e.value.toString('hex')}`);
    return lines.join('\n');
  } finally {
    await store.close();
  }
}

export function readManifest(dir: string): SnapshotManifest {
  return parseManifest(dir, readFileSync(join(dir, MANIFEST_FILE)));
}

/** Rewrites the manifest with `change` applied and a fresh self-hash (a "valid" manifest saying something else). */
export function resealManifest(dir: string, change: (m: SnapshotManifest) => Omit<SnapshotManifest, 'blake3'>): void {
  const { bytes } = sealManifest(change(readManifest(dir)));
  writeFileSync(join(dir, MANIFEST_FILE), bytes);
}

/** Flips one bit of byte `at` of `file` in `dir`. */
export function flipByte(dir: string, file: string, at: number): void {
  const path = join(dir, file);
  const b = readFileSync(path);
  b[at] = b[at]! ^ 0x01;
  writeFileSync(path, b);
}
