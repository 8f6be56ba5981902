/**
 * FindSubjects, ListSubjects, ListPredicates and BySigner: the query indexes
 * read at one serving offset, converted at the edge (docs/QUERIES.md).
 */
import { ValidationError } from '../../shared/domain/errors';
import { objectFromProto } from '../../shared/domain/proto-convert';
import { PUBLIC_KEY_BYTES, SUBJECT_BYTES_MAX } from '../../shared/domain/limits';
import {
  FindMode,
  type BySignerRequest,
  type BySignerResponse,
  type FindSubjectsRequest,
  type FindSubjectsResponse,
  type FoundSubject,
  type ListPredicatesRequest,
  type ListPredicatesResponse,
  type ListSubjectsRequest,
  type ListSubjectsResponse,
} from '../../shared/gen/stemedb/v1/reader';
import type { IndexReader } from '../../shared/graph/index-reader';
import type { UnaryFn } from '../../shared/grpc/handlers';
import { compareUtf8, objectsEqual } from '../../shared/lens/object-value';
import type { ReaderCore } from './core';
import { nameFromWire, offsetFromWire, pageSizeFromWire, predicateFromWire, queryFromWire, subjectFromWire } from './from-proto';
import { FIND_SCAN_SUBJECTS_MAX } from './limits';
import type { Resolver } from './resolver';
import { servingOffset } from './serving-offset';
import { resolutionToWire, storedAssertionToWire } from './to-proto';

function topLevelOffsets(request: { minOffset?: bigint | undefined; asOfOffset?: bigint | undefined }): { minOffset: number | undefined; asOfOffset: number | undefined } {
  return {
    minOffset: request.minOffset === undefined ? undefined : offsetFromWire(request.minOffset, 'min_offset'),
    asOfOffset: request.asOfOffset === undefined ? undefined : offsetFromWire(request.asOfOffset, 'as_of_offset'),
  };
}

/** A name-listing page token: the hex of the last name returned. */
function nameToken(token: string, field: string): string | undefined {
  if (token === '') return undefined;
  if (!/^(?:[0-9a-f]{2})+$/.test(token)) throw new ValidationError(field, 'not a token this listing returned');
  return Buffer.from(token, 'hex').toString('utf8');
}
const tokenOf = (name: string): string => Buffer.from(name, 'utf8').toString('hex');

export function findSubjectsHandler(index: IndexReader, resolver: Resolver): UnaryFn<FindSubjectsRequest, FindSubjectsResponse> {
  return async (request, ctx) => {
    const predicate = predicateFromWire(request.predicate);
    const object = objectFromProto(request.object, 'object');
    const q = queryFromWire(request.options);
    if (request.mode !== FindMode.FIND_MODE_UNSPECIFIED && request.mode !== FindMode.FIND_MODE_RESOLVED && request.mode !== FindMode.FIND_MODE_ANY_CANDIDATE) {
      throw new ValidationError('mode', `unknown mode ${request.mode} (0..2: unspecified, resolved, any_candidate)`);
    }
    const anyCandidate = request.mode === FindMode.FIND_MODE_ANY_CANDIDATE;
    const pageSize = pageSizeFromWire(request.pageSize);
    const after = nameToken(request.pageToken, 'page_token');
    const pairs = await resolver.pairsAt(q, false, ctx.signal);
    const subjects: FoundSubject[] = [];
    let scanned = 0;
    let last: string | undefined;
    let more = false;
    for await (const subject of index.claimants(predicate, object, pairs.at)) {
      if (after !== undefined && compareUtf8(subject, after) <= 0) continue;
      if (subjects.length === pageSize || scanned === FIND_SCAN_SUBJECTS_MAX) {
        more = true;
        break;
      }
      ctx.signal.throwIfAborted();
      scanned++;
      last = subject;
      const r = await pairs.resolve(subject, predicate);
      const match = anyCandidate ? r.alternatives.some((a) => objectsEqual(a.object, object)) : r.outcome === 'resolved' && r.object !== null && objectsEqual(r.object, object);
      if (match) subjects.push({ subject, resolution: resolutionToWire(r) });
    }
    return { subjects, nextPageToken: more && last !== undefined ? tokenOf(last) : '', servedAtOffset: BigInt(pairs.at) };
  };
}

export function listSubjectsHandler(core: ReaderCore, index: IndexReader): UnaryFn<ListSubjectsRequest, ListSubjectsResponse> {
  return async (request, ctx) => {
    const prefix = request.prefix === '' ? '' : nameFromWire(request.prefix, 'prefix', SUBJECT_BYTES_MAX);
    const pageSize = pageSizeFromWire(request.pageSize);
    const at = await servingOffset(core, topLevelOffsets(request), '', ctx.signal);
    const page = await index.listSubjects(prefix, { asOfOffset: at, pageSize, pageToken: request.pageToken });
    return { subjects: [...page.items], nextPageToken: page.nextPageToken, servedAtOffset: BigInt(at) };
  };
}

export function listPredicatesHandler(core: ReaderCore, index: IndexReader): UnaryFn<ListPredicatesRequest, ListPredicatesResponse> {
  return async (request, ctx) => {
    const subject = request.subject === '' ? undefined : subjectFromWire(request.subject);
    const pageSize = pageSizeFromWire(request.pageSize);
    const after = nameToken(request.pageToken, 'page_token');
    const at = await servingOffset(core, topLevelOffsets(request), '', ctx.signal);
    const all = subject === undefined ? index.predicates(at) : (await core.graph.predicatesOf(subject, { asOfOffset: at }))[Symbol.iterator]();
    const predicates: string[] = [];
    let more = false;
    for await (const p of all as AsyncIterable<string> | Iterable<string>) {
      if (after !== undefined && compareUtf8(p, after) <= 0) continue;
      if (predicates.length === pageSize) {
        more = true;
        break;
      }
      predicates.push(p);
    }
    return { predicates, nextPageToken: more ? tokenOf(predicates[predicates.length - 1]!) : '', servedAtOffset: BigInt(at) };
  };
}

export function bySignerHandler(core: ReaderCore, index: IndexReader): UnaryFn<BySignerRequest, BySignerResponse> {
  return async (request, ctx) => {
    if (request.agent.length !== PUBLIC_KEY_BYTES) throw new ValidationError('agent', `must be exactly ${PUBLIC_KEY_BYTES} bytes (got ${request.agent.length})`);
    const pageSize = pageSizeFromWire(request.pageSize);
    const at = await servingOffset(core, topLevelOffsets(request), '', ctx.signal);
    const page = await index.bySigner(request.agent, { asOfOffset: at, pageSize, pageToken: request.pageToken });
    const views = await Promise.all(page.items.map((e) => core.graph.getAssertion(e.assertionId, { asOfOffset: at })));
    return {
      assertions: page.items.map((e, i) => ({ assertion: storedAssertionToWire(views[i]!), signedAtOffset: BigInt(e.offset) })),
      nextPageToken: page.nextPageToken,
      servedAtOffset: BigInt(at),
    };
  };
}
