/**
 * A small client of the reader for the CLI (resolve, explain, status) and
 * tests: one call, its answer in JSON-friendly form, failures as RpcError
 * naming the status code and field. Loads grpc-js: import it lazily from code
 * that must not (the CLI's command registry).
 */
import { objectFromProto } from '../../shared/domain/proto-convert';
import type { ObjectValue as PbObjectValue } from '../../shared/gen/stemedb/v1/records';
import { Lens, Outcome, ReaderServiceClient, TrustSource, type GetTrustResponse, type QueryOptions, type Resolution, type StatusResponse } from '../../shared/gen/stemedb/v1/reader';
import { callUnary, makeClient } from '../../shared/grpc/client';
import { rpcErrorOf } from '../writer/client';
import { READER_CALL_DEADLINE_MS } from './limits';
import { objectJson, type AnswerJson, type ObjectJson, type ResolutionJson } from './resolution-json';

/** What `stemedb resolve` / `explain` ask. */
export interface QueryFlags {
  readonly subject: string;
  readonly predicate: string;
  /** consensus, recency, authority or threshold. */
  readonly lens?: string;
  readonly minOffset?: number;
  readonly asOfOffset?: number;
  readonly epoch?: string;
  readonly trustPackId?: Buffer;
  readonly includeSuperseded?: boolean;
  readonly minShare?: number;
}

const LENS_BY_NAME: Readonly<Record<string, Lens>> = {
  consensus: Lens.LENS_CONSENSUS,
  recency: Lens.LENS_RECENCY,
  authority: Lens.LENS_AUTHORITY,
  threshold: Lens.LENS_THRESHOLD,
};

export function readerClient(address: string): ReaderServiceClient {
  return makeClient(ReaderServiceClient, address);
}

export function optionsOf(q: Omit<QueryFlags, 'subject' | 'predicate'>): QueryOptions {
  return {
    lens: q.lens === undefined ? Lens.LENS_UNSPECIFIED : (LENS_BY_NAME[q.lens] ?? Lens.UNRECOGNIZED),
    ...(q.minOffset === undefined ? {} : { minOffset: BigInt(q.minOffset) }),
    ...(q.asOfOffset === undefined ? {} : { asOfOffset: BigInt(q.asOfOffset) }),
    epoch: q.epoch ?? '',
    trustPackId: q.trustPackId ?? Buffer.alloc(0),
    includeSuperseded: q.includeSuperseded ?? false,
    ...(q.minShare === undefined ? {} : { minShare: q.minShare }),
  };
}

function objectOf(o: PbObjectValue | undefined, field: string): ObjectJson | null {
  return o === undefined ? null : objectJson(objectFromProto(o, field));
}

const lensName = (l: Lens): string => (Lens[l] ?? String(l)).replace(/^LENS_/, '').toLowerCase();
const outcomeName = (o: Outcome): string => (Outcome[o] ?? String(o)).replace(/^OUTCOME_/, '').toLowerCase();
const hexOrNull = (b: Buffer): string | null => (b.length === 0 ? null : b.toString('hex'));

export function resolutionJson(r: Resolution): ResolutionJson {
  return {
    subject: r.subject,
    predicate: r.predicate,
    lens: lensName(r.lens),
    outcome: outcomeName(r.outcome),
    object: objectOf(r.object, 'resolution.object'),
    winner_id: hexOrNull(r.winnerId),
    score: r.score,
    share: r.share,
    contested: r.contested,
    alternatives: r.alternatives.map((a, i) => ({ object: objectOf(a.object, `alternatives[${i}].object`), score: a.score, share: a.share, assertion_ids: a.assertionIds.map((id) => id.toString('hex')) })),
    explanations: r.explanations.map((e, i) => ({
      assertion_id: e.assertionId.toString('hex'),
      object: objectOf(e.object, `explanations[${i}].object`),
      score: e.score,
      terms: e.terms.map((t) => ({ name: t.name, value: t.value, detail: t.detail })),
      superseded: e.superseded,
      excluded_reason: e.excludedReason === '' ? null : e.excludedReason,
      withdrawals: e.withdrawals.map((w) => ({ agent: w.agent.toString('hex'), child_id: w.childId.toString('hex'), offset: Number(w.offset) })),
    })),
    summary: r.summary,
  };
}

