/**
 * ListClaims and GetTrust: what truth discovery reads and what the Authority
 * lens believes about each agent, at one serving offset (serving-offset.ts).
 */
import { recordToProto } from '../../shared/domain/proto-convert';
import type { GoldStandard as PbGoldStandard } from '../../shared/gen/stemedb/v1/records';
import { TrustSource, type AgentTrust, type GetTrustRequest, type GetTrustResponse, type ListClaimsRequest, type ListClaimsResponse } from '../../shared/gen/stemedb/v1/reader';
import type { UnaryFn } from '../../shared/grpc/handlers';
import { withSpan } from '../../shared/telemetry/tracing';
import type { ReaderCore } from './core';
import { idFromWire, offsetFromWire, pageSizeFromWire } from './from-proto';
import { ValidationError } from '../../shared/domain/errors';
import { servingOffset } from './serving-offset';
import { storedAssertionToWire } from './to-proto';
import { learnedTrust, unknownAgentRow, type AgentTrustRow, type TrustOrigin } from './trust-context';

function offsetsOf(request: { minOffset?: bigint | undefined; asOfOffset?: bigint | undefined }): { minOffset: number | undefined; asOfOffset: number | undefined } {
  return {
    minOffset: request.minOffset === undefined ? undefined : offsetFromWire(request.minOffset, 'min_offset'),
    asOfOffset: request.asOfOffset === undefined ? undefined : offsetFromWire(request.asOfOffset, 'as_of_offset'),
  };
}

export function listClaimsHandler(core: ReaderCore): UnaryFn<ListClaimsRequest, ListClaimsResponse> {
  return async (request, ctx) => {
    const pageSize = pageSizeFromWire(request.pageSize);
    const at = await servingOffset(core, offsetsOf(request), '', ctx.signal);
    return withSpan('reader.list_claims', { served_at_offset: at, page_size: pageSize }, async (span) => {
      const page = await core.graph.claims({ asOfOffset: at, pageSize, pageToken: request.pageToken });
      span.setAttribute('claims', page.items.length);
      span.setAttribute('gold_standards', page.golds.length);
      const golds = page.golds.map((g) => {
        const pb = recordToProto(g.record).kind;
        return (pb?.$case === 'goldStandard' ? pb.value : undefined) as PbGoldStandard;
      });
      return { claims: page.items.map(storedAssertionToWire), goldStandards: golds, nextPageToken: page.nextPageToken, servedAtOffset: BigInt(at) };
    });
  };
}

const SOURCE_OF: Readonly<Record<TrustOrigin, TrustSource>> = {
  none: TrustSource.TRUST_SOURCE_NONE,
  gold: TrustSource.TRUST_SOURCE_GOLD,
  learned_pack: TrustSource.TRUST_SOURCE_LEARNED_PACK,
};

function agentTrustToWire(r: AgentTrustRow): AgentTrust {
  return {
    agent: Buffer.from(r.agent, 'hex'),
    reliability: r.reliability,
    weight: r.weight,
    goldRight: BigInt(r.evidence.right),
    goldWrong: BigInt(r.evidence.wrong),
    goldJudged: BigInt(r.evidence.right + r.evidence.wrong),
    ...(r.learnedReliability === undefined ? {} : { learnedReliability: r.learnedReliability }),
    source: SOURCE_OF[r.origin],
  };
}

/** Agents after the page token (the last agent hex of the previous page), pageSize at a time. */
export function getTrustHandler(core: ReaderCore): UnaryFn<GetTrustRequest, GetTrustResponse> {
  return async (request, ctx) => {
    const agent = request.agent.length === 0 ? undefined : idFromWire(request.agent, 'agent').toString('hex');
    const pageSize = pageSizeFromWire(request.pageSize);
    const token = request.pageToken;
    if (token !== '' && !/^[0-9a-f]{64}$/.test(token)) throw new ValidationError('page_token', 'not a token this listing returned');
    const at = await servingOffset(core, offsetsOf(request), '', ctx.signal);
    return withSpan('reader.get_trust', { served_at_offset: at, one_agent: agent !== undefined }, async (span) => {
      const t = await learnedTrust(core.graph, at);
      let rows: readonly AgentTrustRow[];
      let next = '';
      if (agent !== undefined) {
        rows = [t.rows.find((r) => r.agent === agent) ?? unknownAgentRow(agent)];
      } else {
        const after = token === '' ? t.rows : t.rows.filter((r) => r.agent > token);
        rows = after.slice(0, pageSize);
        if (after.length > pageSize) next = rows[rows.length - 1]!.agent;
      }
      span.setAttribute('agents', rows.length);
      return {
        agents: rows.map(agentTrustToWire),
        learnedPackId: t.pack?.id ?? Buffer.alloc(0),
        learnedPackOffset: BigInt(t.pack?.offset ?? -1),
        nextPageToken: next,
        servedAtOffset: BigInt(at),
      };
    });
  };
}
