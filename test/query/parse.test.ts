/** The pattern syntax of docs/QUERIES.md: what parses to what, and the errors that name a position. */
import { parsePattern } from '../../shared/query/parse';
import { QUERY_FILTERS_MAX, QUERY_TERM_BYTES_MAX, QUERY_TEXT_BYTES_MAX, QUERY_TRIPLES_MAX } from '../../shared/query/limits';

describe('parsePattern', () => {
  it('reads bare entity ids and predicates, quoted text, variables and triples separated by a lone dot', () => {
    const p = parsePattern('?c capital ?x . ?x population ?p');
    expect(p.triples).toEqual([
      { subject: { kind: 'var', name: 'c' }, predicate: { kind: 'name', value: 'capital' }, object: { kind: 'var', name: 'x' } },
      { subject: { kind: 'var', name: 'x' }, predicate: { kind: 'name', value: 'population' }, object: { kind: 'var', name: 'p' } },
    ]);
    expect(p.variables).toEqual(['c', 'x', 'p']);
    expect(parsePattern('?c capital "Naypyidaw"').triples[0]!.object).toEqual({ kind: 'literal', value: { kind: 'text', value: 'Naypyidaw' } });
    expect(parsePattern('country:myanmar capital ?x .').triples[0]!.subject).toEqual({ kind: 'name', value: 'country:myanmar' });
  });

  it('reads every literal kind in the object position', () => {
    const object = (text: string): unknown => parsePattern(`s p ${text}`).triples[0]!.object;
    expect(object('42')).toEqual({ kind: 'literal', value: { kind: 'integer', value: 42n } });
    expect(object('-4.5')).toEqual({ kind: 'literal', value: { kind: 'number', value: -4.5 } });
    expect(object('1e6')).toEqual({ kind: 'literal', value: { kind: 'number', value: 1e6 } });
    expect(object('true')).toEqual({ kind: 'literal', value: { kind: 'boolean', value: true } });
    expect(object('@1700000000000')).toEqual({ kind: 'literal', value: { kind: 'timestamp', value: 1700000000000n } });
    expect(object('0x0a1b')).toEqual({ kind: 'literal', value: { kind: 'bytes', value: Buffer.from([0x0a, 0x1b]) } });
    expect(object('city:naypyidaw')).toEqual({ kind: 'literal', value: { kind: 'entity', value: 'city:naypyidaw' } });
    expect(object('<a name with spaces>')).toEqual({ kind: 'literal', value: { kind: 'entity', value: 'a name with spaces' } });
    expect(object('"tab\\tand \\"quote\\""')).toEqual({ kind: 'literal', value: { kind: 'text', value: 'tab\tand "quote"' } });
  });

  it('reads filters and an order', () => {
    const p = parsePattern('?c population ?p FILTER ?p >= 1000000 FILTER kind(?p) = integer FILTER ?c != <FILTER> ORDER BY ?p DESC ?c');
    expect(p.filters).toEqual([
      { kind: 'compare', left: { kind: 'var', name: 'p' }, op: '>=', right: { kind: 'literal', value: { kind: 'integer', value: 1000000n } } },
      { kind: 'kind', variable: { kind: 'var', name: 'p' }, negated: false, objectKind: 'integer' },
      { kind: 'compare', left: { kind: 'var', name: 'c' }, op: '!=', right: { kind: 'literal', value: { kind: 'entity', value: 'FILTER' } } },
    ]);
    expect(p.order).toEqual([
      { variable: { kind: 'var', name: 'p' }, descending: true },
      { variable: { kind: 'var', name: 'c' }, descending: false },
    ]);
    expect(parsePattern('?c population ?p FILTER ?p <5').filters[0]).toMatchObject({ op: '<' });
    // On a predicate variable, a bare word is a predicate name (text), not an entity.
    expect(parsePattern('?c ?p ?x FILTER ?p != capital').filters[0]).toMatchObject({ right: { kind: 'literal', value: { kind: 'text', value: 'capital' } } });
    expect(parsePattern('?c ?p ?x FILTER ?x != capital').filters[0]).toMatchObject({ right: { kind: 'literal', value: { kind: 'entity', value: 'capital' } } });
  });

  it.each([
    ['', 'at least one triple'],
    ['?c capital', 'the object is missing'],
    ['"x" capital ?y', 'a subject is a variable or a name'],
    ['?c 42 ?y', 'a predicate is a variable or a name'],
    ['?c capital ?x ?y knows ?z', "expected ' . ' before the next triple"],
    ['?c ?p ?x . ?p knows ?y', 'used both as a predicate'],
    ['?c capital ?x FILTER ?y > 1', '?y appears in no triple'],
    ['?c capital ?x ORDER BY ?q', '?q appears in no triple'],
    ['?c capital "open', 'unterminated text literal'],
    ['?c capital <open', 'unterminated <name>'],
    ['?c capital ?x FILTER kind(?x) = colour', 'a kind is one of'],
    ['?c capital ?x FILTER ?x ~ 1', 'expected a comparison'],
    ['?c capital 99999999999999999999', 'outside int64'],
    ['?c capital ?x LIMIT 3', 'or FILTER or ORDER BY'],
    ['?1c capital ?x', 'is not a variable name'],
  ])('refuses %j (%s)', (text, reason) => {
    expect(() => parsePattern(text)).toThrow(expect.objectContaining({ name: 'QuerySyntaxError', field: 'pattern', reason: expect.stringContaining(reason) }));
  });

  it('names the position of the problem', () => {
    expect(() => parsePattern('?c capital ?x . "bad" p o')).toThrow(expect.objectContaining({ position: 16 }));
  });

  it(`bounds the text (${QUERY_TEXT_BYTES_MAX} bytes), each term (${QUERY_TERM_BYTES_MAX}), the triples (${QUERY_TRIPLES_MAX}) and the filters (${QUERY_FILTERS_MAX}), each at ±1`, () => {
    const triples = (n: number): string => Array.from({ length: n }, (_, i) => `?s p${i} ?o${i}`).join(' . ');
    expect(parsePattern(triples(QUERY_TRIPLES_MAX)).triples).toHaveLength(QUERY_TRIPLES_MAX);
    expect(() => parsePattern(triples(QUERY_TRIPLES_MAX + 1))).toThrow(/at most 8 triples/);
    const filters = (n: number): string => '?s p ?o' + ' FILTER ?o > 1'.repeat(n);
    expect(parsePattern(filters(QUERY_FILTERS_MAX)).filters).toHaveLength(QUERY_FILTERS_MAX);
    expect(() => parsePattern(filters(QUERY_FILTERS_MAX + 1))).toThrow(/at most 8 filters/);
    const term = (n: number): string => `?s p "${'x'.repeat(n)}"`;
    expect(parsePattern(term(QUERY_TERM_BYTES_MAX)).triples).toHaveLength(1);
    expect(() => parsePattern(term(QUERY_TERM_BYTES_MAX + 1))).toThrow(/longer than 1024 bytes/);
    const padded = (n: number): string => '?s p ?o' + ' '.repeat(n - 7);
    expect(parsePattern(padded(QUERY_TEXT_BYTES_MAX)).triples).toHaveLength(1);
    expect(() => parsePattern(padded(QUERY_TEXT_BYTES_MAX + 1))).toThrow(/pattern is longer than 4096 bytes/);
  });
});
