/**
 * Consistency while ingest keeps running: a snapshot taken while the
 * Ingestor applies a mixed log in small batches restores to a store that is
 * byte for byte the store built by replaying the same log up to the
 * snapshot's offset O (the exactly-once dump comparison), and ingest is not
 * held up beyond the pin (measured).
 */
import { join } from 'node:path';
import { Ingestor } from '../../services/ingest/ingestor';
import { openHybridStore } from '../../shared/storage/hybrid-store';
import { createSnapshot } from '../../shared/snapshot/snapshot-dir';
import { restoreSnapshot } from '../../shared/snapshot/restore';
import { logOf, MemorySource, randomLog } from '../graph/log-builder';
import { useSpanCapture } from '../helpers/spans';
import { useTempDir } from '../helpers/tmp';
import { dumpOf } from './fixtures';

jest.setTimeout(120_000);

describe('a snapshot taken while ingest applies', () => {
  const tmp = useTempDir('stemedb-snapshot-consistency-');
  const spans = useSpanCapture();

  it('restores to exactly the store a replay to its offset builds', async () => {
    const log = logOf(randomLog(4242, { records: 3000, agents: 6, subjects: ['s1', 's2', 's3', 's4'], predicates: ['p1', 'p2'] }));
    const head = log[log.length - 1]!.nextOffset;
    const live = await openHybridStore(join(tmp.path, 'live'));
    let batches = 0;
    let atSnapshot = -1;
    const ingestor = await Ingestor.open(live, new MemorySource(log), { batchRecordsMax: 25, batchDelayMs: 0, verify: 'none', onBatch: () => void batches++ });
    const stop = new AbortController();
    const running = ingestor.run(stop.signal);
    while (batches < 20) await new Promise((res) => setImmediate(res));
    const manifest = await createSnapshot(live, join(tmp.path, 'snap'), { logId: '' });
    atSnapshot = batches;
    while (ingestor.appliedOffset < head) await new Promise((res) => setTimeout(res, 10));
    stop.abort();
    await running;
    await ingestor.close();
    await live.close();
    // The snapshot is at a batch boundary strictly inside the log, and ingest went on past it.
    expect(manifest.offset).toBeGreaterThan(0);
    expect(manifest.offset).toBeLessThan(head);
    expect(batches).toBeGreaterThan(atSnapshot);
    expect(log.some((r) => r.nextOffset === manifest.offset)).toBe(true);
    // The span says what was taken, and how long ingest waited on the pin (well under one batch).
    const span = spans.getFinishedSpans().find((x) => x.name === 'snapshot.create')!;
    expect(span.attributes).toMatchObject({ offset: manifest.offset, files: manifest.files.length, keys: manifest.keys, bytes: manifest.bytes });
    expect(span.attributes.pause_ms as number).toBeLessThan(50);

    await restoreSnapshot(join(tmp.path, 'snap'), join(tmp.path, 'restored'));
    const replay = await openHybridStore(join(tmp.path, 'replay'));
    const replayer = await Ingestor.open(replay, new MemorySource(log), { batchRecordsMax: 7, verify: 'none' });
    await replayer.catchUp(manifest.offset);
    expect(replayer.appliedOffset).toBe(manifest.offset);
    await replayer.close();
    await replay.close();
    const restored = await dumpOf(join(tmp.path, 'restored'));
    expect(restored.split('\n').length).toBeGreaterThan(100);
    expect(restored).toBe(await dumpOf(join(tmp.path, 'replay')));
  });
});
