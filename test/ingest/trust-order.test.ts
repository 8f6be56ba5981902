/**
 * Trust is a function of the set of records, not of their order: the same
 * claims, co-signatures and gold standards appended in random orders and
 * applied through the real ingest path (in batches of random sizes) leave
 * byte-identical TRUST values, hence bit-identical reliability estimates.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { GraphReader } from '../../shared/graph/graph-reader';
import { prefixes } from '../../shared/storage/keys';
import type { StemeRecord } from '../../shared/domain/types';
import { agent, claim, gold, logOf, signed, text } from '../graph/log-builder';
import { buildStore } from '../graph/store-helpers';
import { rng } from '../helpers/random';
import { useTempDir } from '../helpers/tmp';

/** A small world: 6 agents, 8 pairs with 2..4 values, claims, co-signatures and gold standards on half the pairs. */
function records(): StemeRecord[] {
  const random = rng(4242);
  const out: StemeRecord[] = [];
  for (let p = 0; p < 8; p++) {
    const subject = `s${p}`;
    const values = 2 + (p % 3);
    for (let a = 0; a < 6; a++) {
      if (random() < 0.3) continue;
      const c = claim({ subject, predicate: 'p', object: text(`v${Math.floor(random() * values)}`), source: 1 + a, confidence: 0.5 + random() / 2 });
      out.push(signed(c, [agent(a)]));
      if (random() < 0.3) out.push(signed(c, [agent((a + 1) % 6)])); // a co-signature
    }
    if (p % 2 === 0) out.push(gold(subject, 'p', text('v0')));
    if (p === 4) out.push(gold(subject, 'p', text('v1'))); // two gold standards on one pair
  }
  return out;
}

async function trustBytes(dir: string, recs: readonly StemeRecord[], batchRecordsMax: number): Promise<{ raw: Map<string, string>; ranks: Map<string, number> }> {
  const store = await buildStore(dir, logOf(recs), { batchRecordsMax });
  try {
    const raw = new Map<string, string>();
    for await (const [key, value] of store.scanPrefix(prefixes.kind('trust'))) raw.set(key.toString('hex'), value.toString('hex'));
    return { raw, ranks: await new GraphReader(store).trustRanks() };
  } finally {
    await store.close();
  }
}

describe('trust estimates do not depend on record order', () => {
  const tmp = useTempDir('stemedb-trust-order-');

  it('random permutations through the real ingest path give identical TRUST bytes and ranks', async () => {
    const base = records();
    const reference = await trustBytes(join(tmp.path, 'ref'), base, 1000);
    expect(reference.raw.size).toBeGreaterThan(3);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 50 }), async (seed, batch) => {
        const r = rng(seed);
        const shuffled = [...base];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = Math.floor(r() * (i + 1));
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        const got = await trustBytes(join(tmp.path, `run-${run++}`), shuffled, batch);
        expect(got.raw).toEqual(reference.raw);
        expect(got.ranks).toEqual(reference.ranks);
      }),
      { numRuns: 12 },
    );
  }, 120_000);
});
