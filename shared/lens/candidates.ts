/**
 * Turns the caller's candidates into what every lens scores: checked against
 * the lens contract, cut at `asOfOffset`, split into live and excluded
 * (superseded, other epoch), signers deduplicated and cut by their
 * withdrawals, votes reduced to each agent's latest, and everything in a
 * canonical order so that no input order can leak into a result.
 *
 * Withdrawals (docs/LENSES.md "Supersession and withdrawal"): a signer that
 * withdrew as of the query is not in `LiveCandidate.signers`, so no lens counts
 * it for that candidate; a candidate all of whose signers withdrew is excluded
 * as superseded. Votes are untouched. `includeSuperseded` ignores withdrawals.
 */
import type { ObjectValue } from '../domain/types';
import { LensInputError } from './errors';
import { DUPLICATES_PAIRWISE_MAX } from './limits';
import { canonicalObject, compareObjects, objectKey } from './object-value';
import { THRESHOLD_MIN_SHARE_DEFAULT, TRUST_DEFAULT_RANK } from './params';
import type { Candidate, CandidateVote, CandidateWithdrawal, LensContext, TrustContext } from './types';
import { sortStable } from '../domain/sort';

/** A vote after reduction, with the voter's key in hex. */
export interface LiveVote {
  readonly voterHex: string;
  readonly value: number;
  readonly castAtMs: number;
  readonly offset: number;
}

/** A candidate a lens scores. */
export interface LiveCandidate {
  readonly candidate: Candidate;
  readonly id: Buffer;
  readonly idHex: string;
  readonly object: ObjectValue;
  readonly confidence: number;
  readonly sourceHex: string;
  /** Distinct signer keys in hex, sorted, without those that withdrew as of the query (unless includeSuperseded). */
  readonly signers: readonly string[];
  /** Withdrawals that hold as of the query, in (offset, agent) order. */
  readonly withdrawals: readonly CandidateWithdrawal[];
  /** One per voter (its latest), sorted by voter. */
  readonly votes: readonly LiveVote[];
  /** Superseded as of the query (only live when includeSuperseded). */
  readonly superseded: boolean;
}

/** Why a candidate is not scored. */
export type ExclusionReason = 'superseded' | 'other_epoch';

export interface ExcludedCandidate {
  readonly candidate: Candidate;
  readonly superseded: boolean;
  readonly reason: ExclusionReason;
  /** Withdrawals that hold as of the query, in (offset, agent) order. */
  readonly withdrawals: readonly CandidateWithdrawal[];
}

/** Live candidates of one distinct value, sorted by id. */
export interface ValueGroup {
  readonly key: string;
  readonly object: ObjectValue;
  readonly candidates: readonly LiveCandidate[];
}

export interface PreparedCandidates {
  /** Grouped by value, groups in object order. */
  readonly groups: readonly ValueGroup[];
  /** Sorted by id. */
  readonly excluded: readonly ExcludedCandidate[];
  /** Candidates given, after the asOfOffset cut. */
  readonly visible: number;
}

/** A context with every default filled in and every option checked. */
export interface ResolvedContext {
  readonly asOfOffset: number | undefined;
  readonly epoch: string | null;
  readonly trust: TrustContext;
  readonly includeSuperseded: boolean;
  readonly minShare: number;
  readonly explain: boolean;
  readonly summary: boolean;
}

const NO_TRUST: TrustContext = { ranks: new Map(), source: 'learned', defaultRank: TRUST_DEFAULT_RANK };

/** Fill in defaults and check ranges; throws LensInputError naming the option. */
export function resolveContext(context: LensContext): ResolvedContext {
  const { asOfOffset } = context;
  if (asOfOffset !== undefined) checkOffset(asOfOffset, 'context.as_of_offset');
  const minShare = context.minShare ?? THRESHOLD_MIN_SHARE_DEFAULT;
  if (!(Number.isFinite(minShare) && minShare > 0 && minShare <= 1)) {
    throw new LensInputError('context.min_share', `must be in (0, 1], got ${minShare}`);
  }
  const trust = context.trust ?? NO_TRUST;
  checkUnit(trust.defaultRank, 'context.trust.default_rank');
  for (const [agent, rank] of trust.ranks) checkUnit(rank, `context.trust.ranks[${agent}]`);
  return {
    asOfOffset,
    epoch: context.epoch ?? null,
    trust,
    includeSuperseded: context.includeSuperseded ?? false,
    minShare,
    explain: context.explain ?? true,
    summary: context.summary ?? true,
  };
}

