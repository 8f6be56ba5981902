/**
 * The apply loop gives the event loop a turn every INGEST_YIELD_RECORDS
 * records, so the previous batch's commit (whose native completions run on
 * this thread) finishes while the next batch applies, not after it; and so
 * does decoding the batch after.
 */
import { RecordChecker } from '../../services/ingest/check-record';
import { Ingestor } from '../../services/ingest/ingestor';
import { INGEST_YIELD_RECORDS } from '../../services/ingest/limits';
import { GraphBatch } from '../../shared/graph/apply/graph-batch';
import { openHybridStore } from '../../shared/storage/hybrid-store';
import { setLogLevel } from '../../shared/telemetry/logger';
import { useTempDir } from '../helpers/tmp';
import { agent, claim, logOf, MemorySource, signed, text } from '../graph/log-builder';

beforeAll(() => setLogLevel('error'));

const BATCH_RECORDS = 8 * INGEST_YIELD_RECORDS;
/** The least time one record's apply takes in the commit test (512 records: at least 51 ms a batch). */
const APPLY_SPIN_MS = 0.1;

describe('ingest apply loop', () => {
  const tmp = useTempDir('stemedb-apply-yield-');

  it("a batch's commit completes while the next batch applies", async () => {
    const log = logOf(Array.from({ length: 2 * BATCH_RECORDS }, (_, i) => signed(claim({ subject: `s${i}`, predicate: 'p', object: text(`v${i}`) }), [agent(i % 8)])));
    const store = await openHybridStore(tmp.path);
    const events: string[] = [];
    const realApplyBatch = store.applyBatch.bind(store);
    const commits = jest.spyOn(store, 'applyBatch').mockImplementation(async (ops, appliedThrough) => {
      const result = await realApplyBatch(ops, appliedThrough);
      events.push(`commit ${appliedThrough}`);
      return result;
    });
    const realApply = GraphBatch.prototype.apply;
    const applies = jest.spyOn(GraphBatch.prototype, 'apply').mockImplementation(function (this: GraphBatch, ...args) {
      events.push('apply');
      // Every record costs at least APPLY_SPIN_MS on this thread: what is checked is that the loop gives
      // the commit turns, so a batch must take longer to apply than its predecessor's commit takes on
      // the disk, however fast the apply path is (a synced commit here takes ~20 ms).
      for (const until = performance.now() + APPLY_SPIN_MS; performance.now() < until; );
      return realApply.apply(this, args);
    });
    const source = new MemorySource(log);
    try {
      const ingestor = await Ingestor.open(store, source, { verify: 'none', batchRecordsMax: BATCH_RECORDS });
      await ingestor.catchUp(source.headOffset());
      await ingestor.close();
    } finally {
      applies.mockRestore();
      commits.mockRestore();
      await store.close();
    }
    const firstCommit = events.indexOf(`commit ${log[BATCH_RECORDS - 1]!.nextOffset}`);
    expect(events.filter((e) => e === 'apply')).toHaveLength(2 * BATCH_RECORDS);
    // The first batch's commit is done before the second batch's last record applies.
    const appliesBefore = events.slice(0, firstCommit).filter((e) => e === 'apply').length;
    expect(appliesBefore).toBeGreaterThanOrEqual(BATCH_RECORDS);
    expect(appliesBefore).toBeLessThan(2 * BATCH_RECORDS);
  });

  it.each(['none', 'all'] as const)('decoding a batch (verify %s) gives the event loop turns', async (mode) => {
    const log = logOf(Array.from({ length: BATCH_RECORDS }, (_, i) => signed(claim({ subject: `s${i}`, predicate: 'p', object: text(`v${i}`) }), [agent(0)])));
    let turns = 0;
    let checking = true;
    const tick = (): void => {
      turns++;
      if (checking) setImmediate(tick);
    };
    setImmediate(tick);
    const checked = await new RecordChecker(mode, undefined).check(log);
    checking = false;
    expect(checked.every((c) => c.ok)).toBe(true);
    expect(turns).toBeGreaterThanOrEqual(BATCH_RECORDS / INGEST_YIELD_RECORDS - 1);
  });
});
