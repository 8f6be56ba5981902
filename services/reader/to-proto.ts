/**
 * Response converters: domain values (lens resolutions, graph views) →
 * protobuf messages. Mechanical: the domain types mirror the proto field for
 * field; offsets become int64 here and nowhere else.
 */
import { objectToProto, recordToProto } from '../../shared/domain/proto-convert';
import type { Assertion } from '../../shared/domain/types';
import * as pb from '../../shared/gen/stemedb/v1/reader';
import type { AssertionView, EscalationView } from '../../shared/graph/views';
import type { LensName, Outcome, Resolution } from '../../shared/lens/types';

const LENS_ENUM: Readonly<Record<LensName, pb.Lens>> = {
  consensus: pb.Lens.LENS_CONSENSUS,
  recency: pb.Lens.LENS_RECENCY,
  authority: pb.Lens.LENS_AUTHORITY,
  threshold: pb.Lens.LENS_THRESHOLD,
};

const OUTCOME_ENUM: Readonly<Record<Outcome, pb.Outcome>> = {
  resolved: pb.Outcome.OUTCOME_RESOLVED,
  unresolved: pb.Outcome.OUTCOME_UNRESOLVED,
  no_candidates: pb.Outcome.OUTCOME_NO_CANDIDATES,
};

const EMPTY = Buffer.alloc(0);

export function lensToWire(lens: LensName): pb.Lens {
  return LENS_ENUM[lens];
}

export function resolutionToWire(r: Resolution): pb.Resolution {
  return {
    subject: r.subject,
    predicate: r.predicate,
    lens: LENS_ENUM[r.lens],
    outcome: OUTCOME_ENUM[r.outcome],
    object: r.object === null ? undefined : objectToProto(r.object),
    winnerId: r.winnerId ?? EMPTY,
    score: r.score,
    share: r.share,
    contested: r.contested,
    alternatives: r.alternatives.map((a) => ({ object: objectToProto(a.object), score: a.score, share: a.share, assertionIds: [...a.assertionIds] })),
    explanations: r.explanations.map((e) => ({
      assertionId: e.assertionId,
      object: objectToProto(e.object),
      score: e.score,
      terms: e.terms.map((t) => ({ name: t.name, value: t.value, detail: t.detail })),
      superseded: e.superseded,
      excludedReason: e.excludedReason ?? '',
      withdrawals: e.withdrawals.map(withdrawalToWire),
    })),
    summary: r.summary,
  };
}

function assertionToWire(a: Assertion): pb.StoredAssertion['assertion'] {
  const record = recordToProto(a);
  return record.kind?.$case === 'assertion' ? record.kind.value : undefined;
}

export function storedAssertionToWire(v: AssertionView): pb.StoredAssertion {
  return {
    id: v.id,
    assertion: assertionToWire(v.assertion),
    offset: BigInt(v.offset),
    votes: v.votes.map((x) => ({ voter: x.voter, value: x.value, castAtMs: BigInt(x.castAtMs), offset: BigInt(x.offset) })),
    netVote: v.netVote,
    superseded: v.superseded,
    supersededBy: [...v.supersededBy],
    withdrawals: v.withdrawals.map(withdrawalToWire),
    ...(v.supersededAtOffset === null ? {} : { supersededAtOffset: BigInt(v.supersededAtOffset) }),
  };
}

function withdrawalToWire(w: { readonly agent: Buffer; readonly childId: Buffer; readonly offset: number }): pb.Withdrawal {
  return { agent: w.agent, childId: w.childId, offset: BigInt(w.offset) };
}

export function escalationToWire(e: EscalationView): pb.Escalation {
  return {
    subject: e.subject,
    predicate: e.predicate,
    offset: BigInt(e.offset),
    top: objectToProto(e.facts.top),
    topShare: e.facts.topShare,
    runnerUp: objectToProto(e.facts.runnerUp),
    runnerUpShare: e.facts.runnerUpShare,
  };
}