/** Check, cut, split, deduplicate and order the candidates of one (subject, predicate). */
export function prepareCandidates(
  subject: string,
  predicate: string,
  candidates: readonly Candidate[],
  ctx: ResolvedContext,
): PreparedCandidates {
  const seen = candidates.length > DUPLICATES_PAIRWISE_MAX ? new Set<string>() : undefined;
  const live: LiveCandidate[] = [];
  const excluded: ExcludedCandidate[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    checkCandidate(c, subject, predicate, i);
    checkUnique(candidates, i, seen);
    if (ctx.asOfOffset !== undefined && c.offset >= ctx.asOfOffset) continue;
    const signers = distinctSortedHex(c.signers);
    const withdrawals = withdrawalsAsOf(c, ctx.asOfOffset);
    const remaining = withdrawals.length === 0 ? signers : withoutWithdrawn(signers, withdrawals);
    const superseded = supersededAsOf(c, ctx.asOfOffset) || remaining.length === 0;
    if (ctx.epoch !== null && c.assertion.epoch !== ctx.epoch) {
      excluded.push({ candidate: c, superseded, reason: 'other_epoch', withdrawals });
    } else if (superseded && !ctx.includeSuperseded) {
      excluded.push({ candidate: c, superseded, reason: 'superseded', withdrawals });
    } else {
      live.push(toLive(c, superseded, ctx.includeSuperseded ? signers : remaining, withdrawals, ctx.asOfOffset, i));
    }
  }
  excluded.sort((a, b) => Buffer.compare(a.candidate.id, b.candidate.id));
  return { groups: groupByValue(live), excluded, visible: live.length + excluded.length };
}

/** Throws LensInputError when candidate `i` repeats an earlier id (`seen`: the earlier ids in hex, for many candidates). */
function checkUnique(candidates: readonly Candidate[], i: number, seen: Set<string> | undefined): void {
  const id = candidates[i]!.id;
  let duplicate: boolean;
  if (seen === undefined) {
    duplicate = false;
    for (let j = 0; j < i && !duplicate; j++) duplicate = candidates[j]!.id.equals(id);
  } else {
    const hex = id.toString('hex');
    duplicate = seen.has(hex);
    seen.add(hex);
  }
  if (duplicate) throw new LensInputError(`${fieldOf(i)}.id`, `duplicate candidate ${id.toString('hex')}`);
}

/**
 * The latest vote of each voter over several candidates (a value's), sorted by
 * voter: one agent counts once per value, however many of its claims it voted on.
 */
export function latestVotesByVoter(candidates: readonly LiveCandidate[]): LiveVote[] {
  const latest = new Map<string, LiveVote>();
  for (const c of candidates) {
    for (const v of c.votes) {
      const cur = latest.get(v.voterHex);
      if (cur === undefined || compareVoteRecency(v, cur) > 0) latest.set(v.voterHex, v);
    }
  }
  return sortStable([...latest.values()], (a, b) => compareStrings(a.voterHex, b.voterHex));
}

/** Ascending by code unit; hex strings sort like their bytes. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The distinct keys in hex, sorted (one signer, the common case, without a Set or a sort). */
function distinctSortedHex(keys: readonly Buffer[]): string[] {
  if (keys.length === 1) return [keys[0]!.toString('hex')];
  return sortStable([...new Set(keys.map((s) => s.toString('hex')))], compareStrings);
}

function withoutWithdrawn(signers: readonly string[], withdrawals: readonly CandidateWithdrawal[]): string[] {
  const withdrawn = new Set(withdrawals.map((w) => w.agent.toString('hex')));
  return signers.filter((s) => !withdrawn.has(s));
}

const NO_WITHDRAWALS: readonly CandidateWithdrawal[] = Object.freeze([]);
const NO_VOTES: readonly LiveVote[] = Object.freeze([]);

