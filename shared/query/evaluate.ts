/**
 * Evaluates a pattern over resolved facts (docs/QUERIES.md "Semantics"): a
 * triple `s p o` holds when the pair (s, p) *resolves* under the query's lens
 * to o. Triples are joined in an order chosen from what is bound (the most
 * bound first), filters apply as soon as their variables are bound, and every
 * row carries one hop per triple — the pair, its resolution — and a support:
 * the product of the hops' shares.
 *
 * Pure apart from the QuerySource it reads; the work it may do and the rows it
 * may hold are bounded (QueryBudgetError).
 */
import type { ObjectValue } from '../domain/types';
import { objectKey, objectsEqual } from '../lens/object-value';
import type { Resolution } from '../lens/types';
import type { Filter, ObjectTerm, Pattern, PredicateTerm, SubjectTerm, Triple } from './ast';
import { QueryBudgetError } from './errors';
import { QUERY_ROWS_MAX, QUERY_WORK_MAX } from './limits';
import type { PairFilter, QuerySource } from './source';
import { holds, sortValues } from './values';

/** One triple of a row: the pair it matched and how the lens resolved it. */
export interface Hop {
  /** Index of the triple in the pattern. */
  readonly triple: number;
  readonly subject: string;
  readonly predicate: string;
  readonly resolution: Resolution;
}

export interface Row {
  /**
   * One value per pattern variable, in `pattern.variables` order. A subject
   * variable holds an entity; a predicate variable holds the predicate as text.
   */
  readonly values: readonly ObjectValue[];
  /** Product of the hops' shares, 0..1. */
  readonly support: number;
  /** In triple order. */
  readonly hops: readonly Hop[];
}

export interface EvaluateOptions {
  /** @default QUERY_WORK_MAX */
  readonly workMax?: number;
  /** @default QUERY_ROWS_MAX */
  readonly rowsMax?: number;
  /** Checked between steps; a fired signal stops the query with its reason. */
  readonly signal?: AbortSignal;
}

export interface QueryResult {
  readonly rows: readonly Row[];
  /** Pairs resolved plus index entries and predicates read. */
  readonly work: number;
  /** The order the triples were joined in (indexes into pattern.triples). */
  readonly plan: readonly number[];
}

type Bindings = ReadonlyMap<string, ObjectValue>;
interface Partial {
  readonly bindings: Bindings;
  readonly hops: readonly Hop[];
}

export async function evaluate(pattern: Pattern, source: QuerySource, options: EvaluateOptions = {}): Promise<QueryResult> {
  const run = new Run(source, options.workMax ?? QUERY_WORK_MAX, options.rowsMax ?? QUERY_ROWS_MAX, options.signal);
  const plan = planOrder(pattern.triples);
  let rows: Partial[] = [{ bindings: new Map(), hops: [] }];
  const pending = [...pattern.filters];
  for (const index of plan) {
    options.signal?.throwIfAborted();
    const next: Partial[] = [];
    for (const row of rows) {
      for (const extended of await run.expand(pattern.triples[index]!, index, row)) {
        next.push(extended);
        if (next.length > run.rowsMax) throw new QueryBudgetError('rows', run.rowsMax);
      }
    }
    const bound = new Set(next[0]?.bindings.keys() ?? []);
    const ready = pending.filter((f) => filterVariables(f).every((v) => bound.has(v)));
    rows = next.filter((r) => ready.every((f) => passes(f, r.bindings)));
    for (const f of ready) pending.splice(pending.indexOf(f), 1);
    if (rows.length === 0) break;
  }
  const finished = rows.map((r) => finish(pattern, r));
  return { rows: sortRows(pattern, dedupe(finished)), work: run.work, plan };
}

/** Join order: repeatedly the triple with the cheapest access path given what is bound; ties by pattern order. */
export function planOrder(triples: readonly Triple[]): number[] {
  const bound = new Set<string>();
  const left = triples.map((_, i) => i);
  const order: number[] = [];
  while (left.length > 0) {
    let best = 0;
    for (let k = 1; k < left.length; k++) if (cost(triples[left[k]!]!, bound) < cost(triples[left[best]!]!, bound)) best = k;
    const [index] = left.splice(best, 1);
    order.push(index!);
    for (const term of termsOf(triples[index!]!)) if (term.kind === 'var') bound.add(term.name);
  }
  return order;
}

function termsOf(t: Triple): (SubjectTerm | PredicateTerm | ObjectTerm)[] {
  return [t.subject, t.predicate, t.object];
}

const isBound = (term: SubjectTerm | PredicateTerm | ObjectTerm, bound: ReadonlySet<string>): boolean => term.kind !== 'var' || bound.has(term.name);

/** Access path classes, cheapest first (docs/QUERIES.md "Costs and limits"). */
function cost(t: Triple, bound: ReadonlySet<string>): number {
  const [s, p, o] = [isBound(t.subject, bound), isBound(t.predicate, bound), isBound(t.object, bound)];
  if (s && p) return 0; // one resolution
  if (s) return 1; // the subject's predicates
  if (p && o) return 2; // the (predicate, object) index
  if (o) return 3; // the object index
  if (p) return 4; // the predicate index
  return 5; // every pair
}

class Run {
  work = 0;
  private readonly resolved = new Map<string, Promise<Resolution>>();

