/**
 * What a lens takes and what it gives back.
 *
 * A lens is a pure function `(subject, predicate, candidates, context) →
 * Resolution`: no I/O, no clock, no randomness. `Resolution` mirrors
 * `stemedb.v1.Resolution` (proto/stemedb/v1/reader.proto) field for field, so
 * the reader converts it to protobuf mechanically.
 */
import type { Assertion, ObjectValue } from '../domain/types';

/** The lenses this library implements. */
export type LensName = 'consensus' | 'recency' | 'authority' | 'threshold';

/** Mirrors `stemedb.v1.Outcome`. */
export type Outcome = 'resolved' | 'unresolved' | 'no_candidates';

/** One agent's vote on a candidate. */
export interface CandidateVote {
  /** 32-byte public key of the voter. */
  readonly voter: Buffer;
  /** Finite, -1..1. */
  readonly value: number;
  readonly castAtMs: number;
  /** Log offset of the vote record. */
  readonly offset: number;
}

/** A signer's support withdrawn from a candidate by a child assertion it also signed. */
export interface CandidateWithdrawal {
  /** 32-byte public key of the signer that withdrew; must be one of the candidate's signers. */
  readonly agent: Buffer;
  /** Id of the assertion (with `parent_hash` = this candidate's id) that withdrew it. */
  readonly childId: Buffer;
  /** Log offset from which the withdrawal holds; with `asOfOffset`, later ones are ignored. */
  readonly offset: number;
}

/** One assertion of the (subject, predicate) with what the log says about it. */
export interface Candidate {
  /** 32-byte assertion id. */
  readonly id: Buffer;
  readonly assertion: Assertion;
  /** Distinct public keys that signed this id (co-signatures merged). */
  readonly signers: readonly Buffer[];
  /** Log offset where the id was first seen. */
  readonly offset: number;
  /**
   * Votes on this id. Normally each agent's latest only; when an agent appears
   * more than once the lens keeps its vote with the highest offset, so a caller
   * may also pass a full vote history.
   */
  readonly votes: readonly CandidateVote[];
  /** Superseded as a whole (the graph sets it when every signer has withdrawn). */
  readonly superseded: boolean;
  /**
   * Offset from which it is superseded as a whole, when known. With
   * `asOfOffset`, a candidate superseded only at or after that offset counts as
   * live, so time travel sees supersession exactly as it stood.
   */
  readonly supersededAtOffset?: number;
  /**
   * Signers that withdrew their support (docs/LENSES.md "Supersession and
   * withdrawal"). A withdrawn signer does not count for this candidate in any
   * lens; when every signer has withdrawn the candidate is excluded as
   * superseded. Votes are not affected. @default none
   */
  readonly withdrawals?: readonly CandidateWithdrawal[];
}

/** Trust for the Authority lens (docs/LENSES.md "Authority"). */
export interface TrustContext {
  /**
   * Estimated reliability 0..1 per agent (the probability that its claim is
   * true), keyed by the agent's public key in lowercase hex.
   */
  readonly ranks: ReadonlyMap<string, number>;
  /** Where the estimates came from: gold standards and learned packs, or a trust pack the query named. */
  readonly source: 'learned' | 'trust_pack';
  /** Reliability of an agent missing from `ranks`, 0..1. */
  readonly defaultRank: number;
  /** Optional per-agent evidence shown in Explain (e.g. "gold 5 right / 0 wrong"). */
  readonly labels?: ReadonlyMap<string, string>;
}

/** How to read the candidates. */
export interface LensContext {
  /**
   * Time travel: candidates and votes at offsets >= this are ignored, as if the
   * log ended here. Unset = everything given.
   */
  readonly asOfOffset?: number;
  /**
   * Only assertions of this epoch count; the rest are explained as excluded.
   * @default null (every epoch)
   */
  readonly epoch?: string | null;
  /** @default no ranks, `defaultRank` TRUST_DEFAULT_RANK, source 'learned' */
  readonly trust?: TrustContext;
  /** Agents (public key hex) whose key was revoked as of the query: they carry no weight in Authority. */
  readonly revokedAgents?: ReadonlySet<string>;
  /**
   * Also score superseded assertions, and ignore withdrawals: every signer
   * counts, as if nothing had been superseded.
   * @default false
   */
  readonly includeSuperseded?: boolean;
  /**
   * Threshold lens: minimum share of the total support for a winner, (0, 1].
   * @default THRESHOLD_MIN_SHARE_DEFAULT (0.5)
   */
  readonly minShare?: number;
  /**
   * Build per-candidate explanations (score terms and their details). Resolve
   * and the materialized view do not need them and skip the cost.
   * @default true
   */
  readonly explain?: boolean;
  /**
   * Write the one-paragraph `summary`. Ingest's materialized view does not
   * store it (a read rebuilds it from the stored facts) and skips the cost;
   * without it `summary` is ''.
   * @default true
   */
  readonly summary?: boolean;
}

/** One named term of a candidate's score. */
export interface ScoreTerm {
  readonly name: string;
  readonly value: number;
  readonly detail: string;
}

/** Why one candidate scored what it did. */
export interface CandidateExplanation {
  readonly assertionId: Buffer;
  readonly object: ObjectValue;
  /** This assertion's contribution to its value's support (0 when excluded). */
  readonly score: number;
  readonly terms: readonly ScoreTerm[];
  readonly superseded: boolean;
  /** Why the lens ignored it ('superseded', 'other_epoch'), or null. */
  readonly excludedReason: string | null;
  /** Withdrawals that held as of the query, in (offset, agent) order. */
  readonly withdrawals: readonly CandidateWithdrawal[];
}

/** One distinct object value and its total support. */
export interface Alternative {
  readonly object: ObjectValue;
  readonly score: number;
  /** score / total support of all alternatives; 0 when the total is 0. */
  readonly share: number;
  /** The assertions supporting this value, best first. */
  readonly assertionIds: readonly Buffer[];
}

/** The answer of a lens for one (subject, predicate). */
export interface Resolution {
  readonly subject: string;
  readonly predicate: string;
  readonly lens: LensName;
  readonly outcome: Outcome;
  /** The winning value; null unless outcome is 'resolved'. */
  readonly object: ObjectValue | null;
  /** The best assertion of the winning value; null unless 'resolved'. */
  readonly winnerId: Buffer | null;
  /** Score and share of the top alternative (0 when there is none). */
  readonly score: number;
  readonly share: number;
  /** The top two alternatives are within CONTEST_MARGIN (see contest.ts). */
  readonly contested: boolean;
  /** Every distinct live value, best first. */
  readonly alternatives: readonly Alternative[];
  /** Every candidate given (after asOfOffset), live ones first; empty when `explain` is false. */
  readonly explanations: readonly CandidateExplanation[];
  /** A one-paragraph readable account. */
  readonly summary: string;
}
