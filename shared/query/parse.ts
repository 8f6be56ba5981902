/**
 * The pattern text syntax (docs/QUERIES.md "Syntax"):
 *
 *   pattern := triple ( '.' triple )* [ '.' ] clause*
 *   triple  := term term term
 *   clause  := 'FILTER' ( '?v' OP value | 'kind(' '?v' ')' ( '=' | '!=' ) KIND )
 *            | 'ORDER' 'BY' ( '?v' [ 'ASC' | 'DESC' ] )+
 *
 * Terms: `?name` a variable; `"…"` a text literal (JSON string escapes); a bare
 * word, or `<…>` for any name with spaces or reserved forms, is an entity id
 * (subject, object) or a predicate; `42` an integer, `4.2` or `1e6` a number,
 * `true`/`false` a boolean, `@1700000000000` a timestamp (ms), `0x0a1b` bytes.
 * A `.` separates triples only when it stands alone (whitespace around it).
 * FILTER, ORDER, BY, ASC and DESC are reserved (write `<FILTER>` for such a name).
 */
import { INT64_MAX, INT64_MIN } from '../domain/limits';
import type { ObjectKind, ObjectValue } from '../domain/types';
import type { ComparisonOp, Filter, Literal, Name, ObjectTerm, OrderKey, Pattern, Triple, Variable } from './ast';
import { QuerySyntaxError } from './errors';
import { QUERY_FILTERS_MAX, QUERY_ORDER_KEYS_MAX, QUERY_TERM_BYTES_MAX, QUERY_TEXT_BYTES_MAX, QUERY_TRIPLES_MAX } from './limits';

type Token =
  | { readonly t: 'var'; readonly text: string; readonly at: number }
  | { readonly t: 'string'; readonly text: string; readonly at: number }
  | { readonly t: 'quoted_name'; readonly text: string; readonly at: number }
  | { readonly t: 'word'; readonly text: string; readonly at: number }
  | { readonly t: 'dot' | 'lparen' | 'rparen' | 'end'; readonly text: string; readonly at: number }
  | { readonly t: 'op'; readonly text: ComparisonOp; readonly at: number };

const RESERVED = new Set(['FILTER', 'ORDER', 'BY', 'ASC', 'DESC']);
const OPS: readonly ComparisonOp[] = ['<=', '>=', '!=', '=', '<', '>'];
const KINDS: readonly ObjectKind[] = ['text', 'number', 'integer', 'boolean', 'entity', 'timestamp', 'bytes'];
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isSpace(c: string | undefined): boolean {
  return c === undefined || c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    const at = i;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new QuerySyntaxError(at, 'unterminated text literal');
      let value: string;
      try {
        value = JSON.parse(text.slice(i, j + 1)) as string;
      } catch {
        throw new QuerySyntaxError(at, 'invalid escape in a text literal (JSON string escapes)');
      }
      out.push({ t: 'string', text: termBytes(value, at), at });
      i = j + 1;
    } else if (c === '<' && !afterFilterVariable(out) && !isSpace(text[i + 1])) {
      const j = text.indexOf('>', i + 1);
      if (j < 0) throw new QuerySyntaxError(at, "unterminated <name>: no closing '>'");
      out.push({ t: 'quoted_name', text: termBytes(text.slice(i + 1, j), at), at });
      i = j + 1;
    } else if (c === '.' && isSpace(text[i + 1])) {
      out.push({ t: 'dot', text: '.', at });
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ t: c === '(' ? 'lparen' : 'rparen', text: c, at });
      i++;
    } else if (OPS.some((op) => text.startsWith(op, i))) {
      const op = OPS.find((o) => text.startsWith(o, i))!;
      out.push({ t: 'op', text: op, at });
      i += op.length;
    } else {
      let j = i;
      while (j < text.length && !isSpace(text[j]) && text[j] !== '(' && text[j] !== ')') j++;
      const word = text.slice(i, j);
      if (word.startsWith('?')) {
        if (!VAR_NAME.test(word.slice(1))) throw new QuerySyntaxError(at, `'${word}' is not a variable name (?letters, digits, _)`);
        out.push({ t: 'var', text: word.slice(1), at });
      } else {
        out.push({ t: 'word', text: termBytes(word, at), at });
      }
      i = j;
    }
  }
  out.push({ t: 'end', text: '', at: text.length });
  return out;
}

/** `FILTER ?v <…`: there a '<' is a comparison; everywhere else it opens a `<name>`. */
function afterFilterVariable(out: readonly Token[]): boolean {
  const prev = out[out.length - 1];
  const before = out[out.length - 2];
  return prev?.t === 'var' && before?.t === 'word' && before.text === 'FILTER';
}