  constructor(
    private readonly source: QuerySource,
    private readonly workMax: number,
    readonly rowsMax: number,
    private readonly signal: AbortSignal | undefined,
  ) {}

  private spend(n: number): void {
    this.work += n;
    if (this.work > this.workMax) throw new QueryBudgetError('work', this.workMax);
  }

  private resolve(subject: string, predicate: string): Promise<Resolution> {
    const key = `${subject}\0${predicate}`;
    let r = this.resolved.get(key);
    if (r === undefined) {
      this.spend(1);
      r = this.source.resolve(subject, predicate);
      this.resolved.set(key, r);
    }
    return r;
  }

  async expand(t: Triple, index: number, row: Partial): Promise<Partial[]> {
    const subject = nameOf(t.subject, row.bindings, 'entity');
    const predicate = nameOf(t.predicate, row.bindings, 'text');
    if (subject === null || predicate === null) return []; // bound to a value that cannot stand there
    const object = t.object.kind === 'literal' ? t.object.value : row.bindings.get(t.object.name);
    const pairs: { subject: string; predicate: string }[] = [];
    if (subject !== undefined) {
      const predicates = predicate !== undefined ? [predicate] : await this.source.predicatesOf(subject);
      this.spend(predicate !== undefined ? 0 : 1 + predicates.length);
      for (const p of predicates) pairs.push({ subject, predicate: p });
    } else {
      const filter: PairFilter = { ...(predicate === undefined ? {} : { predicate }), ...(object === undefined ? {} : { object }) };
      for await (const pair of this.source.pairs(filter)) {
        this.spend(1);
        if (this.work % 1024 === 0) this.signal?.throwIfAborted();
        pairs.push(pair);
      }
    }
    const resolutions = await Promise.all(pairs.map((p) => this.resolve(p.subject, p.predicate)));
    const out: Partial[] = [];
    pairs.forEach((pair, i) => {
      const resolution = resolutions[i]!;
      if (resolution.outcome !== 'resolved' || resolution.object === null) return;
      const bindings = bind(t, row.bindings, pair.subject, pair.predicate, resolution.object);
      if (bindings !== null) out.push({ bindings, hops: [...row.hops, { triple: index, subject: pair.subject, predicate: pair.predicate, resolution }] });
    });
    return out;
  }
}

/** The name a subject or predicate term stands for: a string, undefined when unbound, null when bound to a value of the wrong kind. */
function nameOf(term: SubjectTerm | PredicateTerm, bindings: Bindings, kind: 'entity' | 'text'): string | undefined | null {
  if (term.kind === 'name') return term.value;
  const v = bindings.get(term.name);
  if (v === undefined) return undefined;
  return v.kind === kind ? (v.value as string) : null;
}

/** The row's bindings extended by one matched pair, or null when a variable would take two values. */
function bind(t: Triple, bindings: Bindings, subject: string, predicate: string, object: ObjectValue): Map<string, ObjectValue> | null {
  const out = new Map(bindings);
  const set = (name: string, v: ObjectValue): boolean => {
    const cur = out.get(name);
    if (cur === undefined) {
      out.set(name, v);
      return true;
    }
    return cur.kind === v.kind && objectsEqual(cur, v);
  };
  if (t.subject.kind === 'var' && !set(t.subject.name, { kind: 'entity', value: subject })) return null;
  if (t.predicate.kind === 'var' && !set(t.predicate.name, { kind: 'text', value: predicate })) return null;
  if (t.object.kind === 'literal') return objectsEqual(t.object.value, object) ? out : null;
  return set(t.object.name, object) ? out : null;
}

function filterVariables(f: Filter): string[] {
  if (f.kind === 'kind') return [f.variable.name];
  return f.right.kind === 'var' ? [f.left.name, f.right.name] : [f.left.name];
}

function passes(f: Filter, b: Bindings): boolean {
  if (f.kind === 'kind') return (b.get(f.variable.name)!.kind === f.objectKind) !== f.negated;
  const right = f.right.kind === 'var' ? b.get(f.right.name)! : f.right.value;
  return holds(b.get(f.left.name)!, f.op, right);
}

function finish(pattern: Pattern, r: Partial): Row {
  const hops = [...r.hops].sort((a, b) => a.triple - b.triple);
  let support = 1;
  for (const h of hops) support *= h.resolution.share;
  return { values: pattern.variables.map((v) => r.bindings.get(v)!), support, hops };
}

function rowKey(r: Row): string {
  return r.values.map((v) => objectKey(v)).join('\0');
}

/** Set semantics: one row per distinct binding (the first, in evaluation order, is kept). */
function dedupe(rows: readonly Row[]): Row[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const k = rowKey(r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** ORDER BY keys first, then every column in variable order: no input order can leak into the answer. */
function sortRows(pattern: Pattern, rows: Row[]): Row[] {
  const column = (name: string): number => pattern.variables.indexOf(name);
  const keys = pattern.order.map((o) => ({ at: column(o.variable.name), sign: o.descending ? -1 : 1 }));
  return rows.sort((a, b) => {
    for (const k of keys) {
      const c = sortValues(a.values[k.at]!, b.values[k.at]!) * k.sign;
      if (c !== 0) return c;
    }
    for (let i = 0; i < a.values.length; i++) {
      const c = sortValues(a.values[i]!, b.values[i]!);
      if (c !== 0) return c;
    }
    return 0;
  });
}
