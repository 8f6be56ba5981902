/** `stemedb by-source HEX`: assertions citing one evidence hash (ReaderService BySource, every page). */
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from '../../../shared/graph/limits';
import { countFlag, offsetFlag, parseFlagsAndOne, parseHash, required, S, B } from '../args';
import { readerAt } from '../clients';
import type { Command } from '../command';
import { renderStoredAssertion, storedAssertionToJson } from '../render';

const HELP = `usage: stemedb by-source HEX --reader HOST:PORT [--min-offset N] [--as-of N]
                         [--page-size N] [--json]

Print every assertion whose source_hash is HEX (64 hex), one per line, in the
reader's order; all pages are fetched, every page after the first as of the
first page's offset, so the listing is one snapshot.

options:
  --reader HOST:PORT  the reader's address (required)
  --min-offset N      wait until the record at offset N is applied
  --as-of N           as the graph stood before log offset N
  --page-size N       assertions per request, 1..${PAGE_SIZE_MAX} (default ${PAGE_SIZE_DEFAULT})
  --json              one JSON object per assertion (JSON lines)
  -h, --help          show this help

Exit status: 0 listed (possibly nothing); 1 the reader failed (one line: status
code, field, hint); 2 a usage error.`;

export const bySource: Command = {
  path: ['by-source'],
  summary: 'list the assertions citing one evidence hash',
  telemetry: 'client',
  help: HELP,
  async run(args, io) {
    const { values, positional } = parseFlagsAndOne<Record<string, string | boolean | undefined>>(args, { reader: S, 'min-offset': S, 'as-of': S, 'page-size': S, json: B }, 'HEX source hash');
    const source = parseHash('source', positional);
    const minOffset = offsetFlag('min-offset', values['min-offset'] as string | undefined);
    const asOfOffset = offsetFlag('as-of', values['as-of'] as string | undefined);
    const pageSize = countFlag('page-size', values['page-size'] as string | undefined, PAGE_SIZE_MAX);
    const { reader } = await readerAt(required(values, 'reader'));
    try {
      let n = 0;
      let served: number | undefined;
      const q = { minOffset: minOffset ?? null, ...(asOfOffset === undefined ? {} : { asOfOffset }), ...(pageSize === undefined ? {} : { pageSize }) };
      for await (const { assertion, servedAtOffset } of reader.bySource(source, q)) {
        n++;
        served = servedAtOffset;
        io.out(values.json === true ? JSON.stringify({ ...storedAssertionToJson(assertion), served_at_offset: servedAtOffset }) : renderStoredAssertion(assertion));
      }
      if (values.json !== true) io.out(`(${n} assertion${n === 1 ? '' : 's'}${served === undefined ? '' : `, served at offset ${served}`})`);
      return 0;
    } finally {
      reader.close();
    }
  },
};
