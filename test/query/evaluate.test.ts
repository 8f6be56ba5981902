/**
 * The engine against its definition: for random small graphs and random
 * patterns, under every lens, `evaluate` gives exactly the rows of a naive
 * evaluation — resolve every pair, keep the resolved triples, join them by
 * brute force, filter, dedupe, sort by the documented order.
 */
import fc from 'fast-check';
import type { ObjectValue } from '../../shared/domain/types';
import { LENS_NAMES } from '../../shared/lens/index';
import { objectKey, objectsEqual } from '../../shared/lens/object-value';
import type { LensName } from '../../shared/lens/types';
import type { Filter, Pattern, Triple } from '../../shared/query/ast';
import { evaluate, planOrder } from '../../shared/query/evaluate';
import { parsePattern } from '../../shared/query/parse';
import { holds, sortValues } from '../../shared/query/values';
import { MemorySource, type Claim } from './memory-source';

const SUBJECTS = ['e0', 'e1', 'e2', 'e3'];
const PREDICATES = ['p0', 'p1', 'p2'];
const entity = (value: string): ObjectValue => ({ kind: 'entity', value });
const OBJECTS: ObjectValue[] = [...SUBJECTS.map(entity), { kind: 'integer', value: 1n }, { kind: 'integer', value: 2n }, { kind: 'number', value: 1.5 }, { kind: 'text', value: 'a' }];

const claimArb: fc.Arbitrary<Claim> = fc.record({
  subject: fc.constantFrom(...SUBJECTS),
  predicate: fc.constantFrom(...PREDICATES),
  object: fc.constantFrom(...OBJECTS),
  signer: fc.constantFrom('a', 'b', 'c', 'd'),
  confidence: fc.constantFrom(0.3, 0.6, 0.9, 1),
  source: fc.constantFrom('s1', 's2', 's3'),
});

const VALUE_VARS = ['?x', '?y', '?z'];
const render = (o: ObjectValue): string => (o.kind === 'entity' ? o.value : o.kind === 'text' ? JSON.stringify(o.value) : String(o.value));
const tripleArb = fc.tuple(
  fc.oneof(fc.constantFrom(...VALUE_VARS), fc.constantFrom(...SUBJECTS)),
  fc.oneof(fc.constant('?p'), fc.constantFrom(...PREDICATES)),
  fc.oneof(fc.constantFrom(...VALUE_VARS), fc.constantFrom(...OBJECTS.map(render))),
);
const filterArb = fc.oneof(
  fc.tuple(fc.constantFrom(...VALUE_VARS), fc.constantFrom('=', '!=', '<', '>=' as const), fc.constantFrom('1', '2', '1.5', 'e1', '"a"', ...VALUE_VARS)).map(([l, op, r]) => `FILTER ${l} ${op} ${r}`),
  fc.tuple(fc.constantFrom(...VALUE_VARS), fc.constantFrom('=', '!='), fc.constantFrom('integer', 'entity', 'number')).map(([v, op, k]) => `FILTER kind(${v}) ${op} ${k}`),
  fc.tuple(fc.constantFrom('=', '!='), fc.constantFrom(...PREDICATES)).map(([op, p]) => `FILTER ?p ${op} ${p}`),
);
const patternArb = fc
  .tuple(fc.array(tripleArb, { minLength: 1, maxLength: 3 }), fc.array(filterArb, { maxLength: 2 }), fc.option(fc.constantFrom(...VALUE_VARS, '?p'), { nil: undefined }), fc.boolean())
  .map(([triples, filters, orderVar, desc]) => {
    const text = triples.map((t) => t.join(' ')).join(' . ');
    const used = new Set(triples.flat().filter((t) => t.startsWith('?')));
    const usable = filters.filter((f) => [...f.matchAll(/\?[a-z]/g)].every((m) => used.has(m[0])));
    const order = orderVar !== undefined && used.has(orderVar) ? ` ORDER BY ${orderVar}${desc ? ' DESC' : ''}` : '';
    return `${text} ${usable.join(' ')}${order}`;
  });

interface NaiveRow {
  values: ObjectValue[];
  support: number;
}

