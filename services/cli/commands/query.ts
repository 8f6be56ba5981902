/**
 * `stemedb query`: run a pattern over resolved facts on a reader
 * (docs/QUERIES.md) and print the rows as a table, or JSON lines.
 */
import type { QueryAnswerJson } from '../../reader/query-client';
import { parseFlagsAndOne, required } from '../args';
import type { Command } from '../command';
import { LENS_FLAGS_HELP, LENS_FLAG_SPEC, parseLensFlags } from '../lens-flags';
import { UsageError } from '../command';
import { QUERY_LIMIT_DEFAULT, QUERY_LIMIT_MAX } from '../../reader/limits';

function render(answer: QueryAnswerJson): string {
  const header = `${answer.rows.length} row${answer.rows.length === 1 ? '' : 's'} (served at offset ${answer.served_at_offset}, work ${answer.work})`;
  const lines = answer.rows.map((r) => {
    const cells = answer.columns.map((c) => {
      const v = r.values[c]!;
      return `?${c} = ${'predicate' in v ? v.predicate : v.display}`;
    });
    return `  ${cells.join('  ')}  (support ${r.support.toFixed(3)})`;
  });
  const more = answer.next_page_token === '' ? [] : [`more rows: --page-token ${answer.next_page_token}`];
  return [header, ...lines, ...more].join('\n');
}

export const query: Command = {
  path: ['query'],
  summary: 'run a pattern query over resolved facts (?c capital ?x . ?x population ?p)',
  telemetry: 'client',
  help: `usage: stemedb query --reader HOST:PORT [--lens NAME] [--as-of N] [--limit N]
                     [--page-token T] [--explain] [--json] 'PATTERN'

Each triple of PATTERN holds when its (subject, predicate) resolves under the
lens to its object; triples are joined on shared variables, at one served
offset. Syntax (docs/QUERIES.md): ?x a variable, "…" text, a bare word (or
<…>) an entity id or predicate, 42 an integer, 4.2 a number, true/false,
@MS a timestamp, 0xHEX bytes; ' . ' between triples; then FILTER ?x OP value
(= != < <= > >=) or FILTER kind(?x) = KIND, and ORDER BY ?x [DESC].
Each row shows its support: the product of its hops' shares.

options:
  --reader HOST:PORT     the reader's address (required)
${LENS_FLAGS_HELP}
  --limit N              rows at most, 1..${QUERY_LIMIT_MAX} (default ${QUERY_LIMIT_DEFAULT})
  --page-token T         continue where a previous answer stopped
  --explain              with --json: each hop's full resolution, explained
  --json                 one JSON object: columns, rows (values, support, hops)
  -h, --help             show this help

Errors from the reader print with their gRPC status code and field (a pattern
that does not parse names the character); exit 1, or 2 for a usage error.`,
  async run(args, io) {
    const { values, positional } = parseFlagsAndOne<Record<string, unknown>>(
      args,
      { reader: { type: 'string' }, limit: { type: 'string' }, 'page-token': { type: 'string' }, explain: { type: 'boolean' }, json: { type: 'boolean' }, ...LENS_FLAG_SPEC },
      "PATTERN (quote it: 'country:myanmar capital ?x')",
    );
    const limitText = values.limit as string | undefined;
    const limit = limitText === undefined ? undefined : Number(limitText);
    if (limit !== undefined && (!/^\d+$/.test(limitText!) || limit < 1 || limit > QUERY_LIMIT_MAX)) throw new UsageError(`--limit: expected an integer 1..${QUERY_LIMIT_MAX} (got '${limitText}')`);
    const lens = parseLensFlags(values);
    const { runQuery } = await import('../../reader/query-client');
    const answer = await runQuery(required(values, 'reader'), positional, lens, {
      ...(limit === undefined ? {} : { limit }),
      ...(values['page-token'] === undefined ? {} : { pageToken: values['page-token'] as string }),
      explain: values.explain === true,
    });
    io.out(values.json === true ? JSON.stringify(answer) : render(answer));
    return 0;
  },
};
