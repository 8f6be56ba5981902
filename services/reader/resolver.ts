/**
 * Lens queries over the local store: the materialized view for the common
 * query, a full resolution for everything else, always at one serving offset.
 *
 * The common query (default lens Consensus, now, no epoch, no superseded) is
 * ONE read of MV. MV carries no offset of its own, so the read is fenced by the
 * ingestor's commit seqlock: the applied offset A and the commit sequence are
 * captured before the read and the sequence checked after it; equal and even
 * means no batch committed in between, so the MV value is the pair's
 * resolution as of A exactly. If a commit overlapped, the answer is a full
 * resolution as of A instead (still exact, just not one read).
 */
import type { Span } from '@opentelemetry/api';
import { NotFoundError, SizeLimitError } from '../../shared/grpc/errors';
import { resolve } from '../../shared/lens/index';
import type { LensContext, Resolution, TrustContext } from '../../shared/lens/types';
import { withSpan, withSpanSync } from '../../shared/telemetry/tracing';
import type { ReaderCore } from './core';
import { RESOLVE_SUBJECT_PREDICATES_MAX } from './limits';
import { isMaterializable, type ReadQuery } from './query';
import { servingOffset } from './serving-offset';
import { learnedTrust, trustContextOf } from './trust-context';

/** A lens answer and where it came from. */
export interface Resolved {
  readonly resolution: Resolution;
  readonly servedAtOffset: number;
  /** Answered by one read of the materialized view. */
  readonly fromMaterializedView: boolean;
}

/** What the Authority lens reads from the graph besides candidates, as of the serving offset. */
interface AuthorityInputs {
  readonly trust: TrustContext;
  readonly revokedAgents: ReadonlySet<string>;
}

/** A trust pack rates only its own agents: everyone else has reliability 0, weight 0 (docs/LENSES.md). */
const TRUST_PACK_DEFAULT_RANK = 0;

/** Resolutions of any pair, all as of `at`. */
export interface PairsAt {
  readonly at: number;
  resolve(subject: string, predicate: string): Promise<Resolution>;
}

export interface ResolveOptions {
  /** Build per-candidate explanations (Explain); never from MV. */
  readonly explain: boolean;
  readonly signal: AbortSignal;
  /** The call's deadline (ms since the epoch): an offset wait answers before it. @default Infinity */
  readonly deadlineMs?: number;
}

export class Resolver {
  /**
   * Learned trust of the last offset asked: trust as of an offset never
   * changes, and a burst of Authority queries is served at one or a few
   * offsets, so one entry saves re-reading the evidence per query.
   */
  private learned: { readonly at: number; readonly trust: Promise<TrustContext> } | undefined;

  constructor(private readonly core: ReaderCore) {}

  /** One (subject, predicate) under the query's lens. */
  async resolvePair(subject: string, predicate: string, q: ReadQuery, options: ResolveOptions): Promise<Resolved> {
    const at = await servingOffset(this.core, q, 'options.', options.signal, options.deadlineMs);
    if (!options.explain && isMaterializable(q)) {
      const hit = await this.fromView(subject, [predicate]);
      if (hit !== undefined) return { resolution: hit.resolutions[0]!, servedAtOffset: hit.servedAtOffset, fromMaterializedView: true };
    }
    const trust = await this.trustFor(q, at);
    const resolution = await this.fresh(subject, predicate, q, at, trust, options.explain);
    return { resolution, servedAtOffset: at, fromMaterializedView: false };
  }

  /** Every predicate of a subject, in predicate order, all at one serving offset. */
  async resolveSubject(subject: string, q: ReadQuery, signal: AbortSignal, deadlineMs = Infinity): Promise<{ resolutions: Resolution[]; servedAtOffset: number }> {
    const at = await servingOffset(this.core, q, 'options.', signal, deadlineMs);
    if (isMaterializable(q)) {
      const hit = await this.fromView(subject, undefined);
      if (hit !== undefined) return hit;
    }
    const predicates = await this.predicatesOf(subject, at);
    const trust = await this.trustFor(q, at);
    const resolutions = await Promise.all(predicates.map((p) => this.fresh(subject, p, q, at, trust, false)));
    return { resolutions, servedAtOffset: at };
  }

  /**
   * Many pairs at ONE served offset (Query, FindSubjects): the serving offset
   * is taken once; each pair is then one MV read while no batch has committed
   * since (the seqlock fence of `fromView`), or a full resolution as of that
   * offset. Trust is read once for all of them.
   */
  async pairsAt(q: ReadQuery, explain: boolean, signal: AbortSignal): Promise<PairsAt> {
    const at = await servingOffset(this.core, q, 'options.', signal);
    const { ingest } = this.core;
    const sequence = ingest.commitSequence;
    const viewUsable = !explain && isMaterializable(q) && sequence % 2 === 0 && ingest.appliedOffset === at;
    const trust = await this.trustFor(q, at);
    const resolvePair = async (subject: string, predicate: string): Promise<Resolution> => {
      if (viewUsable && ingest.commitSequence === sequence) {
        const mv = await this.core.graph.materialized(subject, predicate);
        if (ingest.commitSequence === sequence) return mv ?? resolve('consensus', subject, predicate, [], { explain: false });
      }
      return this.fresh(subject, predicate, q, at, trust, explain);
    };
    return { at, resolve: resolvePair };
  }

