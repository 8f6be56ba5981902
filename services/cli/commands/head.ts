/** `stemedb head`: the writer's log head, first offset and segments (WriterService Head). */
import { parseFlags, required, S, B } from '../args';
import { writerAt } from '../clients';
import type { Command } from '../command';
import { headToJson, renderHead } from '../render';

export const head: Command = {
  path: ['head'],
  summary: "show the writer's log head, first offset, segments and consumers' cursors",
  telemetry: 'client',
  help: `usage: stemedb head --writer HOST:PORT [--json]

Print the offset just past the last durable record (where the next record
goes), the lowest readable offset, every segment's offset range, the log id,
the retention settings and floor, and every registered consumer: the offset
it applied, its lag, its last report, and EXPIRED when retention no longer
waits for it (docs/OPERATIONS.md, "Retention").

options:
  --writer HOST:PORT  the writer's address (required)
  --json              print {"head_offset","first_offset","segments":[...],"log_id",
                      "retention_floor","retention":{...},"consumers":[...]}
  -h, --help          show this help

Exit status: 0; 1 the writer failed or is unreachable (one line: status code,
hint); 2 a usage error.`,
  async run(args, io) {
    const v = parseFlags<Record<string, string | boolean | undefined>>(args, { writer: S, json: B });
    const { writer } = await writerAt(required(v, 'writer'));
    try {
      const h = await writer.head();
      io.out(v.json === true ? JSON.stringify(headToJson(h)) : renderHead(h));
      return 0;
    } finally {
      writer.close();
    }
  },
};
