/**
 * Query over a real store: for random small logs (entity references,
 * co-signatures, supersession, votes) ingested into a HybridStore, and random
 * patterns, under every lens, the engine reading the query indexes through the
 * reader's QuerySource (services/reader/query-source.ts) gives exactly the rows
 * of a naive evaluation over the resolution of every pair of every subject —
 * now and as of a random offset.
 */
import fc from 'fast-check';
import type { ObjectValue, StemeRecord } from '../../shared/domain/types';
import { GraphReader } from '../../shared/graph/graph-reader';
import { IndexReader } from '../../shared/graph/index-reader';
import { LENS_NAMES, resolve } from '../../shared/lens/index';
import { objectKey, objectsEqual } from '../../shared/lens/object-value';
import type { LensName, Resolution } from '../../shared/lens/types';
import { evaluate } from '../../shared/query/evaluate';
import { parsePattern } from '../../shared/query/parse';
import { sortValues } from '../../shared/query/values';
import { setLogLevel } from '../../shared/telemetry/logger';
import { ReaderQuerySource } from '../../services/reader/query-source';
import { makeTempDir } from '../helpers/tmp';
import { rng } from '../helpers/random';
import { agent, claim, idOf, logOf, signed, vote } from '../graph/log-builder';
import { buildStore } from '../graph/store-helpers';

const SUBJECTS = ['e0', 'e1', 'e2'];
const PREDICATES = ['p0', 'p1'];
const OBJECTS: ObjectValue[] = [...SUBJECTS.map((value) => ({ kind: 'entity' as const, value })), { kind: 'integer', value: 1n }, { kind: 'text', value: 'a' }];

function randomGraph(seed: number, n: number): StemeRecord[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const out: StemeRecord[] = [];
  const claims: StemeRecord[] = [];
  for (let i = 0; i < n; i++) {
    const x = r();
    if (x < 0.15 && claims.length > 0) out.push(signed(pick(claims), [agent(Math.floor(r() * 4))])); // co-signature
    else if (x < 0.25 && claims.length > 0) out.push(vote(idOf(pick(claims)), agent(Math.floor(r() * 4)), pick([-1, 1])));
    else {
      const parent = x < 0.35 && claims.length > 0 ? pick(claims) : undefined;
      const who = parent !== undefined && r() < 0.7 ? agent(0) : agent(Math.floor(r() * 4));
      const c = signed(claim({ subject: pick(SUBJECTS), predicate: pick(PREDICATES), object: pick(OBJECTS), confidence: pick([0.4, 0.8, 1]), source: 1 + Math.floor(r() * 3), parent: parent === undefined ? null : idOf(parent), at: 1_700_000_000_000 + i }), [who]);
      out.push(c);
      claims.push(c);
    }
  }
  return out;
}

const term = fc.constantFrom('?x', '?y', ...SUBJECTS);
const objectTerm = fc.constantFrom('?x', '?y', '?z', ...SUBJECTS, '1', '"a"');
const patternArb = fc
  .array(fc.tuple(term, fc.constantFrom('?p', ...PREDICATES), objectTerm), { minLength: 1, maxLength: 3 })
  .map((ts) => ts.map((t) => t.join(' ')).join(' . '));

async function naive(text: string, graph: GraphReader, lens: LensName, at: number): Promise<string[]> {
  const pattern = parsePattern(text);
  const facts: { subject: string; predicate: string; r: Resolution }[] = [];
  for (const subject of SUBJECTS) {
    for (const predicate of await graph.predicatesOf(subject, { asOfOffset: at })) {
      const r = resolve(lens, subject, predicate, await graph.candidatesFor(subject, predicate, { asOfOffset: at }), { asOfOffset: at, explain: false });
      if (r.outcome === 'resolved') facts.push({ subject, predicate, r });
    }
  }
  let rows: Map<string, ObjectValue>[] = [new Map()];
  for (const t of pattern.triples) {
    const next: Map<string, ObjectValue>[] = [];
    for (const row of rows) {
      for (const f of facts) {
        const b = new Map(row);
        const bind = (termOf: typeof t.subject | typeof t.object, v: ObjectValue): boolean => {
          if (termOf.kind === 'name') return (v.kind === 'entity' || v.kind === 'text') && v.value === termOf.value;
          if (termOf.kind === 'literal') return objectsEqual(termOf.value, v);
          const cur = b.get(termOf.name);
          if (cur === undefined) return b.set(termOf.name, v) !== undefined;
          return cur.kind === v.kind && objectsEqual(cur, v);
        };
        if (bind(t.subject, { kind: 'entity', value: f.subject }) && bind(t.predicate, { kind: 'text', value: f.predicate }) && bind(t.object, f.r.object!)) next.push(b);
      }
    }
    rows = next;
  }
  const keys = new Map<string, ObjectValue[]>();
  for (const b of rows) {
    const values = pattern.variables.map((v) => b.get(v)!);
    keys.set(values.map(objectKey).join('\0'), values);
  }
  return [...keys.values()]
    .sort((a, b) => {
      for (let i = 0; i < a.length; i++) {
        const c = sortValues(a[i]!, b[i]!);
        if (c !== 0) return c;
      }
      return 0;
    })
    .map((v) => v.map(objectKey).join(' '));
}

beforeAll(() => setLogLevel('error'));

describe('Query over an ingested store', () => {
  it('equals a naive evaluation over every pair of every subject, under every lens, now and as of any offset', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.integer({ min: 5, max: 40 }), fc.array(patternArb, { minLength: 3, maxLength: 3 }), fc.double({ min: 0, max: 1, noNaN: true }), async (seed, n, patterns, cut) => {
        const log = logOf(randomGraph(seed, n));
        const dir = makeTempDir();
        const store = await buildStore(dir.path, log, { batchRecordsMax: 1 + (Math.abs(seed) % 5) });
        try {
          const graph = new GraphReader(store);
          const index = new IndexReader(store);
          const head = log[log.length - 1]!.nextOffset;
          for (const at of [head, log[Math.floor(cut * (log.length - 1))]!.offset]) {
            for (const lens of LENS_NAMES) {
              const pairsAt = {
                at,
                resolve: async (s: string, p: string): Promise<Resolution> => resolve(lens, s, p, await graph.candidatesFor(s, p, { asOfOffset: at }), { asOfOffset: at, explain: false }),
              };
              for (const text of patterns) {
                const got = await evaluate(parsePattern(text), new ReaderQuerySource(graph, index, pairsAt));
                expect([text, lens, at, got.rows.map((row) => row.values.map(objectKey).join(' '))]).toEqual([text, lens, at, await naive(text, graph, lens, at)]);
              }
            }
          }
        } finally {
          await store.close();
          dir.cleanup();
        }
      }),
      { numRuns: 15 },
    );
  });
});