function termBytes(s: string, at: number): string {
  if (Buffer.byteLength(s, 'utf8') > QUERY_TERM_BYTES_MAX) throw new QuerySyntaxError(at, `a term is longer than ${QUERY_TERM_BYTES_MAX} bytes`);
  if (s.includes('\0')) throw new QuerySyntaxError(at, 'a term may not contain NUL');
  return s;
}

/** Parse and check a pattern; throws QuerySyntaxError naming the position. */
export function parsePattern(text: string): Pattern {
  if (Buffer.byteLength(text, 'utf8') > QUERY_TEXT_BYTES_MAX) throw new QuerySyntaxError(0, `the pattern is longer than ${QUERY_TEXT_BYTES_MAX} bytes`);
  return new Parser(tokenize(text)).pattern();
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token {
    return this.tokens[this.i]!;
  }
  private next(): Token {
    return this.tokens[this.i++]!;
  }
  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t.t === 'word' && t.text === word;
  }

  pattern(): Pattern {
    const triples: Triple[] = [];
    while (this.peek().t !== 'end' && !this.isKeyword('FILTER') && !this.isKeyword('ORDER')) {
      if (triples.length === QUERY_TRIPLES_MAX) throw new QuerySyntaxError(this.peek().at, `at most ${QUERY_TRIPLES_MAX} triples in a pattern`);
      triples.push(this.triple());
      if (this.peek().t === 'dot') this.next();
      else if (this.peek().t !== 'end' && !this.isKeyword('FILTER') && !this.isKeyword('ORDER')) throw new QuerySyntaxError(this.peek().at, "expected ' . ' before the next triple, or FILTER or ORDER BY");
    }
    if (triples.length === 0) throw new QuerySyntaxError(this.peek().at, 'a pattern needs at least one triple (subject predicate object)');
    const filters: Filter[] = [];
    const order: OrderKey[] = [];
    while (this.peek().t !== 'end') {
      const t = this.next();
      if (t.t === 'word' && t.text === 'FILTER') {
        if (filters.length === QUERY_FILTERS_MAX) throw new QuerySyntaxError(t.at, `at most ${QUERY_FILTERS_MAX} filters`);
        filters.push(this.filter());
      } else if (t.t === 'word' && t.text === 'ORDER') {
        if (order.length > 0) throw new QuerySyntaxError(t.at, 'one ORDER BY clause');
        this.expectWord('BY');
        do {
          if (order.length === QUERY_ORDER_KEYS_MAX) throw new QuerySyntaxError(this.peek().at, `at most ${QUERY_ORDER_KEYS_MAX} ORDER BY keys`);
          const variable = this.variable('ORDER BY takes variables');
          const descending = this.isKeyword('DESC');
          if (descending || this.isKeyword('ASC')) this.next();
          order.push({ variable, descending });
        } while (this.peek().t === 'var');
      } else {
        throw new QuerySyntaxError(t.at, `expected FILTER or ORDER BY, got '${t.text}'`);
      }
    }
    return checked(triples, filters, order, this.tokens);
  }

  private triple(): Triple {
    const subject = this.nameOrVar('subject');
    const predicate = this.nameOrVar('predicate');
    return { subject, predicate, object: this.objectTerm() };
  }

  private nameOrVar(position: string): Variable | Name {
    const t = this.next();
    if (t.t === 'var') return { kind: 'var', name: t.text };
    if (t.t === 'quoted_name') return { kind: 'name', value: t.text };
    if (t.t === 'word' && !RESERVED.has(t.text) && literalOf(t.text, t.at) === undefined) return { kind: 'name', value: t.text };
    throw new QuerySyntaxError(t.at, t.t === 'end' ? `the triple ends before its ${position}` : `a ${position} is a variable or a name, not '${t.text}'`);
  }

  private objectTerm(): ObjectTerm {
    const t = this.peek();
    if (t.t === 'var') {
      this.next();
      return { kind: 'var', name: t.text };
    }
    return this.literal('object');
  }

  private literal(position: string): Literal {
    const t = this.next();
    if (t.t === 'string') return { kind: 'literal', value: { kind: 'text', value: t.text } };
    if (t.t === 'quoted_name') return { kind: 'literal', value: { kind: 'entity', value: t.text } };
    if (t.t === 'word' && !RESERVED.has(t.text)) return { kind: 'literal', value: literalOf(t.text, t.at) ?? { kind: 'entity', value: t.text } };
    throw new QuerySyntaxError(t.at, t.t === 'end' ? `the ${position} is missing` : `expected a value as the ${position}, got '${t.text}'`);
  }

  private filter(): Filter {
    if (this.isKeyword('kind')) {
      this.next();
      this.expect('lparen', "'(' after kind");
      const variable = this.variable('kind() takes a variable');
      this.expect('rparen', "')'");
      const op = this.next();
      if (op.t !== 'op' || (op.text !== '=' && op.text !== '!=')) throw new QuerySyntaxError(op.at, "kind(?v) is compared with '=' or '!='");
      const k = this.next();
      if (k.t !== 'word' || !(KINDS as readonly string[]).includes(k.text)) throw new QuerySyntaxError(k.at, `a kind is one of ${KINDS.join(', ')}`);
      return { kind: 'kind', variable, negated: op.text === '!=', objectKind: k.text as ObjectKind };
    }
    const left = this.variable('FILTER starts with a variable or kind(?v)');
    const op = this.next();
    if (op.t !== 'op') throw new QuerySyntaxError(op.at, `expected a comparison (${OPS.join(' ')}), got '${op.text}'`);
    const right = this.peek().t === 'var' ? this.variable('') : this.literal('comparison value');
    return { kind: 'compare', left, op: op.text, right };
  }

  private variable(why: string): Variable {
    const t = this.next();
    if (t.t !== 'var') throw new QuerySyntaxError(t.at, why);
    return { kind: 'var', name: t.text };
  }

  private expect(t: Token['t'], what: string): void {
    const got = this.next();
    if (got.t !== t) throw new QuerySyntaxError(got.at, `expected ${what}`);
  }

  private expectWord(word: string): void {
    const got = this.next();
    if (got.t !== 'word' || got.text !== word) throw new QuerySyntaxError(got.at, `expected ${word}`);
  }
}

