/**
 * `stemedb watch`: follow a (subject, predicate): the current resolution, then
 * each change, reconnecting on its own and resuming by offset (the stream ends
 * at every server drain or connection recycling). Runs until SIGINT/SIGTERM.
 */
import { renderResolution } from '../../reader/resolution-json';
import { offsetFlag, S } from '../args';
import { queryOptionsOf, readerAt } from '../clients';
import { UsageError, type Command } from '../command';
import { parseQueryFlagsWith, QUERY_FLAGS_HELP } from './resolve';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export const watch: Command = {
  path: ['watch'],
  summary: 'follow a (subject, predicate): print each new resolution; resumes on its own',
  telemetry: 'client',
  help: `usage: stemedb watch --reader HOST:PORT --subject S --predicate P [--from-offset N]
                     [--lens NAME] [--min-offset N] [--epoch E] [--trust-pack HEX]
                     [--include-superseded] [--min-share X] [--json]

Print the current resolution of the pair, then each new one as the log changes
it. When the stream ends (the reader restarts, or its connection reaches the
max connection age) the command reconnects by itself and resumes from the last
offset it printed, so no change is missed or printed twice. --as-of is not
taken. With --json: one JSON object per change (JSON lines), each with
served_at_offset.

options:
  --from-offset N        resume after a served_at_offset printed earlier: start
                         with the first change after it
${QUERY_FLAGS_HELP}

Runs until SIGINT (Ctrl-C) or SIGTERM, then exits 0; exit 1 when the reader
refuses the watch or stays unreachable (one line: status code, field, hint).`,
  async run(args, io) {
    const { address, query, json, values } = parseQueryFlagsWith(args, { 'from-offset': S });
    if (query.asOfOffset !== undefined) throw new UsageError('--as-of is not allowed on a watch (it follows the log); use --from-offset to resume');
    const fromOffset = offsetFlag('from-offset', values['from-offset'] as string | undefined);
    const { reader } = await readerAt(address);
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    for (const s of STOP_SIGNALS) process.once(s, onSignal);
    try {
      const { resolutionJson } = await import('../../reader/client');
      const events = reader.watch(query.subject, query.predicate, queryOptionsOf(query), {
        signal: stop.signal,
        ...(fromOffset === undefined ? {} : { fromOffset }),
        onReconnect: (attempt) => io.err(`stemedb watch: stream ended; reconnecting (attempt ${attempt})`),
      });
      for await (const e of events) {
        const answer = { resolution: resolutionJson(e.resolution), served_at_offset: e.servedAtOffset };
        io.out(json ? JSON.stringify(answer) : renderResolution(answer));
      }
      return 0;
    } finally {
      for (const s of STOP_SIGNALS) process.removeListener(s, onSignal);
      reader.close();
    }
  },
};
