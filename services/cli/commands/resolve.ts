/**
 * `stemedb resolve`: ask a reader for the resolution of one (subject,
 * predicate) and print it readably (or as JSON). `stemedb explain` shares the
 * flags. gRPC code is loaded only when the command runs.
 */
import { renderResolution } from '../../reader/resolution-json';
import type { QueryFlags } from '../../reader/client';
import { UsageError, type Command } from '../command';
import { queryOptionsOf, readerAt } from '../clients';
import { offsetFlag, parseFlags, parseHash, parseNumberFlag, required, type FlagSpec } from '../args';

/** The flags resolve and explain share, as their help text lists them. */
export const QUERY_FLAGS_HELP = `  --reader HOST:PORT     the reader's address (required)
  --subject S            (required)
  --predicate P          (required)
  --lens NAME            consensus (default), recency, authority or threshold
  --min-offset N         read your write: wait until the reader has applied the
                         record at offset N (a receipt's offset); 0 = no wait
  --as-of N              answer as the graph stood before log offset N (pass an
                         answer's served_at_offset to reproduce it exactly)
  --epoch E              only assertions of epoch E
  --trust-pack HEX       authority lens: rank agents by this trust pack (64 hex)
  --include-superseded   also score superseded assertions and ignore withdrawals
                         (by default a signer that signed a superseding child
                         no longer counts; explain lists each withdrawal)
  --min-share X          threshold lens: minimum share in (0, 1], default 0.5
  --json                 print the answer as one JSON object
  -h, --help             show this help

Exit status: 0 answered; 1 the reader failed or refused (one line: status code,
field, hint); 2 a usage error.`;

const LENSES = ['consensus', 'recency', 'authority', 'threshold'];

interface Flags {
  reader?: string;
  subject?: string;
  predicate?: string;
  lens?: string;
  'min-offset'?: string;
  'as-of'?: string;
  epoch?: string;
  'trust-pack'?: string;
  'include-superseded'?: boolean;
  'min-share'?: string;
  json?: boolean;
}

const S = { type: 'string' } as const;
const B = { type: 'boolean' } as const;

/** The flags of QUERY_FLAGS_HELP, for commands that add their own. */
export const QUERY_FLAG_SPEC: FlagSpec = {
  reader: S,
  subject: S,
  predicate: S,
  lens: S,
  'min-offset': S,
  'as-of': S,
  epoch: S,
  'trust-pack': S,
  'include-superseded': B,
  'min-share': S,
  json: B,
};

/**
 * Parse query flags plus `extra` ones: the reader's address, the query, --json,
 * and every value (for the extra flags). `predicate: false` for commands that
 * take a subject only (`stemedb subject`).
 */
export function parseQueryFlagsWith(args: readonly string[], extra: FlagSpec, shape: { predicate: boolean } = { predicate: true }): { address: string; query: QueryFlags; json: boolean; values: Record<string, unknown> } {
  const spec: FlagSpec = { ...QUERY_FLAG_SPEC, ...extra };
  if (!shape.predicate) delete spec.predicate;
  const v = parseFlags<Flags>(args, spec);
  const values = v as Record<string, unknown>;
  if (v.lens !== undefined && !LENSES.includes(v.lens)) throw new UsageError(`--lens must be one of ${LENSES.join(', ')} (got '${v.lens}')`);
  const minOffset = offsetFlag('min-offset', v['min-offset']);
  const asOfOffset = offsetFlag('as-of', v['as-of']);
  const query: QueryFlags = {
    subject: required(values, 'subject'),
    predicate: shape.predicate ? required(values, 'predicate') : '',
    ...(v.lens === undefined ? {} : { lens: v.lens }),
    ...(minOffset === undefined ? {} : { minOffset }),
    ...(asOfOffset === undefined ? {} : { asOfOffset }),
    ...(v.epoch === undefined ? {} : { epoch: v.epoch }),
    ...(v['trust-pack'] === undefined ? {} : { trustPackId: parseHash('trust-pack', v['trust-pack']) }),
    ...(v['include-superseded'] === true ? { includeSuperseded: true } : {}),
    ...(v['min-share'] === undefined ? {} : { minShare: parseNumberFlag('min-share', v['min-share']) }),
  };
  return { address: required(values, 'reader'), query, json: v.json === true, values };
}

/** Parse resolve/explain flags: the reader's address, the query, and --json. */
export function parseQueryFlags(args: readonly string[]): { address: string; query: QueryFlags; json: boolean } {
  const { address, query, json } = parseQueryFlagsWith(args, {});
  return { address, query, json };
}

export const resolveCommand: Command = {
  path: ['resolve'],
  summary: 'ask a reader what a (subject, predicate) resolves to under a lens',
  telemetry: 'client',
  help: `usage: stemedb resolve --reader HOST:PORT --subject S --predicate P [--lens NAME]
                       [--min-offset N] [--as-of N] [--epoch E] [--trust-pack HEX]
                       [--include-superseded] [--min-share X] [--json]

Print the winning value, its score and share of the total support, whether the
pair is contested, the ranked alternatives, and the log offset the answer was
served at (pass it to --as-of later to get the same answer).

options:
${QUERY_FLAGS_HELP}`,
  async run(args, io) {
    const { address, query, json } = parseQueryFlags(args);
    const { reader } = await readerAt(address);
    try {
      const { resolutionJson } = await import('../../reader/client');
      const a = await reader.resolve(query.subject, query.predicate, queryOptionsOf(query));
      const answer = { resolution: resolutionJson(a.resolution), served_at_offset: a.servedAtOffset, from_materialized_view: a.fromMaterializedView === true };
      io.out(json ? JSON.stringify(answer) : renderResolution(answer));
      return 0;
    } finally {
      reader.close();
    }
  },
};