/** One client for `fn`, closed after it; failures as RpcError. */
export async function withClient<T>(address: string, fn: (c: ReaderServiceClient) => Promise<T>): Promise<T> {
  const client = readerClient(address);
  try {
    return await fn(client);
  } catch (err) {
    throw rpcErrorOf(err);
  } finally {
    client.close();
  }
}

/** Resolve one pair; rejects with RpcError. */
export function resolveQuery(address: string, q: QueryFlags, deadlineMs = READER_CALL_DEADLINE_MS): Promise<AnswerJson> {
  return withClient(address, async (c) => {
    const res = await callUnary(c.resolve.bind(c), { subject: q.subject, predicate: q.predicate, options: optionsOf(q) }, { deadlineMs });
    if (res.resolution === undefined) throw new Error('the reader answered without a resolution');
    return { resolution: resolutionJson(res.resolution), served_at_offset: Number(res.servedAtOffset), from_materialized_view: res.fromMaterializedView };
  });
}

/** Explain one pair; rejects with RpcError. */
export function explainQuery(address: string, q: QueryFlags, deadlineMs = READER_CALL_DEADLINE_MS): Promise<AnswerJson> {
  return withClient(address, async (c) => {
    const res = await callUnary(c.explain.bind(c), { subject: q.subject, predicate: q.predicate, options: optionsOf(q) }, { deadlineMs });
    if (res.resolution === undefined) throw new Error('the reader answered without a resolution');
    return { resolution: resolutionJson(res.resolution), served_at_offset: Number(res.servedAtOffset) };
  });
}

/** The reader's Status; rejects with RpcError. */
export function readerStatus(address: string, deadlineMs = READER_CALL_DEADLINE_MS): Promise<StatusResponse> {
  return withClient(address, (c) => callUnary(c.status.bind(c), {}, { deadlineMs }));
}

/** One agent's trust in JSON-friendly form (`stemedb trust`). */
export interface AgentTrustJson {
  readonly agent: string;
  readonly reliability: number;
  readonly weight: number;
  readonly gold_right: number;
  readonly gold_wrong: number;
  readonly gold_judged: number;
  readonly learned_reliability: number | null;
  readonly source: string;
}

export interface TrustJson {
  readonly agents: AgentTrustJson[];
  readonly learned_pack_id: string | null;
  readonly learned_pack_offset: number | null;
  readonly served_at_offset: number;
}

/** Every agent's trust (or one agent's), all pages at one served offset; rejects with RpcError. */
export function trustQuery(address: string, q: { agent?: Buffer; asOfOffset?: number; pageSize: number }, deadlineMs = READER_CALL_DEADLINE_MS): Promise<TrustJson> {
  return withClient(address, async (c) => {
    const agents: AgentTrustJson[] = [];
    let token = '';
    let asOf = q.asOfOffset;
    let first: GetTrustResponse | undefined;
    do {
      const res = await callUnary(c.getTrust.bind(c), { agent: q.agent ?? Buffer.alloc(0), pageSize: q.pageSize, pageToken: token, ...(asOf === undefined ? {} : { asOfOffset: BigInt(asOf) }) }, { deadlineMs });
      first ??= res;
      asOf = Number(res.servedAtOffset);
      for (const a of res.agents) {
        agents.push({
          agent: Buffer.from(a.agent).toString('hex'),
          reliability: a.reliability,
          weight: a.weight,
          gold_right: Number(a.goldRight),
          gold_wrong: Number(a.goldWrong),
          gold_judged: Number(a.goldJudged),
          learned_reliability: a.learnedReliability ?? null,
          source: (TrustSource[a.source] ?? String(a.source)).replace(/^TRUST_SOURCE_/, '').toLowerCase(),
        });
      }
      token = res.nextPageToken;
    } while (token !== '');
    if (first === undefined) throw new Error('the reader answered no page');
    return {
      agents,
      learned_pack_id: first.learnedPackId.length === 0 ? null : Buffer.from(first.learnedPackId).toString('hex'),
      learned_pack_offset: Number(first.learnedPackOffset) < 0 ? null : Number(first.learnedPackOffset),
      served_at_offset: Number(first.servedAtOffset),
    };
  });
}
