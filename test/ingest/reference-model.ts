/**
 * An independent reading of a log, straight from the rules (docs/STORAGE.md,
 * "Ingest rules"), without a store: each agent's latest vote per assertion
 * and the trust evidence (right / wrong per agent). Tests compare what ingest
 * stored against it.
 */
import { recordId } from '../../shared/domain/hash';
import type { ObjectValue, StemeRecord } from '../../shared/domain/types';
import { objectsEqual } from '../../shared/lens/object-value';

export interface Expected {
  /** Per known assertion with votes (id hex): distinct voters and the sum of their latest values (ascending voter order). */
  readonly votes: Map<string, { count: number; weight: number }>;
  /** Per judged agent (hex): gold-standard judgements that agreed and contradicted. */
  readonly trust: Map<string, { right: number; wrong: number }>;
}

/** `records[i]` sits at `offsets[i]`. */
export function expectedOf(records: readonly StemeRecord[], offsets: readonly number[]): Expected {
  const assertions = new Map<string, { pair: string; object: ObjectValue; signers: string[] }>();
  const pairs = new Map<string, { ids: string[]; golds: ObjectValue[] }>();
  const golds = new Set<string>();
  const latest = new Map<string, Map<string, { value: number; castAtMs: number; offset: number }>>();
  const trust = new Map<string, { right: number; wrong: number }>();
  const pairOf = (s: string, p: string) => {
    const key = JSON.stringify([s, p]);
    if (!pairs.has(key)) pairs.set(key, { ids: [], golds: [] });
    return { key, pair: pairs.get(key)! };
  };
  const judge = (agent: string, claimed: ObjectValue, gold: ObjectValue) => {
    const e = trust.get(agent) ?? { right: 0, wrong: 0 };
    trust.set(agent, objectsEqual(claimed, gold) ? { right: e.right + 1, wrong: e.wrong } : { right: e.right, wrong: e.wrong + 1 });
  };
  records.forEach((r, i) => {
    const id = recordId(r).toString('hex');
    if (r.kind === 'assertion') {
      const { key, pair } = pairOf(r.subject, r.predicate);
      let a = assertions.get(id);
      if (a === undefined) {
        a = { pair: key, object: r.object, signers: [] };
        assertions.set(id, a);
        pair.ids.push(id);
      }
      for (const sig of r.signatures) {
        const hex = sig.publicKey.toString('hex');
        if (a.signers.includes(hex)) continue;
        a.signers.push(hex);
        for (const g of pair.golds) judge(hex, a.object, g);
      }
    } else if (r.kind === 'vote') {
      const x = r.assertionId.toString('hex');
      const voters = latest.get(x) ?? new Map();
      latest.set(x, voters);
      const cur = voters.get(r.voter.toString('hex'));
      const next = { value: r.value, castAtMs: r.castAtMs, offset: offsets[i]! };
      if (cur === undefined || next.castAtMs > cur.castAtMs || (next.castAtMs === cur.castAtMs && next.offset > cur.offset)) voters.set(r.voter.toString('hex'), next);
    } else if (r.kind === 'gold_standard' && !golds.has(id)) {
      golds.add(id);
      const { pair } = pairOf(r.subject, r.predicate);
      pair.golds.push(r.object);
      for (const x of pair.ids) {
        const a = assertions.get(x)!;
        for (const s of a.signers) judge(s, a.object, r.object);
      }
    }
  });
  const votes = new Map<string, { count: number; weight: number }>();
  for (const [x, voters] of latest) {
    if (!assertions.has(x)) continue;
    let weight = 0;
    for (const hex of [...voters.keys()].sort()) weight += voters.get(hex)!.value;
    votes.set(x, { count: voters.size, weight });
  }
  return { votes, trust };
}
