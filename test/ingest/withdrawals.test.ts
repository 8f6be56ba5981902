/**
 * Supersession belongs to authors: what ingest stores for each withdrawal, in
 * every arrival order of parent, child and co-signatures, and what the lens
 * input (candidatesFor) and the materialized view make of it.
 */
import { join } from 'node:path';
import { GraphReader } from '../../shared/graph/graph-reader';
import { resolve } from '../../shared/lens';
import type { HybridStore } from '../../shared/storage/hybrid-store';
import { setLogLevel } from '../../shared/telemetry/logger';
import type { Assertion, StemeRecord } from '../../shared/domain/types';
import { useTempDir } from '../helpers/tmp';
import { decodeStoredRecord } from '../../shared/graph/stored-record';
import { prefixes } from '../../shared/storage/keys';
import { agent, claim, idOf, logOf, randomLog, signed, text } from '../graph/log-builder';
import { buildStore, dumpLines } from '../graph/store-helpers';

beforeAll(() => setLogLevel('error'));

const A = agent(0);
const B = agent(1);
const C = agent(2);
const hexOf = (k: { publicKey: Buffer }): string => k.publicKey.toString('hex');
/** A's claim: Pluto is a planet. */
const P = signed(claim({ subject: 'pluto', predicate: 'class', object: text('planet'), confidence: 0.9 }), [A]);
const childBody = (parent: Assertion, object = 'dwarf planet', source = 2): Assertion =>
  claim({ subject: 'pluto', predicate: 'class', object: text(object), confidence: 0.9, parent: idOf(parent), source });