  /**
   * Materialized resolutions of `predicates` (every predicate of the subject
   * when undefined), fenced by the commit seqlock; undefined when a commit
   * overlapped the reads.
   */
  private async fromView(subject: string, predicates: readonly string[] | undefined): Promise<{ resolutions: Resolution[]; servedAtOffset: number } | undefined> {
    const { ingest, graph } = this.core;
    const sequence = ingest.commitSequence;
    const at = ingest.appliedOffset;
    if (sequence % 2 !== 0) return undefined;
    return withSpan('lens.resolve', { lens: 'consensus', subject, from_materialized_view: true, served_at_offset: at }, async (span) => {
      const names = predicates ?? (await this.predicatesOf(subject, at));
      const views = await Promise.all(names.map((p) => graph.materialized(subject, p)));
      if (ingest.commitSequence !== sequence) {
        span.setAttribute('fenced_out', true);
        return undefined;
      }
      // No MV entry: the pair has no assertion (ingest writes MV for every pair it touches).
      const resolutions = views.map((mv, i) => mv ?? resolve('consensus', subject, names[i]!, [], { explain: false }));
      span.setAttribute('candidates', resolutions.reduce((n, r) => n + r.alternatives.reduce((m, a) => m + a.assertionIds.length, 0), 0));
      return { resolutions, servedAtOffset: at };
    });
  }

  private async predicatesOf(subject: string, at: number): Promise<string[]> {
    const predicates = await this.core.graph.predicatesOf(subject, { asOfOffset: at });
    if (predicates.length > RESOLVE_SUBJECT_PREDICATES_MAX) throw new SizeLimitError('subject', predicates.length, RESOLVE_SUBJECT_PREDICATES_MAX, 'predicates');
    return predicates;
  }

  /** A full resolution as of `at`: every candidate read bounded by `at`, then the lens. */
  private async fresh(subject: string, predicate: string, q: ReadQuery, at: number, trust: AuthorityInputs | undefined, explain: boolean): Promise<Resolution> {
    const candidates = await this.core.graph.candidatesFor(subject, predicate, { asOfOffset: at });
    const context: LensContext = {
      asOfOffset: at,
      epoch: q.epoch,
      includeSuperseded: q.includeSuperseded,
      explain,
      ...(trust === undefined ? {} : { trust: trust.trust, revokedAgents: trust.revokedAgents }),
      ...(q.minShare === undefined ? {} : { minShare: q.minShare }),
    };
    const attributes = { lens: q.lens, subject, predicate, candidates: candidates.length, served_at_offset: at, from_materialized_view: false, explain };
    return withSpanSync('lens.resolve', attributes, (span: Span) => {
      const r = resolve(q.lens, subject, predicate, candidates, context);
      span.setAttribute('outcome', r.outcome);
      span.setAttribute('contested', r.contested);
      return r;
    });
  }

  /** Authority's trust as of `at`: the query's trust pack (NOT_FOUND if unknown then) or the learned ranks, and who was revoked by then. */
  private async trustFor(q: ReadQuery, at: number): Promise<AuthorityInputs | undefined> {
    if (q.lens !== 'authority') return undefined;
    const [trust, revoked] = await Promise.all([this.trustRanksFor(q, at), this.core.graph.revokedAgents({ asOfOffset: at })]);
    return { trust, revokedAgents: revoked };
  }

  private async trustRanksFor(q: ReadQuery, at: number): Promise<TrustContext> {
    if (q.trustPackId === null) {
      if (this.learned?.at !== at) {
        const trust = learnedTrust(this.core.graph, at).then(trustContextOf);
        this.learned = { at, trust };
        trust.catch(() => {
          if (this.learned?.trust === trust) this.learned = undefined;
        });
      }
      return this.learned.trust;
    }
    const pack = await this.core.graph.trustPack(q.trustPackId, { asOfOffset: at });
    if (pack === undefined) throw new NotFoundError('trust pack', q.trustPackId.toString('hex'), 'options.trust_pack_id');
    const ranks = new Map(pack.record.entries.map((e) => [e.agent.toString('hex'), e.weight]));
    return { ranks, source: 'trust_pack', defaultRank: TRUST_PACK_DEFAULT_RANK };
  }
}
