/**
 * The CLI's client of the query RPCs (Query, FindSubjects, ListSubjects,
 * ListPredicates, BySigner): answers in JSON-friendly form, failures as
 * RpcError naming the status code and field. Loads grpc-js: import it lazily.
 */
import type * as grpc from '@grpc/grpc-js';
import { objectFromProto, objectToProto } from '../../shared/domain/proto-convert';
import type { ObjectValue } from '../../shared/domain/types';
import { FindMode, type QueryResponse, type QueryValue } from '../../shared/gen/stemedb/v1/reader';
import { callUnary } from '../../shared/grpc/client';
import { optionsOf, resolutionJson, withClient, type QueryFlags } from './client';
import { READER_CALL_DEADLINE_MS } from './limits';
import { objectJson, type ObjectJson, type ResolutionJson } from './resolution-json';

/** Lens options of a query (QueryFlags without the pair). */
export type LensFlags = Omit<QueryFlags, 'subject' | 'predicate'>;

export interface QueryRowJson {
  /** Column name → value: an object value, or a predicate name for a predicate variable. */
  readonly values: Record<string, ObjectJson | { readonly predicate: string }>;
  readonly support: number;
  readonly hops: readonly { readonly subject: string; readonly predicate: string; readonly winner_id: string | null; readonly share: number; readonly resolution?: ResolutionJson }[];
}

export interface QueryAnswerJson {
  readonly columns: readonly string[];
  readonly rows: readonly QueryRowJson[];
  readonly served_at_offset: number;
  readonly next_page_token: string;
  readonly work: number;
}

function valueJson(v: QueryValue, i: number): ObjectJson | { predicate: string } {
  if (v.value?.$case === 'predicate') return { predicate: v.value.value };
  return objectJson(objectFromProto(v.value?.value, `rows.values[${i}]`));
}

function collect<T>(call: grpc.ClientReadableStream<T>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const got: T[] = [];
    call.on('data', (m: T) => got.push(m));
    call.on('error', reject);
    call.on('end', () => resolve(got));
  });
}

/** Run a pattern; every streamed page of rows gathered. */
export function runQuery(address: string, pattern: string, lens: LensFlags, page: { limit?: number; pageToken?: string; explain?: boolean }, deadlineMs = READER_CALL_DEADLINE_MS): Promise<QueryAnswerJson> {
  return withClient(address, async (c) => {
    const call = c.query({ pattern, options: optionsOf(lens), limit: page.limit ?? 0, pageToken: page.pageToken ?? '', explain: page.explain ?? false }, { deadline: Date.now() + deadlineMs });
    const messages: QueryResponse[] = await collect(call);
    const last = messages[messages.length - 1];
    const columns = last?.columns ?? [];
    return {
      columns,
      rows: messages.flatMap((m) =>
        m.rows.map((r) => ({
          values: Object.fromEntries(r.values.map((v, i) => [columns[i] ?? String(i), valueJson(v, i)])),
          support: r.support,
          hops: r.hops.map((h) => ({
            subject: h.subject,
            predicate: h.predicate,
            winner_id: h.winnerId.length === 0 ? null : h.winnerId.toString('hex'),
            share: h.share,
            ...(h.resolution === undefined ? {} : { resolution: resolutionJson(h.resolution) }),
          })),
        })),
      ),
      served_at_offset: Number(last?.servedAtOffset ?? 0n),
      next_page_token: last?.nextPageToken ?? '',
      work: Number(last?.work ?? 0n),
    };
  });
}

export interface FindAnswerJson {
  readonly subjects: readonly { readonly subject: string; readonly resolution: ResolutionJson }[];
  readonly served_at_offset: number;
  readonly next_page_token: string;
}

export function findSubjects(address: string, predicate: string, object: ObjectValue, lens: LensFlags, page: { anyCandidate: boolean; pageSize?: number; pageToken?: string }, deadlineMs = READER_CALL_DEADLINE_MS): Promise<FindAnswerJson> {
  return withClient(address, async (c) => {
    const res = await callUnary(
      c.findSubjects.bind(c),
      { predicate, object: objectToProto(object), options: optionsOf(lens), mode: page.anyCandidate ? FindMode.FIND_MODE_ANY_CANDIDATE : FindMode.FIND_MODE_RESOLVED, pageSize: page.pageSize ?? 0, pageToken: page.pageToken ?? '' },
      { deadlineMs },
    );
    return { subjects: res.subjects.map((s) => ({ subject: s.subject, resolution: resolutionJson(s.resolution!) })), served_at_offset: Number(res.servedAtOffset), next_page_token: res.nextPageToken };
  });
}

export interface NamesJson {
  readonly names: readonly string[];
  readonly served_at_offset: number;
  readonly next_page_token: string;
}

export interface ListFlags {
  readonly minOffset?: number;
  readonly asOfOffset?: number;
  readonly pageSize?: number;
  readonly pageToken?: string;
}

function listRequest(l: ListFlags): { minOffset?: bigint; asOfOffset?: bigint; pageSize: number; pageToken: string } {
  return {
    ...(l.minOffset === undefined ? {} : { minOffset: BigInt(l.minOffset) }),
    ...(l.asOfOffset === undefined ? {} : { asOfOffset: BigInt(l.asOfOffset) }),
    pageSize: l.pageSize ?? 0,
    pageToken: l.pageToken ?? '',
  };
}

export function listSubjects(address: string, prefix: string, l: ListFlags, deadlineMs = READER_CALL_DEADLINE_MS): Promise<NamesJson> {
  return withClient(address, async (c) => {
    const res = await callUnary(c.listSubjects.bind(c), { prefix, ...listRequest(l) }, { deadlineMs });
    return { names: res.subjects, served_at_offset: Number(res.servedAtOffset), next_page_token: res.nextPageToken };
  });
}

export function listPredicates(address: string, subject: string, l: ListFlags, deadlineMs = READER_CALL_DEADLINE_MS): Promise<NamesJson> {
  return withClient(address, async (c) => {
    const res = await callUnary(c.listPredicates.bind(c), { subject, ...listRequest(l) }, { deadlineMs });
    return { names: res.predicates, served_at_offset: Number(res.servedAtOffset), next_page_token: res.nextPageToken };
  });
}

export interface SignedJson {
  readonly assertions: readonly { readonly id: string; readonly subject: string; readonly predicate: string; readonly object: ObjectJson | null; readonly signed_at_offset: number }[];
  readonly served_at_offset: number;
  readonly next_page_token: string;
}

export function bySigner(address: string, agent: Buffer, l: ListFlags, deadlineMs = READER_CALL_DEADLINE_MS): Promise<SignedJson> {
  return withClient(address, async (c) => {
    const res = await callUnary(c.bySigner.bind(c), { agent, ...listRequest(l) }, { deadlineMs });
    return {
      assertions: res.assertions.map((s, i) => {
        const a = s.assertion!.assertion!;
        return {
          id: s.assertion!.id.toString('hex'),
          subject: a.subject,
          predicate: a.predicate,
          object: a.object === undefined ? null : objectJson(objectFromProto(a.object, `assertions[${i}].object`)),
          signed_at_offset: Number(s.signedAtOffset),
        };
      }),
      served_at_offset: Number(res.servedAtOffset),
      next_page_token: res.nextPageToken,
    };
  });
}
