/**
 * `stemedb subjects`, `stemedb predicates` and `stemedb by-signer`: the name
 * listings of a reader (ListSubjects, ListPredicates, BySigner), one page at a time.
 */
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from '../../../shared/graph/limits';
import type { ListFlags, NamesJson } from '../../reader/query-client';
import { parseFlags, parseHash, required } from '../args';
import type { Command, CommandIo } from '../command';
import { offsetFlag, pageSizeFlag } from '../lens-flags';

const LIST_FLAGS_HELP = `  --reader HOST:PORT     the reader's address (required)
  --min-offset N         wait until the reader has applied the record at offset N
  --as-of N              list as the graph stood before log offset N
  --page-size N          1..${PAGE_SIZE_MAX} (default ${PAGE_SIZE_DEFAULT})
  --page-token T         the next page of a previous listing
  --json                 one JSON object
  -h, --help             show this help`;

const LIST_SPEC = {
  reader: { type: 'string' },
  'min-offset': { type: 'string' },
  'as-of': { type: 'string' },
  'page-size': { type: 'string' },
  'page-token': { type: 'string' },
  json: { type: 'boolean' },
} as const;

function listFlags(v: Record<string, unknown>): ListFlags {
  const minOffset = offsetFlag('min-offset', v['min-offset'] as string | undefined);
  const asOfOffset = offsetFlag('as-of', v['as-of'] as string | undefined);
  const pageSize = pageSizeFlag(v['page-size'] as string | undefined, PAGE_SIZE_MAX);
  return {
    ...(minOffset === undefined ? {} : { minOffset }),
    ...(asOfOffset === undefined ? {} : { asOfOffset }),
    ...(pageSize === undefined ? {} : { pageSize }),
    ...(v['page-token'] === undefined ? {} : { pageToken: v['page-token'] as string }),
  };
}

function printNames(io: CommandIo, answer: NamesJson, json: boolean): void {
  if (json) return io.out(JSON.stringify(answer));
  io.out([...answer.names, ...(answer.next_page_token === '' ? [] : [`more: --page-token ${answer.next_page_token}`])].join('\n'));
}

export const subjects: Command = {
  path: ['subjects'],
  summary: 'list subjects by name prefix',
  telemetry: 'client',
  help: `usage: stemedb subjects --reader HOST:PORT [--prefix P] [--as-of N] [--page-size N] [--page-token T] [--json]

Subjects in name (UTF-8 byte) order, one per line.

options:
  --prefix P             only subjects whose name starts with P
${LIST_FLAGS_HELP}`,
  async run(args, io) {
    const v = parseFlags<Record<string, unknown>>(args, { ...LIST_SPEC, prefix: { type: 'string' } });
    const { listSubjects } = await import('../../reader/query-client');
    printNames(io, await listSubjects(required(v, 'reader'), (v.prefix as string | undefined) ?? '', listFlags(v)), v.json === true);
    return 0;
  },
};

export const predicates: Command = {
  path: ['predicates'],
  summary: "list a subject's predicates, or every predicate in use",
  telemetry: 'client',
  help: `usage: stemedb predicates --reader HOST:PORT [--subject S] [--as-of N] [--page-size N] [--page-token T] [--json]

Predicates in name order, one per line: those of --subject, or every predicate in use.

options:
  --subject S            only this subject's predicates
${LIST_FLAGS_HELP}`,
  async run(args, io) {
    const v = parseFlags<Record<string, unknown>>(args, { ...LIST_SPEC, subject: { type: 'string' } });
    const { listPredicates } = await import('../../reader/query-client');
    printNames(io, await listPredicates(required(v, 'reader'), (v.subject as string | undefined) ?? '', listFlags(v)), v.json === true);
    return 0;
  },
};

export const bySigner: Command = {
  path: ['by-signer'],
  summary: 'list the assertions an agent signed',
  telemetry: 'client',
  help: `usage: stemedb by-signer --reader HOST:PORT --agent HEX [--as-of N] [--page-size N] [--page-token T] [--json]

Assertions the agent signed (first signature or co-signature), in log order of
its signature: offset, id, subject, predicate and object.

options:
  --agent HEX            the agent's public key (64 hex, required)
${LIST_FLAGS_HELP}`,
  async run(args, io) {
    const v = parseFlags<Record<string, unknown>>(args, { ...LIST_SPEC, agent: { type: 'string' } });
    const agent = parseHash('agent', required(v, 'agent'));
    const { bySigner: call } = await import('../../reader/query-client');
    const answer = await call(required(v, 'reader'), agent, listFlags(v));
    if (v.json === true) io.out(JSON.stringify(answer));
    else {
      const lines = answer.assertions.map((a) => `${a.signed_at_offset}  ${a.id.slice(0, 12)}…  ${a.subject} ${a.predicate} ${a.object?.display ?? ''}`);
      io.out([...lines, ...(answer.next_page_token === '' ? [] : [`more: --page-token ${answer.next_page_token}`])].join('\n'));
    }
    return 0;
  },
};