describe('withdrawals at ingest', () => {
  const tmp = useTempDir('stemedb-withdrawals-');
  let open: HybridStore[] = [];
  afterEach(async () => {
    await Promise.all(open.map((s) => s.close()));
    open = [];
  });

  async function build(records: StemeRecord[], options: { batchRecordsMax?: number; pairCacheCandidatesMax?: number } = {}) {
    const log = logOf(records);
    const store = await buildStore(join(tmp.path, `store-${open.length}`), log, options);
    open.push(store);
    return { store, reader: new GraphReader(store), offsets: log.map((r) => r.offset) };
  }

  const consensus = async (reader: GraphReader, asOfOffset?: number) => {
    const options = asOfOffset === undefined ? {} : { asOfOffset };
    return resolve('consensus', 'pluto', 'class', await reader.candidatesFor('pluto', 'class', options), options);
  };

  it('the co-sign-then-supersede attack withdraws only the attacker', async () => {
    // A and C say planet (two assertions); B co-signs A's, then "supersedes" it with a louder claim.
    const Q = signed(claim({ subject: 'pluto', predicate: 'class', object: text('planet'), confidence: 0.9, source: 5 }), [C]);
    const hijack = signed({ ...childBody(P), confidence: 1 }, [B]);
    const { reader, offsets } = await build([P, Q, signed(P, [B]), hijack]);
    const view = (await reader.getAssertion(idOf(P)))!;
    expect([view.superseded, view.supersededAtOffset]).toEqual([false, null]);
    expect(view.withdrawals).toEqual([{ agent: B.publicKey, childId: idOf(hijack), offset: offsets[3] }]);
    const candidate = (await reader.candidatesFor('pluto', 'class')).find((c) => c.id.equals(idOf(P)))!;
    expect(candidate.superseded).toBe(false);
    // A's claim still counts for A, and the answer is what it was before the attack.
    const before = await consensus(reader, offsets[2]);
    const r = await consensus(reader);
    expect([before.object, r.object]).toEqual([text('planet'), text('planet')]);
    const explained = r.explanations.find((e) => e.assertionId.equals(idOf(P)))!;
    expect([explained.excludedReason, explained.withdrawals.map((w) => w.agent)]).toEqual([null, [B.publicKey]]);
    expect((await reader.materialized('pluto', 'class'))!.object).toEqual(text('planet'));
  });

  it('an author supersedes its own claim: excluded as superseded from the child on', async () => {
    const fix = signed(childBody(P), [A]);
    const { reader, offsets } = await build([P, fix]);
    const view = (await reader.getAssertion(idOf(P)))!;
    expect([view.superseded, view.supersededAtOffset, view.supersededBy]).toEqual([true, offsets[1], [idOf(fix)]]);
    expect((await consensus(reader)).object).toEqual(text('dwarf planet'));
    expect((await consensus(reader, offsets[1])).object).toEqual(text('planet'));
    expect((await reader.getAssertion(idOf(P), { asOfOffset: offsets[1] }))!.withdrawals).toEqual([]);
  });

  it('two authors: the parent counts for the one left until both withdraw', async () => {
    const P2 = signed(P, [A, C]);
    const byA = signed(childBody(P2, 'dwarf planet', 2), [A]);
    const byC = signed(childBody(P2, 'dwarf planet', 3), [C]);
    const { reader, offsets } = await build([P2, byA, byC]);
    const signersOf = async (asOfOffset?: number) => {
      const cands = await reader.candidatesFor('pluto', 'class', asOfOffset === undefined ? {} : { asOfOffset });
      const c = cands.find((x) => x.id.equals(idOf(P2)))!;
      const withdrawn = new Set((c.withdrawals ?? []).map((w) => w.agent.toString('hex')));
      return { superseded: c.superseded, counting: c.signers.map((s) => s.toString('hex')).filter((s) => !withdrawn.has(s)).sort() };
    };
    expect(await signersOf(offsets[1])).toEqual({ superseded: false, counting: [hexOf(A), hexOf(C)].sort() });
    expect(await signersOf(offsets[2])).toEqual({ superseded: false, counting: [hexOf(C)] });
    expect(await signersOf()).toEqual({ superseded: true, counting: [] });
    const mid = await consensus(reader, offsets[2]);
    expect(mid.explanations.find((e) => e.assertionId.equals(idOf(P2)))!.excludedReason).toBeNull();
    expect((await consensus(reader)).explanations.find((e) => e.assertionId.equals(idOf(P2)))!.excludedReason).toBe('superseded');
    expect((await reader.getAssertion(idOf(P2)))!.supersededAtOffset).toBe(offsets[2]);
  });

  it('a new co-signer supports a fully withdrawn claim again, from its offset on', async () => {
    const fix = signed(childBody(P), [A]);
    const { reader, offsets } = await build([P, fix, signed(P, [B])]);
    expect((await reader.getAssertion(idOf(P), { asOfOffset: offsets[2] }))!.superseded).toBe(true);
    const view = (await reader.getAssertion(idOf(P)))!;
    expect([view.superseded, view.supersededAtOffset]).toEqual([false, null]);
    expect((await reader.candidatesFor('pluto', 'class')).find((c) => c.id.equals(idOf(P)))!.superseded).toBe(false);
  });

  it('an agent withdraws once: through the first child, the smaller id on a tie', async () => {
    const c1 = signed(childBody(P, 'dwarf planet', 2), [B]);
    const c2 = signed(childBody(P, 'plutoid', 3), [B]);
    // B signs two children first, then co-signs P: both withdrawals complete at the co-signature.
    const { reader, offsets } = await build([P, c1, c2, signed(P, [B])]);
    const first = Buffer.compare(idOf(c1), idOf(c2)) < 0 ? idOf(c1) : idOf(c2);
    const view = (await reader.getAssertion(idOf(P)))!;
    expect(view.withdrawals).toEqual([{ agent: B.publicKey, childId: first, offset: offsets[3] }]);
    expect([...view.supersededBy].sort(Buffer.compare)).toEqual([idOf(c1), idOf(c2)].sort(Buffer.compare));
  });

  it('random logs hold partial and full withdrawals (so the MV, time-travel and crash tests exercise them)', async () => {
    // Those tests compare MV with fresh resolutions, as-of reads with prefix stores and crash dumps with clean
    // builds over randomLog: the crash test's own log, and 80-record logs like the MV and time-travel tests'.
    const logs = [
      randomLog(20261121, { records: 2000, agents: 8, subjects: ['s1', 's2', 's3', 's4', 's5'], predicates: ['p1', 'p2', 'p3'] }),
      ...[1, 2, 3, 4, 5].map((seed) => randomLog(seed, { records: 80, subjects: ['s1', 's2'], predicates: ['p1', 'p2'] })),
    ];
    const counts: Array<[number, number]> = [];
    for (const records of logs) {
      const { store } = await build(records);
      const c: [number, number] = [0, 0];
      for await (const [, value] of store.scanPrefix(prefixes.kind('assertion'))) {
        const s = decodeStoredRecord(value, 'H');
        if (s.withdrawals !== undefined) c[s.supersededAtOffset === null ? 0 : 1]++;
      }
      counts.push(c);
    }
    expect(counts[0]!.every((n) => n > 0)).toBe(true);
    const small = counts.slice(1).reduce((a, b) => [a[0] + b[0], a[1] + b[1]]);
    expect(small.every((n) => n > 0)).toBe(true);
  });

  describe('arrival order: parent, child and a co-signature of the child by the parent’s author', () => {
    // B writes the child; A (P's author) co-signs it later: A withdraws at the co-signature, B never did sign P.
    const child = signed(childBody(P), [B]);
    const coSign = signed(child, [A]);
    const orders: Record<string, StemeRecord[]> = {
      'parent, child, co-signature': [P, child, coSign],
      'child, parent, co-signature': [child, P, coSign],
      'child, co-signature, parent': [child, coSign, P],
    };

    it.each(Object.entries(orders))('%s: one-record batches, evicting cache and one batch write the same store', async (_name, records) => {
      const a = await build(records);
      const b = await build(records, { batchRecordsMax: 1, pairCacheCandidatesMax: 0 });
      expect(await dumpLines(b.store)).toEqual(await dumpLines(a.store));
    });

    it('every order ends with A withdrawn through the child, P superseded, and the same answer', async () => {
      const outcomes = [];
      for (const records of Object.values(orders)) {
        const { reader, offsets } = await build(records);
        const last = Math.max(records.indexOf(P), records.indexOf(coSign));
        const view = (await reader.getAssertion(idOf(P)))!;
        expect(view.withdrawals).toEqual([{ agent: A.publicKey, childId: idOf(child), offset: offsets[last] }]);
        expect(view.supersededAtOffset).toBe(offsets[last]);
        // Just before the record that completes the withdrawal, P (when present) still counts for A.
        const before = await reader.getAssertion(idOf(P), { asOfOffset: offsets[last] });
        expect(before === undefined || (!before.superseded && before.withdrawals.length === 0)).toBe(true);
        const r = await consensus(reader);
        outcomes.push([view.superseded, r.object, r.score, r.alternatives.length]);
      }
      expect(new Set(outcomes.map((o) => JSON.stringify(o))).size).toBe(1);
    });
  });
});