/** Higher offset is later; equal offsets (a caller bug) fall back to time, then value. */
function compareVoteRecency(a: LiveVote, b: LiveVote): number {
  return a.offset - b.offset || a.castAtMs - b.castAtMs || a.value - b.value;
}

/** The candidate's withdrawals below `asOfOffset`, in (offset, agent) order. */
function withdrawalsAsOf(c: Candidate, asOfOffset: number | undefined): readonly CandidateWithdrawal[] {
  if (c.withdrawals === undefined || c.withdrawals.length === 0) return NO_WITHDRAWALS;
  const list = c.withdrawals.filter((w) => asOfOffset === undefined || w.offset < asOfOffset);
  return sortStable(list, (a, b) => a.offset - b.offset || Buffer.compare(a.agent, b.agent) || Buffer.compare(a.childId, b.childId));
}

function supersededAsOf(c: Candidate, asOfOffset: number | undefined): boolean {
  if (!c.superseded) return false;
  if (asOfOffset === undefined || c.supersededAtOffset === undefined) return true;
  return c.supersededAtOffset < asOfOffset;
}

function toLive(
  c: Candidate,
  superseded: boolean,
  signers: readonly string[],
  withdrawals: readonly CandidateWithdrawal[],
  asOfOffset: number | undefined,
  index: number,
): LiveCandidate {
  return new Live(
    c,
    // -0 passes validation; as +0 it cannot leak a sign into a score term.
    c.assertion.confidence === 0 ? 0 : c.assertion.confidence,
    signers,
    withdrawals,
    c.votes.length === 0 ? NO_VOTES : latestVotes(c, asOfOffset, index),
    superseded,
  );
}

/** `c` with only `signers` and `votes` counting (Authority's fallback drops revoked agents). */
export function withSupport(c: LiveCandidate, signers: readonly string[], votes: readonly LiveVote[]): LiveCandidate {
  return new Live(c.candidate, c.confidence, signers, c.withdrawals, votes, c.superseded);
}

/**
 * A LiveCandidate whose id and source in hex are made when first read: only
 * explanations show the id, and only a value with more than one claim or
 * signer keys its sources by hex.
 */
class Live implements LiveCandidate {
  private hex: string | undefined;
  private source: string | undefined;

  constructor(
    readonly candidate: Candidate,
    readonly confidence: number,
    readonly signers: readonly string[],
    readonly withdrawals: readonly CandidateWithdrawal[],
    readonly votes: readonly LiveVote[],
    readonly superseded: boolean,
  ) {}

  get id(): Buffer {
    return this.candidate.id;
  }

  get object(): ObjectValue {
    return this.candidate.assertion.object;
  }

  get idHex(): string {
    this.hex ??= this.candidate.id.toString('hex');
    return this.hex;
  }

  get sourceHex(): string {
    this.source ??= this.candidate.assertion.sourceHash.toString('hex');
    return this.source;
  }
}

/** One vote per voter (its latest below `asOfOffset`), sorted by voter. */
function latestVotes(c: Candidate, asOfOffset: number | undefined, index: number): readonly LiveVote[] {
  if (c.votes.length === 1) {
    const v = c.votes[0]!;
    checkVote(v, index, 0);
    if (asOfOffset !== undefined && v.offset >= asOfOffset) return NO_VOTES;
    return [{ voterHex: v.voter.toString('hex'), value: v.value === 0 ? 0 : v.value, castAtMs: v.castAtMs, offset: v.offset }];
  }
  const latest = new Map<string, LiveVote>();
  c.votes.forEach((v, j) => {
    checkVote(v, index, j);
    if (asOfOffset !== undefined && v.offset >= asOfOffset) return;
    const value = v.value === 0 ? 0 : v.value;
    const lv: LiveVote = { voterHex: v.voter.toString('hex'), value, castAtMs: v.castAtMs, offset: v.offset };
    const cur = latest.get(lv.voterHex);
    if (cur === undefined || compareVoteRecency(lv, cur) > 0) latest.set(lv.voterHex, lv);
  });
  return sortStable([...latest.values()], (a, b) => compareStrings(a.voterHex, b.voterHex));
}

