/**
 * GetAssertion, History, BySource and ListEscalations: graph reads at one
 * serving offset (see serving-offset.ts), converted at the edge.
 */
import type {
  BySourceRequest,
  BySourceResponse,
  GetAssertionRequest,
  GetAssertionResponse,
  HistoryRequest,
  HistoryResponse,
  ListEscalationsRequest,
  ListEscalationsResponse,
  StoredAssertion,
} from '../../shared/gen/stemedb/v1/reader';
import { NotFoundError } from '../../shared/grpc/errors';
import type { ServerStreamFn, UnaryFn } from '../../shared/grpc/handlers';
import type { ReaderCore } from './core';
import { idFromWire, offsetFromWire, pageSizeFromWire, predicateFromWire, queryFromWire, subjectFromWire } from './from-proto';
import { servingOffset } from './serving-offset';
import { escalationToWire, storedAssertionToWire } from './to-proto';

/** min_offset and the optional as_of_offset of a request that carries them at top level. */
function topLevelOffsets(request: { minOffset?: bigint | undefined; asOfOffset?: bigint | undefined }): { minOffset: number | undefined; asOfOffset: number | undefined } {
  return {
    minOffset: request.minOffset === undefined ? undefined : offsetFromWire(request.minOffset, 'min_offset'),
    asOfOffset: request.asOfOffset === undefined ? undefined : offsetFromWire(request.asOfOffset, 'as_of_offset'),
  };
}

export function getAssertionHandler(core: ReaderCore): UnaryFn<GetAssertionRequest, GetAssertionResponse> {
  return async (request, ctx) => {
    const id = idFromWire(request.id, 'id');
    const at = await servingOffset(core, topLevelOffsets(request), '', ctx.signal, ctx.deadlineMs);
    const view = await core.graph.getAssertion(id, { asOfOffset: at });
    if (view === undefined) throw new NotFoundError('assertion', id.toString('hex'), 'id');
    return { assertion: storedAssertionToWire(view), servedAtOffset: BigInt(at) };
  };
}

/** Pages of a pair's history in log order; always at least one page, so the client learns served_at_offset. */
export function historyHandler(core: ReaderCore): ServerStreamFn<HistoryRequest, HistoryResponse> {
  return async (request, out, ctx) => {
    const subject = subjectFromWire(request.subject);
    const predicate = predicateFromWire(request.predicate);
    const q = queryFromWire(request.options);
    const pageSize = pageSizeFromWire(request.pageSize);
    const at = await servingOffset(core, q, 'options.', ctx.signal, ctx.deadlineMs);
    const servedAtOffset = BigInt(at);
    let page: StoredAssertion[] = [];
    let sent = 0;
    for await (const view of core.graph.historyOf(subject, predicate, { asOfOffset: at })) {
      if (ctx.draining.aborted) return; // shutdown: end with OK; the client resumes with as_of_offset = served_at_offset
      page.push(storedAssertionToWire(view));
      if (page.length === pageSize) {
        await out.write({ assertions: page, servedAtOffset });
        sent++;
        page = [];
      }
    }
    if (page.length > 0 || sent === 0) await out.write({ assertions: page, servedAtOffset });
  };
}

export function bySourceHandler(core: ReaderCore): UnaryFn<BySourceRequest, BySourceResponse> {
  return async (request, ctx) => {
    const sourceHash = idFromWire(request.sourceHash, 'source_hash');
    const pageSize = pageSizeFromWire(request.pageSize);
    const at = await servingOffset(core, topLevelOffsets(request), '', ctx.signal, ctx.deadlineMs);
    const page = await core.graph.bySource(sourceHash, { asOfOffset: at, pageSize, pageToken: request.pageToken });
    return { assertions: page.items.map(storedAssertionToWire), nextPageToken: page.nextPageToken, servedAtOffset: BigInt(at) };
  };
}

/**
 * Escalations in log order. The listing has no as_of, yet answers as of its
 * serving offset A: entries are ordered by the offset of the record that made
 * the pair contested, and a batch committing during the scan only adds entries
 * at offsets >= A, at the end. They are cut off, and the listing ends there.
 */
export function listEscalationsHandler(core: ReaderCore): UnaryFn<ListEscalationsRequest, ListEscalationsResponse> {
  return async (request, ctx) => {
    const subject = request.subject === '' ? undefined : subjectFromWire(request.subject);
    const pageSize = pageSizeFromWire(request.pageSize);
    const at = await servingOffset(core, { ...topLevelOffsets(request), asOfOffset: undefined }, '', ctx.signal, ctx.deadlineMs);
    const page = await core.graph.escalations({ pageSize, pageToken: request.pageToken, ...(subject === undefined ? {} : { subject }) });
    const cut = page.items.findIndex((e) => e.offset >= at);
    const items = cut < 0 ? page.items : page.items.slice(0, cut);
    return { escalations: items.map(escalationToWire), nextPageToken: cut < 0 ? page.nextPageToken : '', servedAtOffset: BigInt(at) };
  };
}
