/**
 * The raw level-rocksdb batch rate: a plain loop of one batch of N puts whose
 * keys and values have the sizes of a workload's records — what the embedded
 * store alone does with them, beside which an ingest rate reads as overhead.
 */
import { mkdirSync } from 'node:fs';
import level = require('level-rocksdb');

/** Records/s for chained batches of `batchRecords` puts (key of `keyBytes`, value = each record's bytes), in a fresh directory. */
export async function rawRocksBatchRate(dir: string, values: readonly Buffer[], keyBytes: number, batchRecords: number, sync: boolean): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const db = await new Promise<level.LevelDb>((resolve, reject) => {
    level(dir, { keyEncoding: 'binary', valueEncoding: 'binary', createIfMissing: true }, (err, opened) => (err ? reject(err) : resolve(opened)));
  });
  try {
    // Keys as random as record ids (their order in a batch is whatever the workload gives).
    const keys = values.map((_, i) => {
      const k = Buffer.alloc(keyBytes);
      k.writeUInt32BE(Math.imul(i + 1, 0x9e3779b1) >>> 0, 0);
      k.writeUInt32BE(i, keyBytes - 4);
      return k;
    });
    const t0 = performance.now();
    for (let i = 0; i < values.length; i += batchRecords) {
      const batch = db.batch();
      for (let j = i; j < Math.min(values.length, i + batchRecords); j++) batch.put(keys[j]!, values[j]!);
      await new Promise<void>((resolve, reject) => batch.write({ sync }, (err) => (err ? reject(err) : resolve())));
    }
    return values.length / ((performance.now() - t0) / 1000);
  } finally {
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
}
