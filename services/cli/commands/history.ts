/** `stemedb history`: every assertion of a (subject, predicate) in log order (ReaderService History). */
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from '../../../shared/graph/limits';
import { countFlag, S } from '../args';
import { queryOptionsOf, readerAt } from '../clients';
import type { Command } from '../command';
import { renderStoredAssertion, storedAssertionToJson } from '../render';
import { parseQueryFlagsWith, QUERY_FLAGS_HELP } from './resolve';

export const history: Command = {
  path: ['history'],
  summary: 'list every assertion of a (subject, predicate) in log order',
  telemetry: 'client',
  help: `usage: stemedb history --reader HOST:PORT --subject S --predicate P [--page-size N]
                       [--min-offset N] [--as-of N] [--json]

Print every assertion of the pair in log order, one per line: offset, id,
value, confidence, signers, net vote, supersession. The listing is served at
one offset (printed last; --as-of it later gives the same listing).
With --json: one JSON object per assertion (JSON lines), each with
served_at_offset.

options:
  --page-size N          assertions per streamed page, 1..${PAGE_SIZE_MAX} (default ${PAGE_SIZE_DEFAULT})
${QUERY_FLAGS_HELP}`,
  async run(args, io) {
    const { address, query, json, values } = parseQueryFlagsWith(args, { 'page-size': S });
    const pageSize = countFlag('page-size', values['page-size'] as string | undefined, PAGE_SIZE_MAX);
    const { reader } = await readerAt(address);
    try {
      let served: number | undefined;
      let n = 0;
      for await (const { assertion, servedAtOffset } of reader.history(query.subject, query.predicate, { ...queryOptionsOf(query), ...(pageSize === undefined ? {} : { pageSize }) })) {
        served = servedAtOffset;
        n++;
        io.out(json ? JSON.stringify({ ...storedAssertionToJson(assertion), served_at_offset: servedAtOffset }) : renderStoredAssertion(assertion));
      }
      if (!json) io.out(`(${n} assertion${n === 1 ? '' : 's'}${served === undefined ? '' : `, served at offset ${served}`})`);
      return 0;
    } finally {
      reader.close();
    }
  },
};
