/** `stemedb explain`: like resolve, plus every candidate's score terms and the lens's summary. */
import { renderExplanation } from '../../reader/resolution-json';
import type { Command } from '../command';
import { queryOptionsOf, readerAt } from '../clients';
import { parseQueryFlags, QUERY_FLAGS_HELP } from './resolve';

export const explain: Command = {
  path: ['explain'],
  summary: 'resolve a (subject, predicate) and show why: every candidate and score term',
  telemetry: 'client',
  help: `usage: stemedb explain --reader HOST:PORT --subject S --predicate P [--lens NAME]
                       [--min-offset N] [--as-of N] [--epoch E] [--trust-pack HEX]
                       [--include-superseded] [--min-share X] [--json]

Resolve like 'stemedb resolve', then list every candidate assertion with the
terms of its score (or why the lens excluded it) and the lens's one-paragraph
summary.

options:
${QUERY_FLAGS_HELP}`,
  async run(args, io) {
    const { address, query, json } = parseQueryFlags(args);
    const { reader } = await readerAt(address);
    try {
      const { resolutionJson } = await import('../../reader/client');
      const a = await reader.explain(query.subject, query.predicate, queryOptionsOf(query));
      const answer = { resolution: resolutionJson(a.resolution), served_at_offset: a.servedAtOffset };
      io.out(json ? JSON.stringify(answer) : renderExplanation(answer));
      return 0;
    } finally {
      reader.close();
    }
  },
};