function groupByValue(live: readonly LiveCandidate[]): ValueGroup[] {
  if (live.length === 0) return [];
  if (live.length === 1) {
    const c = live[0]!;
    return [{ key: objectKey(c.object), object: canonicalObject(c.object), candidates: live }];
  }
  const groups = new Map<string, { object: ObjectValue; candidates: LiveCandidate[] }>();
  for (const c of live) {
    const key = objectKey(c.object);
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { object: c.object, candidates: [c] });
    else g.candidates.push(c);
  }
  const out: ValueGroup[] = [];
  for (const [key, g] of groups) {
    sortStable(g.candidates, (a, b) => Buffer.compare(a.id, b.id));
    out.push({ key, object: canonicalObject(g.object), candidates: g.candidates });
  }
  return sortStable(out, (a, b) => compareObjects(a.object, b.object));
}

/**
 * The name of candidate `i` in an error. Checks run on every candidate of
 * every resolution, so field names are built only for an error.
 */
function fieldOf(i: number): string {
  return `candidates[${i}]`;
}

/** Throws LensInputError when candidate `i` breaks the lens contract (another pair, out-of-range numbers, no signer, a withdrawal by a non-signer). */
export function checkCandidate(c: Candidate, subject: string, predicate: string, i: number): void {
  if (c.assertion.subject !== subject) {
    throw new LensInputError(`${fieldOf(i)}.assertion.subject`, `is '${c.assertion.subject}', resolving '${subject}'`);
  }
  if (c.assertion.predicate !== predicate) {
    throw new LensInputError(`${fieldOf(i)}.assertion.predicate`, `is '${c.assertion.predicate}', resolving '${predicate}'`);
  }
  if (!isUnit(c.assertion.confidence)) throw unitError(c.assertion.confidence, `${fieldOf(i)}.assertion.confidence`);
  if (!isOffset(c.offset)) throw offsetError(c.offset, `${fieldOf(i)}.offset`);
  if (c.supersededAtOffset !== undefined && !isOffset(c.supersededAtOffset)) throw offsetError(c.supersededAtOffset, `${fieldOf(i)}.superseded_at_offset`);
  if (c.signers.length === 0) throw new LensInputError(`${fieldOf(i)}.signers`, 'must name at least one signer');
  if (c.withdrawals === undefined) return;
  c.withdrawals.forEach((w, j) => {
    if (!isOffset(w.offset)) throw offsetError(w.offset, `${fieldOf(i)}.withdrawals[${j}].offset`);
    // Only an author can withdraw its own support: a withdrawal by anyone else is a caller bug.
    if (!c.signers.some((s) => s.equals(w.agent))) {
      throw new LensInputError(`${fieldOf(i)}.withdrawals[${j}].agent`, `${w.agent.toString('hex')} is not a signer of the candidate`);
    }
  });
}

/** Vote `j` of candidate `i`: throws LensInputError for an out-of-range value, offset or time. */
export function checkVote(v: CandidateVote, i: number, j: number): void {
  if (!(Number.isFinite(v.value) && v.value >= -1 && v.value <= 1)) {
    throw new LensInputError(`${fieldOf(i)}.votes[${j}].value`, `must be finite and in [-1, 1], got ${v.value}`);
  }
  if (!isOffset(v.offset)) throw offsetError(v.offset, `${fieldOf(i)}.votes[${j}].offset`);
  if (!Number.isFinite(v.castAtMs)) throw new LensInputError(`${fieldOf(i)}.votes[${j}].cast_at_ms`, 'must be finite');
}

function isUnit(x: number): boolean {
  return Number.isFinite(x) && x >= 0 && x <= 1;
}

function isOffset(x: number): boolean {
  return Number.isSafeInteger(x) && x >= 0;
}

function unitError(x: number, field: string): LensInputError {
  return new LensInputError(field, `must be finite and in [0, 1], got ${x}`);
}

function offsetError(x: number, field: string): LensInputError {
  return new LensInputError(field, `must be a non-negative safe integer, got ${x}`);
}

function checkUnit(x: number, field: string): void {
  if (!isUnit(x)) throw unitError(x, field);
}

function checkOffset(x: number, field: string): void {
  if (!isOffset(x)) throw offsetError(x, field);
}
