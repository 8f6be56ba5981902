/** The demo graph: valid, signed, deterministic, and built to show what the README tour says. */
import { recordId } from '../../shared/domain/hash';
import { verifyRecord } from '../../shared/domain/signing';
import type { Assertion, StemeRecord } from '../../shared/domain/types';
import { validateRecord } from '../../shared/domain/validate';
import { buildDemoGraph, DEMO_AGENT_NAMES, DEMO_EPOCH, DEMO_PAIRS, demoKeyPair } from '../../services/dev/demo-graph';
import { APPEND_BATCH_RECORDS_MAX } from '../../services/writer/limits';

const hex = (b: Buffer): string => b.toString('hex');
const signerHexes = (r: StemeRecord): string[] => r.signatures.map((s) => hex(s.publicKey));
const assertions = (records: readonly StemeRecord[]): Assertion[] => records.filter((r): r is Assertion => r.kind === 'assertion');

describe('demo graph', () => {
  const graph = buildDemoGraph();

  it('every record is valid and every signature verifies', () => {
    for (const r of graph.records) {
      validateRecord(r);
      verifyRecord(r);
    }
  });

  it('is the same on every build: ids and signatures are deterministic', () => {
    const again = buildDemoGraph();
    expect(again.records.map((r) => hex(recordId(r)))).toEqual(graph.records.map((r) => hex(recordId(r))));
    expect(again.records.map((r) => r.signatures.map((s) => hex(s.signature)))).toEqual(graph.records.map((r) => r.signatures.map((s) => hex(s.signature))));
  });

  it('agent ids are the public keys of fixed seeds (the README quotes them)', () => {
    expect(hex(demoKeyPair('alice').publicKey)).toBe('f50a2ef25f7f8916ccf13c1829f9ed448d138d78d7e2ecfadaecd16a4bd731e4');
    expect(hex(demoKeyPair('admin').publicKey)).toBe('6f03f51c89c21b0ba7e8eb59ed9917a7cb2e9e9402fc09d684403d914c02263d');
    expect(new Set(DEMO_AGENT_NAMES.map((n) => hex(demoKeyPair(n).publicKey))).size).toBe(DEMO_AGENT_NAMES.length);
  });

  it('fits one AppendBatch', () => {
    expect(graph.records.length).toBeLessThanOrEqual(APPEND_BATCH_RECORDS_MAX);
  });

  it('gold standards and the epoch are signed by the admin alone', () => {
    const adminOnly = graph.records.filter((r) => r.kind === 'gold_standard' || r.kind === 'epoch');
    expect(adminOnly.map((r) => r.kind).sort()).toEqual(['epoch', 'gold_standard', 'gold_standard', 'gold_standard', 'gold_standard']);
    for (const r of adminOnly) expect(signerHexes(r)).toEqual([hex(graph.adminKey)]);
  });

  it('the superseding assertion names an earlier claim by the same agent as its parent', () => {
    const child = graph.records[graph.supersessionIndex] as Assertion;
    expect(child.kind).toBe('assertion');
    expect(recordId(child).equals(graph.supersessionId)).toBe(true);
    const parentIndex = graph.records.findIndex((r) => child.parentHash !== null && recordId(r).equals(child.parentHash));
    expect(parentIndex).toBeGreaterThanOrEqual(0);
    expect(parentIndex).toBeLessThan(graph.supersessionIndex);
    const parent = graph.records[parentIndex] as Assertion;
    expect(signerHexes(parent).some((k) => signerHexes(child).includes(k))).toBe(true);
    expect([parent.subject, parent.predicate]).toEqual([DEMO_PAIRS.pluto.subject, DEMO_PAIRS.pluto.predicate]);
    expect(parent.object).not.toEqual(child.object);
    expect(child.epoch).toBe(DEMO_EPOCH);
  });

  it('holds a co-signature: the same assertion id signed later by another agent', () => {
    const byId = new Map<string, string[][]>();
    for (const a of assertions(graph.records)) byId.set(hex(recordId(a)), [...(byId.get(hex(recordId(a))) ?? []), signerHexes(a)]);
    const coSigned = [...byId.values()].filter((signers) => signers.length > 1);
    expect(coSigned).toHaveLength(1);
    expect(new Set(coSigned[0]!.flat()).size).toBe(2);
  });

  it('votes only reference assertions that come before them', () => {
    const seen = new Set<string>();
    let votes = 0;
    for (const r of graph.records) {
      if (r.kind === 'assertion') seen.add(hex(recordId(r)));
      if (r.kind === 'vote') {
        votes++;
        expect(seen.has(hex(r.assertionId))).toBe(true);
      }
    }
    expect(votes).toBeGreaterThanOrEqual(3);
  });

  it('every pair the tour names has claims with different objects (real conflicts)', () => {
    for (const pair of Object.values(DEMO_PAIRS)) {
      const objects = new Set(assertions(graph.records).filter((a) => a.subject === pair.subject && a.predicate === pair.predicate).map((a) => JSON.stringify(a.object, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))));
      expect(objects.size).toBe(2);
    }
  });
});
