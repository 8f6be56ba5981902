/**
 * `stemedb store dump --data DIR`: every key and value of a store, RocksDB's
 * in key order then LMDB's, one per line: backend, the key per the codec (tag
 * and fields), `=`, the value decoded where the graph model knows it (hex
 * otherwise). Stable: two stores holding the same data print the same bytes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatDumpEntry, formatValue } from '../../../shared/graph/value-format';
import { openHybridStore } from '../../../shared/storage/hybrid-store';
import { formatKey } from '../../../shared/storage/keys';
import { parseFlags } from '../args';
import { UsageError, type Command } from '../command';

const HELP = `usage: stemedb store dump --data DIR [--json]

Prints every key and value of the store in DIR (no writer may hold it: stop
the reader or ingest first). One entry per line:

  rocksdb VC assertionId=ab12… = 3

--json prints one JSON object per line instead:
  {"backend":"rocksdb","key":"VC assertionId=ab12…","key_hex":"…","value":"3"}

options:
  --data DIR   the store directory (rocksdb/ and lmdb/ inside)
  --json       JSON Lines output
  -h, --help   show this help`;

/** The store is open in another process (its RocksDB lock is held). */
export class StoreInUseError extends Error {
  override readonly name = 'StoreInUseError';
  constructor(readonly path: string) {
    super(`${path} is in use by a running reader or ingest (its store is locked): stop it first, or ask the reader over gRPC ('stemedb get', 'history', 'subject', 'tail')`);
  }
}

export const storeDump: Command = {
  path: ['store', 'dump'],
  summary: 'print every key and value of a store (stable, readable)',
  help: HELP,
  async run(args, io) {
    const values = parseFlags<{ data?: string; json?: boolean }>(args, { data: { type: 'string' }, json: { type: 'boolean' } });
    if (values.data === undefined) throw new UsageError('--data is required');
    // Never create a store by dumping a path that holds none.
    if (!existsSync(join(values.data, 'rocksdb')) || !existsSync(join(values.data, 'lmdb'))) throw new Error(`${values.data}: not a store directory (no rocksdb/ and lmdb/)`);
    let store: Awaited<ReturnType<typeof openHybridStore>>;
    try {
      store = await openHybridStore(values.data);
    } catch (err) {
      // RocksDB's "IO error: While lock file: …/LOCK: Resource temporarily unavailable": a reader or ingest holds it.
      if (err instanceof Error && /\block\b/i.test(err.message)) throw new StoreInUseError(values.data);
      throw err;
    }
    try {
      for await (const e of store.dump()) {
        if (values.json === true) io.out(JSON.stringify({ backend: e.backend, key: formatKey(e.key), key_hex: e.key.toString('hex'), value: formatValue(e.key, e.value) }));
        else io.out(formatDumpEntry(e));
      }
    } finally {
      await store.close();
    }
    return 0;
  },
};
