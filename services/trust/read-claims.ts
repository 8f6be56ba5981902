/**
 * Every claim a reader holds at one served offset, as the estimator takes them:
 * ListClaims page by page, the first page's served_at_offset pinned as
 * as_of_offset for the rest, so all pages describe one log prefix. Superseded
 * claims are left out (they no longer count for anyone), and so is the support
 * of every signer that withdrew it by superseding it (docs/LENSES.md
 * "Supersession and withdrawal"): a claim counts only for who still backs it.
 */
import { objectFromProto } from '../../shared/domain/proto-convert';
import type { ReaderServiceClient } from '../../shared/gen/stemedb/v1/reader';
import { callUnary } from '../../shared/grpc/client';
import { objectKey } from '../../shared/lens/object-value';
import type { ClaimInput, GoldInput } from '../../shared/truth/estimate';
import { TruthInputError } from '../../shared/truth/errors';
import { LEARN_CLAIMS_MAX } from '../../shared/truth/limits';
import { LEARN_PAGE_CLAIMS, TRUST_CALL_DEADLINE_MS } from './limits';

export interface ClaimsAtOffset {
  readonly claims: ClaimInput[];
  readonly golds: GoldInput[];
  readonly servedAtOffset: number;
  readonly pages: number;
  /** Assertions read, superseded ones included. */
  readonly assertions: number;
}

/** The fact key of a (subject, predicate): NUL cannot occur in either. */
export function factKey(subject: string, predicate: string): string {
  return `${subject}\u0000${predicate}`;
}

export async function readClaims(client: ReaderServiceClient, minOffset?: number): Promise<ClaimsAtOffset> {
  const claims: ClaimInput[] = [];
  const golds = new Map<string, GoldInput>();
  let servedAt: number | undefined;
  let token = '';
  let pages = 0;
  let assertions = 0;
  do {
    const request = {
      pageSize: LEARN_PAGE_CLAIMS,
      pageToken: token,
      ...(servedAt === undefined ? (minOffset === undefined ? {} : { minOffset: BigInt(minOffset) }) : { asOfOffset: BigInt(servedAt) }),
    };
    const res = await callUnary(client.listClaims.bind(client), request, { deadlineMs: TRUST_CALL_DEADLINE_MS });
    servedAt ??= Number(res.servedAtOffset);
    pages++;
    assertions += res.claims.length;
    if (assertions > LEARN_CLAIMS_MAX) throw new TruthInputError('claims', `the reader holds more than ${LEARN_CLAIMS_MAX} claims, the most one learn job holds in memory`);
    for (const c of res.claims) {
      const a = c.assertion;
      if (a === undefined || c.superseded) continue;
      const withdrawn = new Set(c.withdrawals.map((w) => Buffer.from(w.agent).toString('hex')));
      const signers = [...new Set(a.signatures.map((s) => Buffer.from(s.publicKey).toString('hex')))].filter((s) => !withdrawn.has(s)).sort();
      if (signers.length === 0) continue;
      const object = objectFromProto(a.object, 'claims[].assertion.object');
      claims.push({
        fact: factKey(a.subject, a.predicate),
        value: objectKey(object),
        source: Buffer.from(a.sourceHash).toString('hex'),
        signers,
        confidence: a.confidence,
        offset: Number(c.offset),
      });
    }
    for (const g of res.goldStandards) {
      const fact = factKey(g.subject, g.predicate);
      const value = objectKey(objectFromProto(g.object, 'gold_standards[].object'));
      golds.set(`${fact}\u0000${value}`, { fact, value });
    }
    token = res.nextPageToken;
  } while (token !== '');
  return { claims, golds: [...golds.values()], servedAtOffset: servedAt ?? 0, pages, assertions };
}
