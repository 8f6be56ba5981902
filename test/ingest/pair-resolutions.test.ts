/**
 * The escalation check and MV once per touched pair per batch
 * (shared/graph/apply/pair-resolutions.ts) against per-record application:
 * on random logs that pile many records onto few pairs, any batch size gives
 * the store (escalations and MV included) that one record per batch — a
 * resolution after every record — gives; and a pair with one value is not
 * resolved until its MV.
 */
import fc from 'fast-check';
import { canonicalObject, resolve } from '../../shared/lens/index';
import { GraphReader } from '../../shared/graph/graph-reader';
import { parseKey, prefixes, type StoreKey } from '../../shared/storage/keys';
import type { HybridStore } from '../../shared/storage/hybrid-store';
import type { SourceRecord } from '../../services/ingest/wal-source';
import { singleValued } from '../../shared/graph/apply/pair-resolutions';
import { GraphBatch } from '../../shared/graph/apply/graph-batch';
import { PairCache } from '../../shared/graph/apply/pair-cache';
import { openHybridStore } from '../../shared/storage/hybrid-store';
import { createLogger, setLogLevel } from '../../shared/telemetry/logger';
import { makeTempDir, useTempDir } from '../helpers/tmp';
import { agent, claim, idOf, logOf, randomLog, signed, text, vote } from '../graph/log-builder';
import { buildStore, dumpLines } from '../graph/store-helpers';
import type { Candidate } from '../../shared/lens/types';

beforeAll(() => setLogLevel('error'));

/** The global ESC entries, as "offset subject predicate" in key order (log order). */
async function storedEscalations(store: HybridStore): Promise<string[]> {
  const out: string[] = [];
  for await (const [k] of store.scanPrefix(prefixes.escalations())) {
    const key = parseKey(k) as Extract<StoreKey, { kind: 'escalation' }>;
    out.push(`${key.offset} ${key.subject} ${key.predicate}`);
  }
  return out;
}

/** Escalations straight from the rule: after each record, a fresh resolution as of it; a pair escalates where it turns contested. */
async function escalationsByFreshResolution(store: HybridStore, log: readonly SourceRecord[], predicates: readonly string[]): Promise<string[]> {
  const reader = new GraphReader(store);
  const contested = new Map<string, boolean>();
  const out: string[] = [];
  for (const r of log) {
    for (const p of predicates) {
      const candidates = await reader.candidatesFor('s', p, { asOfOffset: r.nextOffset });
      const now = resolve('consensus', 's', p, candidates, { explain: false, asOfOffset: r.nextOffset }).contested;
      if (now && contested.get(p) !== true) out.push(`${r.offset} s ${p}`);
      contested.set(p, now);
    }
  }
  return out;
}

describe('escalations and MV once per pair per batch', () => {
  useTempDir('stemedb-pair-resolutions-');

  it('any batch size writes the store one record per batch writes, on logs with many records per pair per batch', async () => {
    let escalations = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.integer({ min: 20, max: 120 }), fc.integer({ min: 2, max: 200 }), fc.integer({ min: 1, max: 2 }), async (seed, n, batch, pairs) => {
        const log = logOf(randomLog(seed, { records: n, agents: 8, subjects: ['s'], predicates: pairs === 1 ? ['p'] : ['p', 'q'] }));
        const dirs = [makeTempDir(), makeTempDir()];
        const perRecord = await buildStore(dirs[0]!.path, log, { batchRecordsMax: 1 });
        const perBatch = await buildStore(dirs[1]!.path, log, { batchRecordsMax: batch });
        try {
          const reference = await dumpLines(perRecord);
          expect(await dumpLines(perBatch)).toEqual(reference);
          const stored = await storedEscalations(perBatch);
          expect(stored).toEqual(await escalationsByFreshResolution(perBatch, log, pairs === 1 ? ['p'] : ['p', 'q']));
          escalations += stored.length;
        } finally {
          await perRecord.close();
          await perBatch.close();
          for (const d of dirs) d.cleanup();
        }
      }),
      // Each run builds two stores: report the first failing log rather than shrink it for minutes.
      { numRuns: 20, endOnFailure: true },
    );
    // The logs did make pairs contested, so the escalation offsets were really compared.
    expect(escalations).toBeGreaterThan(0);
  }, 180_000);

  it('resolves a single-valued pair once, for its MV, however many records touch it', async () => {
    const dir = makeTempDir();
    const store = await openHybridStore(dir.path);
    try {
      const batch = new GraphBatch(store, new PairCache(undefined, true), new Set(), createLogger({ component: 'test' }));
      const first = signed(claim({ subject: 's', predicate: 'p', object: text('v') }), [agent(1)]);
      const records = [first, signed(claim({ subject: 's', predicate: 'p', object: text('v'), source: 2 }), [agent(2)]), signed(vote(idOf(first), agent(3), 1), [agent(3)])];
      for (const [i, r] of records.entries()) await batch.apply(r, idOf(r), i * 1000);
      expect(batch.resolutions.resolutions).toBe(0);
      batch.finish({ applied: 3, rejected: 0 });
      expect(batch.resolutions.resolutions).toBe(1);
    } finally {
      await store.close();
      dir.cleanup();
    }
  });
});

describe('singleValued', () => {
  const c = (object: Candidate['assertion']['object']): Candidate => ({ assertion: { object } }) as unknown as Candidate;

  it('is true for no, one, or equal values (as the lens groups them) and false for two values', () => {
    expect(singleValued([])).toBe(true);
    expect(singleValued([c(text('a'))])).toBe(true);
    expect(singleValued([c(text('a')), c(text('a')), c(text('a'))])).toBe(true);
    expect(singleValued([c({ kind: 'number', value: 0 }), c({ kind: 'number', value: -0 })])).toBe(true);
    expect(singleValued([c(text('a')), c(text('a')), c(text('b'))])).toBe(false);
    expect(singleValued([c(text('a')), c({ kind: 'entity', value: 'a' })])).toBe(false);
    expect(singleValued([c({ kind: 'number', value: 1 }), c({ kind: 'integer', value: 1n })])).toBe(canonicalObject({ kind: 'number', value: 1 }).kind === canonicalObject({ kind: 'integer', value: 1n }).kind);
  });
});
