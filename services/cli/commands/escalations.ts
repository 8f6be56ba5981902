/** `stemedb escalations`: pairs that became contested under the default lens (ReaderService ListEscalations). */
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from '../../../shared/graph/limits';
import { countFlag, offsetFlag, parseFlags, required, S, B } from '../args';
import { readerAt } from '../clients';
import type { Command } from '../command';
import { escalationToJson, renderEscalation } from '../render';

const HELP = `usage: stemedb escalations --reader HOST:PORT [--subject S] [--min-offset N]
                           [--page-size N] [--json]

Print every pair that became contested under the default lens (Consensus), in
log order: the offset of the record that made it contested, the top two values
and their shares. ListEscalations has no --as-of: it lists as of now.

options:
  --reader HOST:PORT  the reader's address (required)
  --subject S         only this subject
  --min-offset N      wait until the record at offset N is applied
  --page-size N       escalations per request, 1..${PAGE_SIZE_MAX} (default ${PAGE_SIZE_DEFAULT})
  --json              one JSON object per escalation (JSON lines)
  -h, --help          show this help

Exit status: 0 listed (possibly nothing); 1 the reader failed (one line: status
code, field, hint); 2 a usage error.`;

export const escalations: Command = {
  path: ['escalations'],
  summary: 'list contested pairs (escalations) in log order',
  telemetry: 'client',
  help: HELP,
  async run(args, io) {
    const v = parseFlags<Record<string, string | boolean | undefined>>(args, { reader: S, subject: S, 'min-offset': S, 'page-size': S, json: B });
    const minOffset = offsetFlag('min-offset', v['min-offset'] as string | undefined);
    const pageSize = countFlag('page-size', v['page-size'] as string | undefined, PAGE_SIZE_MAX);
    const { reader } = await readerAt(required(v, 'reader'));
    try {
      let n = 0;
      const q = { minOffset: minOffset ?? null, ...(typeof v.subject === 'string' ? { subject: v.subject } : {}), ...(pageSize === undefined ? {} : { pageSize }) };
      for await (const { escalation, servedAtOffset } of reader.escalations(q)) {
        n++;
        io.out(v.json === true ? JSON.stringify({ ...escalationToJson(escalation), served_at_offset: servedAtOffset }) : renderEscalation(escalation));
      }
      if (v.json !== true) io.out(`(${n} escalation${n === 1 ? '' : 's'})`);
      return 0;
    } finally {
      reader.close();
    }
  },
};
