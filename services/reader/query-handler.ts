/**
 * Query: a pattern over resolved facts (docs/QUERIES.md), evaluated at one
 * served offset and streamed in messages of QUERY_ROWS_PER_MESSAGE rows. A
 * page token names the served offset and the first row of the next page, so
 * every page of one answer comes from the same snapshot.
 */
import { ValidationError } from '../../shared/domain/errors';
import { blake3 } from '../../shared/domain/hash';
import { objectToProto } from '../../shared/domain/proto-convert';
import type { QueryRequest, QueryResponse, QueryRow } from '../../shared/gen/stemedb/v1/reader';
import type { IndexReader } from '../../shared/graph/index-reader';
import type { ServerStreamFn } from '../../shared/grpc/handlers';
import { evaluate, type Row } from '../../shared/query/evaluate';
import { parsePattern } from '../../shared/query/parse';
import type { Pattern } from '../../shared/query/ast';
import { withSpan } from '../../shared/telemetry/tracing';
import type { ReaderCore } from './core';
import { queryFromWire } from './from-proto';
import { QUERY_LIMIT_DEFAULT, QUERY_LIMIT_MAX, QUERY_ROWS_PER_MESSAGE } from './limits';
import type { Resolver } from './resolver';
import { ReaderQuerySource } from './query-source';
import { resolutionToWire } from './to-proto';
import type { ReadQuery } from './query';

const TOKEN_VERSION = 'q1';

/** What a page token binds: the pattern and every option but the offsets. */
function fingerprint(request: QueryRequest, q: ReadQuery): string {
  const what = JSON.stringify([request.pattern, q.lens, q.epoch, q.trustPackId?.toString('hex') ?? null, q.includeSuperseded, q.minShare ?? null, request.explain]);
  return blake3(Buffer.from(what, 'utf8')).subarray(0, 8).toString('hex');
}

function tokenOf(at: number, start: number, print: string): string {
  return `${TOKEN_VERSION}.${at}.${start}.${print}`;
}

function parseToken(token: string, print: string): { at: number; start: number } | undefined {
  if (token === '') return undefined;
  const m = /^q1\.(\d{1,16})\.(\d{1,9})\.([0-9a-f]{16})$/.exec(token);
  if (m === null) throw new ValidationError('page_token', 'not a token a Query returned');
  if (m[3] !== print) throw new ValidationError('page_token', 'belongs to another pattern or other options');
  const at = Number(m[1]);
  if (!Number.isSafeInteger(at)) throw new ValidationError('page_token', 'not a token a Query returned');
  return { at, start: Number(m[2]) };
}

function limitFromWire(limit: number): number {
  if (limit === 0) return QUERY_LIMIT_DEFAULT;
  if (!Number.isInteger(limit) || limit < 1 || limit > QUERY_LIMIT_MAX) throw new ValidationError('limit', `must be 0 (default ${QUERY_LIMIT_DEFAULT}) or 1..${QUERY_LIMIT_MAX} (got ${limit})`);
  return limit;
}

function rowToWire(pattern: Pattern, row: Row, explain: boolean): QueryRow {
  return {
    values: row.values.map((v, i) =>
      pattern.predicateVariables.has(pattern.variables[i]!) ? { value: { $case: 'predicate' as const, value: v.value as string } } : { value: { $case: 'object' as const, value: objectToProto(v) } },
    ),
    support: row.support,
    hops: row.hops.map((h) => ({
      triple: h.triple,
      subject: h.subject,
      predicate: h.predicate,
      winnerId: h.resolution.winnerId ?? Buffer.alloc(0),
      share: h.resolution.share,
      score: h.resolution.score,
      resolution: explain ? resolutionToWire(h.resolution) : undefined,
    })),
  };
}

export function queryHandler(core: ReaderCore, index: IndexReader, resolver: Resolver): ServerStreamFn<QueryRequest, QueryResponse> {
  return async (request, out, ctx) => {
    const pattern = parsePattern(request.pattern);
    let q = queryFromWire(request.options);
    const limit = limitFromWire(request.limit);
    const print = fingerprint(request, q);
    const page = parseToken(request.pageToken, print);
    if (page !== undefined) {
      if (q.asOfOffset !== undefined && q.asOfOffset !== page.at) throw new ValidationError('options.as_of_offset', `differs from the page token's served offset ${page.at}`);
      q = { ...q, asOfOffset: page.at };
    }
    const pairs = await resolver.pairsAt(q, request.explain, ctx.signal);
    const attributes = { pattern_triples: pattern.triples.length, lens: q.lens, served_at_offset: pairs.at, explain: request.explain };
    const result = await withSpan('query.evaluate', attributes, async (span) => {
      const r = await evaluate(pattern, new ReaderQuerySource(core.graph, index, pairs), { signal: ctx.signal });
      span.setAttribute('rows', r.rows.length);
      span.setAttribute('work', r.work);
      span.setAttribute('plan', r.plan.join(','));
      return r;
    });
    const start = page?.start ?? 0;
    const rows = result.rows.slice(start, start + limit);
    const next = start + limit < result.rows.length ? tokenOf(pairs.at, start + limit, print) : '';
    const columns = [...pattern.variables];
    const servedAtOffset = BigInt(pairs.at);
    for (let i = 0; i === 0 || i < rows.length; i += QUERY_ROWS_PER_MESSAGE) {
      const chunk = rows.slice(i, i + QUERY_ROWS_PER_MESSAGE).map((r) => rowToWire(pattern, r, request.explain));
      const last = i + QUERY_ROWS_PER_MESSAGE >= rows.length;
      await out.write({ columns, rows: chunk, servedAtOffset, nextPageToken: last ? next : '', work: last ? BigInt(result.work) : 0n });
      if (last) break;
    }
  };
}
