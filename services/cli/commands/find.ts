/**
 * `stemedb find`: the subjects whose resolved value of a predicate is a given
 * object (FindSubjects), or with --any-candidate those with any live claim of it.
 */
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from '../../../shared/graph/limits';
import { parseFlags, required } from '../args';
import { UsageError, type Command } from '../command';
import { LENS_FLAGS_HELP, LENS_FLAG_SPEC, pageSizeFlag, parseLensFlags } from '../lens-flags';
import { OBJECT_TYPES, parseObject, type ObjectType } from './assert';

export const find: Command = {
  path: ['find'],
  summary: 'find the subjects whose predicate resolves to an object (reverse lookup)',
  telemetry: 'client',
  help: `usage: stemedb find --reader HOST:PORT --predicate P --object V [--type T]
                    [--any-candidate] [--lens NAME] [--as-of N] [--page-size N]
                    [--page-token T] [--json]

Subjects, in name order, whose (subject, P) resolves under the lens to V. With
--any-candidate: those where any live candidate claims V, whatever wins.

options:
  --reader HOST:PORT     the reader's address (required)
  --predicate P          (required)
  --object V             the value (required), read as --type
  --type T               ${OBJECT_TYPES.join(', ')} (default text)
  --any-candidate        match any live candidate, not only the resolution
${LENS_FLAGS_HELP}
  --page-size N          subjects per page, 1..${PAGE_SIZE_MAX} (default ${PAGE_SIZE_DEFAULT})
  --page-token T         the next page of a previous answer (pass its
                         served_at_offset as --as-of to page one snapshot)
  --json                 one JSON object: subjects with their resolutions
  -h, --help             show this help`,
  async run(args, io) {
    const v = parseFlags<Record<string, unknown>>(args, {
      reader: { type: 'string' },
      predicate: { type: 'string' },
      object: { type: 'string' },
      type: { type: 'string' },
      'any-candidate': { type: 'boolean' },
      'page-size': { type: 'string' },
      'page-token': { type: 'string' },
      json: { type: 'boolean' },
      ...LENS_FLAG_SPEC,
    });
    const type = (v.type as string | undefined) ?? 'text';
    if (!(OBJECT_TYPES as readonly string[]).includes(type)) throw new UsageError(`--type must be one of ${OBJECT_TYPES.join(', ')} (got '${type}')`);
    const object = parseObject(type as ObjectType, required(v, 'object'));
    const pageSize = pageSizeFlag(v['page-size'] as string | undefined, PAGE_SIZE_MAX);
    const { findSubjects } = await import('../../reader/query-client');
    const answer = await findSubjects(required(v, 'reader'), required(v, 'predicate'), object, parseLensFlags(v), {
      anyCandidate: v['any-candidate'] === true,
      ...(pageSize === undefined ? {} : { pageSize }),
      ...(v['page-token'] === undefined ? {} : { pageToken: v['page-token'] as string }),
    });
    if (v.json === true) io.out(JSON.stringify(answer));
    else {
      const lines = answer.subjects.map((s) => `  ${s.subject}  (winner ${s.resolution.object?.display ?? 'none'}, share ${s.resolution.share.toFixed(3)})`);
      io.out([`${answer.subjects.length} subject${answer.subjects.length === 1 ? '' : 's'} (served at offset ${answer.served_at_offset})`, ...lines, ...(answer.next_page_token === '' ? [] : [`more: --page-token ${answer.next_page_token} --as-of ${answer.served_at_offset}`])].join('\n'));
    }
    return 0;
  },
};