/** The definition, brute force. */
function naive(pattern: Pattern, source: MemorySource): NaiveRow[] {
  const facts = source
    .allPairs()
    .map((p) => ({ ...p, r: source.resolveNow(p.subject, p.predicate) }))
    .filter((f) => f.r.outcome === 'resolved');
  let rows: { b: Map<string, ObjectValue>; support: number }[] = [{ b: new Map(), support: 1 }];
  for (const t of pattern.triples) {
    const next: typeof rows = [];
    for (const row of rows) {
      for (const f of facts) {
        const b = new Map(row.b);
        if (matchTerm(t.subject, entity(f.subject), b) && matchTerm(t.predicate, { kind: 'text', value: f.predicate }, b) && matchTerm(t.object, f.r.object!, b)) {
          next.push({ b, support: row.support * f.r.share });
        }
      }
    }
    rows = next;
  }
  rows = rows.filter((r) => pattern.filters.every((f) => filterHolds(f, r.b)));
  const seen = new Set<string>();
  const out: NaiveRow[] = [];
  for (const r of rows) {
    const values = pattern.variables.map((v) => r.b.get(v)!);
    const k = values.map(objectKey).join('\0');
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ values, support: r.support });
  }
  const col = (v: string): number => pattern.variables.indexOf(v);
  return out.sort((a, b) => {
    for (const o of pattern.order) {
      const c = sortValues(a.values[col(o.variable.name)]!, b.values[col(o.variable.name)]!) * (o.descending ? -1 : 1);
      if (c !== 0) return c;
    }
    for (let i = 0; i < a.values.length; i++) {
      const c = sortValues(a.values[i]!, b.values[i]!);
      if (c !== 0) return c;
    }
    return 0;
  });
}

function matchTerm(term: Triple['subject'] | Triple['object'], value: ObjectValue, b: Map<string, ObjectValue>): boolean {
  if (term.kind === 'name') return (value.kind === 'entity' || value.kind === 'text') && value.value === term.value;
  if (term.kind === 'literal') return objectsEqual(term.value, value);
  const cur = b.get(term.name);
  if (cur === undefined) {
    b.set(term.name, value);
    return true;
  }
  return cur.kind === value.kind && objectsEqual(cur, value);
}

function filterHolds(f: Filter, b: Map<string, ObjectValue>): boolean {
  if (f.kind === 'kind') return (b.get(f.variable.name)!.kind === f.objectKind) !== f.negated;
  return holds(b.get(f.left.name)!, f.op, f.right.kind === 'var' ? b.get(f.right.name)! : f.right.value);
}

describe('evaluate', () => {
  it('equals the naive evaluation over every resolved triple, for random graphs and patterns, under every lens', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(claimArb, { minLength: 1, maxLength: 30 }), patternArb, fc.constantFrom<LensName>(...LENS_NAMES), async (claims, text, lens) => {
        const pattern = parsePattern(text);
        const source = new MemorySource(claims, lens);
        const got = await evaluate(pattern, source);
        const want = naive(pattern, source);
        expect(got.rows.map((r) => r.values)).toEqual(want.map((r) => r.values));
        got.rows.forEach((r, i) => expect(r.support).toBeCloseTo(want[i]!.support, 12));
        for (const r of got.rows) expect(r.hops.map((h) => h.triple)).toEqual(pattern.triples.map((_, i) => i));
      }),
      { numRuns: 300 },
    );
  });

  it('joins the most bound triple first, then follows the bindings', () => {
    // The constant subject first (one resolution); then ?x is bound, so its population
    // (one resolution per row) comes before the reverse lookup ?c capital ?x.
    const p = parsePattern('?c capital ?x . country:myanmar capital ?x . ?x population ?p');
    expect(planOrder(p.triples)).toEqual([1, 2, 0]);
  });

  it('resolves each pair once per query and stops at the work bound with RESOURCE_EXHAUSTED-class errors', async () => {
    const claims: Claim[] = SUBJECTS.flatMap((s) => PREDICATES.map((p) => ({ subject: s, predicate: p, object: entity('e0'), signer: 'a', confidence: 1, source: 's1' })));
    const source = new MemorySource(claims, 'consensus');
    const all = await evaluate(parsePattern('?s ?p ?o . ?o ?p ?z'), source);
    expect(source.resolveCalls).toBe(SUBJECTS.length * PREDICATES.length);
    expect(all.rows.length).toBeGreaterThan(0);
    await expect(evaluate(parsePattern('?s ?p ?o'), source, { workMax: all.work - 1 })).rejects.toMatchObject({ name: 'QueryBudgetError', bound: 'work' });
    await expect(evaluate(parsePattern('?s ?p ?o'), source, { workMax: all.work })).resolves.toBeDefined();
    await expect(evaluate(parsePattern('?s ?p ?o . ?t ?q ?u'), source, { rowsMax: 12 * 12 - 1 })).rejects.toMatchObject({ name: 'QueryBudgetError', bound: 'rows' });
    await expect(evaluate(parsePattern('?s ?p ?o . ?t ?q ?u'), source, { rowsMax: 12 * 12 })).resolves.toBeDefined();
  });

  it('stops when its signal fires', async () => {
    const source = new MemorySource([{ subject: 'e0', predicate: 'p0', object: entity('e1'), signer: 'a', confidence: 1, source: 's' }], 'consensus');
    const ac = new AbortController();
    ac.abort(new Error('cancelled'));
    await expect(evaluate(parsePattern('?s ?p ?o'), source, { signal: ac.signal })).rejects.toThrow('cancelled');
  });
});
