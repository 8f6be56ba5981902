/**
 * The store a log gives is pinned: the SHA-256 of the full dump of stores
 * built from seeded random logs (every record kind: co-signatures,
 * supersession both ways round, early votes, gold standards, epochs) at three
 * batch sizes. The digests were taken before the apply path was reworked for
 * allocation (pair model, sized resolutions, key writer), so any change to
 * what ingest writes, byte for byte, fails here; a deliberate format change
 * updates them together with docs/STORAGE.md.
 */
import { createHash } from 'node:crypto';
import { setLogLevel } from '../../shared/telemetry/logger';
import { makeTempDir } from '../helpers/tmp';
import { logOf, randomLog } from '../graph/log-builder';
import { buildStore, dumpLines } from '../graph/store-helpers';

const SUBJECTS = ['s1', 's2', 's3'];
const PREDICATES = ['p1', 'p2', 'p3'];
const RECORDS = 160;
const BATCH_SIZES = [1, 7, 1000];

/** Seed → SHA-256 (hex) of the store's dump lines joined by '\n'. */
const GOLDEN: Readonly<Record<number, string>> = {
  1: '47a6a3d2ffcdd0d03546ae5e6ebc5221db61fddae3e49824ffce103d8cb89b42',
  2: '6ae6ee6a1ef4a253e369f9ab2da941fe65119d3e742d90208b46a784ff40c93d',
  3: '1b37376e1986acdfe545862d7b19c07624c40574b00e52058587d45ef7136824',
  4: 'c44142529433608def84e4b92f093d0c32a8ebec2e48ca1cb954e41aac261da4',
  5: 'e3feaec53fb4888bbe91a847ebbd396cd33d8f072ec01971b05f6631d890dd35',
  6: '5829480866407b60f4d6a14a8f86504ea5b6c7604c33c24135e6c63659b8e5ed',
};

beforeAll(() => setLogLevel('error'));

async function dumpDigest(seed: number, batchRecordsMax: number): Promise<string> {
  const dir = makeTempDir('stemedb-golden-');
  const store = await buildStore(dir.path, logOf(randomLog(seed, { records: RECORDS, subjects: SUBJECTS, predicates: PREDICATES })), { batchRecordsMax });
  try {
    return createHash('sha256').update((await dumpLines(store)).join('\n')).digest('hex');
  } finally {
    await store.close();
    dir.cleanup();
  }
}

describe('store contents of a log are pinned', () => {
  it.each(Object.keys(GOLDEN).map(Number))('seed %i gives the pinned dump at every batch size', async (seed) => {
    for (const batch of BATCH_SIZES) expect(`${batch}: ${await dumpDigest(seed, batch)}`).toBe(`${batch}: ${GOLDEN[seed]}`);
  });
});
