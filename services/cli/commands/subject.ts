/** `stemedb subject`: the resolutions of every predicate of a subject, at one offset (ReaderService ResolveSubject). */
import { renderResolution } from '../../reader/resolution-json';
import { queryOptionsOf, readerAt } from '../clients';
import type { Command } from '../command';
import { parseQueryFlagsWith, QUERY_FLAGS_HELP } from './resolve';

export const subject: Command = {
  path: ['subject'],
  summary: 'resolve every predicate of a subject at one offset',
  telemetry: 'client',
  help: `usage: stemedb subject --reader HOST:PORT --subject S [--lens NAME] [--min-offset N]
                       [--as-of N] [--epoch E] [--trust-pack HEX] [--include-superseded]
                       [--min-share X] [--json]

Resolve every predicate of the subject under one lens, all as of one log offset,
and print each as 'stemedb resolve' does (--predicate is not taken). With
--json: one object {"resolutions":[...],"served_at_offset":N}.

options (--predicate excepted):
${QUERY_FLAGS_HELP}`,
  async run(args, io) {
    const { address, query, json } = parseQueryFlagsWith(args, {}, { predicate: false });
    const { reader } = await readerAt(address);
    try {
      const { resolutionJson } = await import('../../reader/client');
      const r = await reader.resolveSubject(query.subject, queryOptionsOf(query));
      const resolutions = r.resolutions.map(resolutionJson);
      if (json) io.out(JSON.stringify({ resolutions, served_at_offset: r.servedAtOffset }));
      else if (resolutions.length === 0) io.out(`${query.subject}: no predicates (served at offset ${r.servedAtOffset})`);
      else io.out(resolutions.map((resolution) => renderResolution({ resolution, served_at_offset: r.servedAtOffset })).join('\n\n'));
      return 0;
    } finally {
      reader.close();
    }
  },
};
