/** `stemedb explain`: like resolve, plus every candidate's score terms and the lens's summary. */
import { renderExplanation } from '../../reader/resolution-json';
import type { Command } from '../command';
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
    const { explainQuery } = await import('../../reader/client');
    const answer = await explainQuery(address, query);
    io.out(json ? JSON.stringify(answer) : renderExplanation(answer));
    return 0;
  },
};
