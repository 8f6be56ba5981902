/**
 * `stemedb claims`: every assertion a reader holds at one served offset, with
 * the gold standards of their pairs (ReaderService ListClaims, every page) —
 * what `stemedb trust learn` reads, for a person or a script.
 */
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from '../../../shared/graph/limits';
import { countFlag, offsetFlag, parseFlags, required, S, B } from '../args';
import type { Command } from '../command';
import { CLAIMS_PAGE_DEADLINE_MS } from '../limits';

const HELP = `usage: stemedb claims --reader HOST:PORT [--min-offset N] [--as-of N] [--page-size N] [--json]

Print every assertion first seen below the served offset (by id), one per line:
offset, id, subject, predicate, object, signers (those whose support was
withdrawn by superseding it marked '-'), and whether it is superseded; then the
gold standards of their pairs. Every page after the first is read as of the first
page's served offset, so the listing is one snapshot.

options:
  --reader HOST:PORT  the reader's address (required)
  --min-offset N      wait until the record at offset N is applied
  --as-of N           as the graph stood before log offset N
  --page-size N       claims per request, 1..${PAGE_SIZE_MAX} (default ${PAGE_SIZE_DEFAULT})
  --json              one JSON object per claim, then one per gold standard (JSON lines)
  -h, --help          show this help

Exit status: 0 listed (possibly nothing); 1 the reader failed (one line: status
code, field, hint); 2 a usage error.`;

export const claims: Command = {
  path: ['claims'],
  summary: 'list every claim and gold standard at one offset (what truth discovery reads)',
  telemetry: 'client',
  help: HELP,
  async run(args, io) {
    const values = parseFlags<Record<string, string | boolean | undefined>>(args, { reader: S, 'min-offset': S, 'as-of': S, 'page-size': S, json: B });
    const minOffset = offsetFlag('min-offset', values['min-offset'] as string | undefined);
    const asOfOffset = offsetFlag('as-of', values['as-of'] as string | undefined);
    const pageSize = countFlag('page-size', values['page-size'] as string | undefined, PAGE_SIZE_MAX) ?? 0;
    const [{ ReaderServiceClient }, { callUnary, makeClient }, { objectFromProto }, { formatObject }, { rpcErrorOf }] = await Promise.all([
      import('../../../shared/gen/stemedb/v1/reader'),
      import('../../../shared/grpc/client'),
      import('../../../shared/domain/proto-convert'),
      import('../../../shared/lens/object-value'),
      import('../../writer/client'),
    ]);
    const client = makeClient(ReaderServiceClient, required(values, 'reader'));
    const json = values.json === true;
    const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
    try {
      let token = '';
      let at: bigint | undefined = asOfOffset === undefined ? undefined : BigInt(asOfOffset);
      let n = 0;
      const golds = new Map<string, string>();
      do {
        const first = token === '' && asOfOffset === undefined;
        const request = { pageSize, pageToken: token, ...(first ? (minOffset === undefined ? {} : { minOffset: BigInt(minOffset) }) : { asOfOffset: at! }) };
        const res = await callUnary(client.listClaims.bind(client), request, { deadlineMs: CLAIMS_PAGE_DEADLINE_MS });
        at ??= res.servedAtOffset;
        for (const c of res.claims) {
          const a = c.assertion!;
          const withdrawn = new Set(c.withdrawals.map((w) => hex(w.agent)));
          const signers = [...new Set(a.signatures.map((s) => hex(s.publicKey)))];
          const object = formatObject(objectFromProto(a.object, 'claims[].assertion.object'));
          n++;
          if (json) {
            io.out(JSON.stringify({ offset: Number(c.offset), id: hex(c.id), subject: a.subject, predicate: a.predicate, object, source: hex(a.sourceHash), confidence: a.confidence, signers, withdrawn: [...withdrawn], superseded: c.superseded, served_at_offset: Number(res.servedAtOffset) }));
          } else {
            const who = signers.map((s) => `${withdrawn.has(s) ? '-' : ''}${s.slice(0, 8)}`).join(',');
            io.out(`${String(c.offset).padStart(8)}  ${hex(c.id).slice(0, 12)}…  ${a.subject} ${a.predicate} = ${object}  [${who}]${c.superseded ? ' superseded' : ''}`);
          }
        }
        for (const g of res.goldStandards) {
          const object = formatObject(objectFromProto(g.object, 'gold_standards[].object'));
          golds.set(`${g.subject}\0${g.predicate}\0${object}`, json ? JSON.stringify({ gold_standard: { subject: g.subject, predicate: g.predicate, object } }) : `gold  ${g.subject} ${g.predicate} = ${object}`);
        }
        token = res.nextPageToken;
      } while (token !== '');
      for (const line of golds.values()) io.out(line);
      if (!json) io.out(`(${n} claim${n === 1 ? '' : 's'}, ${golds.size} gold standard${golds.size === 1 ? '' : 's'}, served at offset ${String(at)})`);
      return 0;
    } catch (err) {
      throw rpcErrorOf(err);
    } finally {
      client.close();
    }
  },
};
