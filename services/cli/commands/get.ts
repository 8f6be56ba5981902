/** `stemedb get ID`: one assertion as the reader stores it (GetAssertion): signers, votes, supersession. */
import { offsetFlag, parseFlagsAndOne, parseHash, required, S, B } from '../args';
import { readerAt } from '../clients';
import type { Command } from '../command';
import { renderStoredAssertion, storedAssertionToJson } from '../render';

const HELP = `usage: stemedb get ID --reader HOST:PORT [--min-offset N] [--as-of N] [--json]

Print one assertion (ID: 64 hex, as a receipt or 'stemedb hash' prints it) with
every signer, its votes, net vote and what supersedes it (ReaderService
GetAssertion).

options:
  --reader HOST:PORT  the reader's address (required)
  --min-offset N      read your write: wait until the record at offset N is applied
  --as-of N           as the graph stood before log offset N
  --json              print {"id","offset","assertion":{record JSON},"votes",...}
  -h, --help          show this help

Exit status: 0 found; 1 not found (NOT_FOUND) or the reader failed (one line:
status code, field, hint); 2 a usage error.`;

export const get: Command = {
  path: ['get'],
  summary: 'show one assertion with its signers, votes and supersession',
  telemetry: 'client',
  help: HELP,
  async run(args, io) {
    const { values, positional } = parseFlagsAndOne<Record<string, string | boolean | undefined>>(args, { reader: S, 'min-offset': S, 'as-of': S, json: B }, 'ID (64 hex)');
    const id = parseHash('id', positional);
    const minOffset = offsetFlag('min-offset', values['min-offset'] as string | undefined);
    const asOfOffset = offsetFlag('as-of', values['as-of'] as string | undefined);
    const { reader } = await readerAt(required(values, 'reader'));
    try {
      const { assertion, servedAtOffset } = await reader.getAssertion(id, { minOffset: minOffset ?? null, ...(asOfOffset === undefined ? {} : { asOfOffset }) });
      io.out(values.json === true ? JSON.stringify({ ...storedAssertionToJson(assertion), served_at_offset: servedAtOffset }) : `${renderStoredAssertion(assertion)}\n(served at offset ${servedAtOffset})`);
      return 0;
    } finally {
      reader.close();
    }
  },
};
