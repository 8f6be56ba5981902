/** Build stores from test logs in process, and dump them like `stemedb store dump`. */
import { Ingestor, type IngestorOptions } from '../../services/ingest/ingestor';
import type { SourceRecord } from '../../services/ingest/wal-source';
import { formatDumpEntry } from '../../shared/graph/value-format';
import { openHybridStore, type HybridStore } from '../../shared/storage/hybrid-store';
import { MemorySource } from './log-builder';

export interface BuildOptions extends IngestorOptions {
  /** Apply only records at offsets below this. @default the whole log */
  readonly untilOffset?: number;
}

/** Opens (creating) a store in `dir` and ingests `log` into it; the caller closes it. */
export async function buildStore(dir: string, log: readonly SourceRecord[], options: BuildOptions = {}): Promise<HybridStore> {
  const store = await openHybridStore(dir);
  try {
    const source = new MemorySource(log);
    const ingestor = await Ingestor.open(store, source, { batchDelayMs: 0, ...options });
    await ingestor.catchUp(options.untilOffset ?? source.headOffset());
    return store;
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** Every entry of the store as dump lines. */
export async function dumpLines(store: HybridStore): Promise<string[]> {
  const out: string[] = [];
  for await (const e of store.dump()) out.push(formatDumpEntry(e));
  return out;
}