/** A bare word's literal value, or undefined when it is a name. */
function literalOf(word: string, at: number): ObjectValue | undefined {
  if (word === 'true' || word === 'false') return { kind: 'boolean', value: word === 'true' };
  if (/^-?\d+$/.test(word)) {
    const v = BigInt(word);
    if (v < INT64_MIN || v > INT64_MAX) throw new QuerySyntaxError(at, `integer ${word} is outside int64`);
    return { kind: 'integer', value: v };
  }
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(word) || /^-?\.\d+$/.test(word)) {
    const v = Number(word);
    if (!Number.isFinite(v)) throw new QuerySyntaxError(at, `number ${word} is not finite`);
    return { kind: 'number', value: v };
  }
  if (/^@-?\d+$/.test(word)) return { kind: 'timestamp', value: BigInt(word.slice(1)) };
  if (/^0x([0-9a-fA-F]{2})*$/.test(word)) return { kind: 'bytes', value: Buffer.from(word.slice(2), 'hex') };
  return undefined;
}

/** Variable roles: a predicate variable is only ever a predicate; every filtered or ordered variable is bound by a triple. */
function checked(triples: readonly Triple[], filters: readonly Filter[], order: readonly OrderKey[], tokens: readonly Token[]): Pattern {
  const variables: string[] = [];
  const predicateVariables = new Set<string>();
  const valueVariables = new Set<string>();
  const see = (name: string): void => {
    if (!variables.includes(name)) variables.push(name);
  };
  for (const t of triples) {
    for (const term of [t.subject, t.predicate, t.object]) if (term.kind === 'var') see(term.name);
    if (t.predicate.kind === 'var') predicateVariables.add(t.predicate.name);
    if (t.subject.kind === 'var') valueVariables.add(t.subject.name);
    if (t.object.kind === 'var') valueVariables.add(t.object.name);
  }
  const at = (name: string): number => tokens.find((tk) => tk.t === 'var' && tk.text === name)?.at ?? 0;
  for (const v of predicateVariables) {
    if (valueVariables.has(v)) throw new QuerySyntaxError(at(v), `?${v} is used both as a predicate and as a subject or object`);
  }
  const mustBeBound = (v: Variable): void => {
    if (!variables.includes(v.name)) throw new QuerySyntaxError(at(v.name), `?${v.name} appears in no triple`);
  };
  for (const f of filters) {
    if (f.kind === 'kind') mustBeBound(f.variable);
    else {
      mustBeBound(f.left);
      if (f.right.kind === 'var') mustBeBound(f.right);
    }
  }
  for (const o of order) mustBeBound(o.variable);
  return { triples, filters: filters.map((f) => asPredicateFilter(f, predicateVariables)), order, variables, predicateVariables };
}

/**
 * A predicate variable holds the predicate's name as text, so in a filter on
 * one a bare word (read as an entity elsewhere) is a predicate name:
 * `FILTER ?p != capital` compares names.
 */
function asPredicateFilter(f: Filter, predicateVariables: ReadonlySet<string>): Filter {
  if (f.kind !== 'compare' || !predicateVariables.has(f.left.name) || f.right.kind !== 'literal' || f.right.value.kind !== 'entity') return f;
  return { ...f, right: { kind: 'literal', value: { kind: 'text', value: f.right.value.value } } };
}
