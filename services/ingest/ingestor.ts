/**
 * The ingest worker: reads the log from a WalSource, starting at the store's
 * cursor, checks every record again (decode, id, signatures), applies records
 * in batches to the graph model and commits each batch with ONE
 * HybridStore.applyBatch(ops, nextOffsetOfLastRecord): each backend commits
 * its data with its own cursor, and the redo intent covers a crash between the
 * two, so a record is applied exactly once however often ingest is killed.
 *
 * A record that fails its checks is skipped, counted (META records_rejected,
 * in the same batch) and logged with its offset: log content never stops the
 * worker. Batch boundaries never change the result (docs/STORAGE.md).
 */
import { SpanStatusCode } from '@opentelemetry/api';
import { GRAPH_META } from '../../shared/graph/meta';
import { decodeU64 } from '../../shared/graph/scalars';
import type { HybridStore } from '../../shared/storage/hybrid-store';
import { keys, parseKey, prefixes, type StoreKey } from '../../shared/storage/keys';
import { createLogger, type Logger } from '../../shared/telemetry/logger';
import { tracer } from '../../shared/telemetry/tracing';
import { batchRecords } from './batcher';
import { RecordChecker, VERIFY_MODES, isVerifyMode, type CheckedRecord, type VerifyMode } from './check-record';
import { IngestGapError, IngestOptionError } from './errors';
import { GraphBatch, type BatchRecord } from '../../shared/graph/apply/graph-batch';
import { INGEST_BATCH_BYTES_MAX, INGEST_BATCH_DELAY_MS, INGEST_BATCH_DELAY_MS_MAX, INGEST_BATCH_RECORDS_MAX, INGEST_CHECK_AHEAD_BATCHES } from './limits';
import { Turns } from './turns';
import { BoundedQueue } from './bounded-queue';
import { PairCache } from '../../shared/graph/apply/pair-cache';
import { PAIR_CACHE_CANDIDATES_MAX } from '../../shared/graph/limits';
import type { BatchOps } from '../../shared/graph/apply/batch-state';
import { SignatureVerifier } from '../../shared/verify/signature-verifier';
import { VERIFY_WORKERS_MAX } from '../../shared/verify/limits';
import { stemeMetrics } from '../../shared/telemetry/metrics';
import { collectLinks, startRecordSpans, tracedRecords } from './trace-links';
import { checkRange, type AppliedBatch, type IngestCounters, type IngestorOptions } from './ingestor-options';
import type { SourceRecord, WalSource } from './wal-source';

export type { BatchInfo, IngestCounters, IngestorOptions } from './ingestor-options';

export class Ingestor {
  private applied: number;
  private counts: { applied: number; rejected: number };
  /** Where the last applied batch (committed or not) left the log: its end, counters, and its ops while they commit. */
  private ahead: { offset: number; counts: { applied: number; rejected: number }; ops: BatchOps | undefined };
  private running = false;
  /** Set when a batch failed: the caches may be ahead of the store, so only a new Ingestor may continue. */
  private failure: Error | undefined;
  private readonly cache: PairCache;
  private commits = 0;
  private readonly limits: { recordsMax: number; bytesMax: number; delayMs: number };
  private readonly logger: Logger;
  private readonly checker: RecordChecker;
  private readonly verifier: SignatureVerifier | undefined;

  private constructor(
    private readonly store: HybridStore,
    private readonly source: WalSource,
    private readonly options: IngestorOptions,
    appliedOffset: number,
    counters: IngestCounters,
    /** Hex ids of assertions with PENDING votes: saves a RocksDB scan per new assertion. */
    private readonly pendingIds: Set<string>,
  ) {
    this.applied = appliedOffset;
    this.counts = { ...counters };
    this.ahead = { offset: appliedOffset, counts: { ...counters }, ops: undefined };
    // Nothing applied yet: the store holds no pair, so the pair cache starts complete.
    const cacheMax = checkRange('pairCacheCandidatesMax', options.pairCacheCandidatesMax ?? PAIR_CACHE_CANDIDATES_MAX, 0, PAIR_CACHE_CANDIDATES_MAX);
    this.cache = new PairCache(cacheMax, appliedOffset === 0 && counters.applied === 0 && counters.rejected === 0);
    this.logger = options.logger ?? createLogger({ component: 'ingest' });
    this.limits = {
      recordsMax: checkRange('batchRecordsMax', options.batchRecordsMax ?? INGEST_BATCH_RECORDS_MAX, 1, INGEST_BATCH_RECORDS_MAX),
      bytesMax: checkRange('batchBytesMax', options.batchBytesMax ?? INGEST_BATCH_BYTES_MAX, 1, INGEST_BATCH_BYTES_MAX),
      delayMs: checkRange('batchDelayMs', options.batchDelayMs ?? INGEST_BATCH_DELAY_MS, 0, INGEST_BATCH_DELAY_MS_MAX),
    };
    const workers = checkRange('verifyWorkers', options.verifyWorkers ?? 0, 0, VERIFY_WORKERS_MAX);
    const mode = options.verify ?? 'all';
    if (!isVerifyMode(mode)) throw new IngestOptionError('verify', `must be one of ${VERIFY_MODES.join(', ')}, got ${String(mode)}`);
    this.verifier = workers > 0 && mode === 'all' ? new SignatureVerifier({ workers }) : undefined;
    this.checker = new RecordChecker(mode, this.verifier);
  }

  /** Worker threads verifying records (0 = inline, or nothing to verify). */
  get verifyWorkers(): number {
    return this.verifier?.workers ?? 0;
  }

  /** Which signatures this ingestor verifies. */
  get verifyMode(): VerifyMode {
    return this.checker.mode;
  }

  /** Stops the verification workers; the store and source stay open (their owner closes them). */
  async close(): Promise<void> {
    await this.verifier?.close();
  }

  /** An ingestor over an open store, resuming at the store's cursor. */
  static async open(store: HybridStore, source: WalSource, options: IngestorOptions = {}): Promise<Ingestor> {
    const { rocks, lmdb } = store.cursors();
    if (rocks !== lmdb) {
      (options.logger ?? createLogger({ component: 'ingest' })).warn('store backends disagree on their cursors; resuming from the lower one', { rocks_cursor: rocks, lmdb_cursor: lmdb });
    }
    const [applied, rejected] = await store.getMany([keys.meta(GRAPH_META.applied), keys.meta(GRAPH_META.rejected)]);
    const pendingIds = new Set<string>();
    for await (const [key] of store.scanPrefix(prefixes.kind('pendingVote'))) {
      pendingIds.add((parseKey(key) as Extract<StoreKey, { kind: 'pendingVote' }>).assertionId.toString('hex'));
    }
    const counters = { applied: applied === undefined ? 0 : decodeU64(applied, 'META'), rejected: rejected === undefined ? 0 : decodeU64(rejected, 'META') };
    return new Ingestor(store, source, options, Math.min(rocks, lmdb), counters, pendingIds);
  }

  /** The offset the store has applied the log through (the next record to read). */
  get appliedOffset(): number {
    return this.applied;
  }

  /**
   * A seqlock over store commits: odd while a batch is being committed,
   * incremented when the commit starts and again when it has finished (and
   * `appliedOffset` moved). A reader that sees the same even value before and
   * after a store read knows no commit overlapped it, so the read saw the
   * store exactly as of `appliedOffset`. A failed commit leaves it odd: the
   * store no longer provably matches `appliedOffset`.
   */
  get commitSequence(): number {
    return this.commits;
  }

  get counters(): IngestCounters {
    return { ...this.counts };
  }

  /** Applies every record at an offset below `untilOffset` (e.g. the log's head), then resolves. */
  async catchUp(untilOffset: number, signal?: AbortSignal): Promise<void> {
    if (this.applied >= untilOffset) return;
    await this.pump(untilOffset, signal);
  }

  /** Follows the log until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    await this.pump(undefined, signal);
  }

  private async pump(untilOffset: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    if (this.running) throw new Error('this ingestor is already running');
    this.running = true;
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted === true) stop.abort();
    // Batches are checked (on the workers) ahead of the one being applied.
    const queue = new BoundedQueue<{ records: SourceRecord[]; checked: Promise<CheckedRecord[]> }>(INGEST_CHECK_AHEAD_BATCHES);
    const producer = this.produce(queue, untilOffset, stop);
    // Batch n applies while batch n-1 commits (and n+1 is checked): at most one commit in flight.
    let committing: Promise<void> | undefined;
    try {
      for (;;) {
        const item = await queue.shift();
        if (item === undefined) break;
        const { commit } = await this.applyChecked(item.records, await item.checked, committing);
        committing = commit;
        commit.catch(() => undefined); // awaited by the next batch or below
      }
      await committing;
    } finally {
      // On an error too: stop reading, release a producer waiting on a full queue, wait for it.
      stop.abort();
      queue.close();
      await producer;
      await committing?.catch(() => undefined);
      signal?.removeEventListener('abort', onAbort);
      this.running = false;
    }
  }

  /** Reads batches (only records below `untilOffset`), starts their checks and queues them, in order. Never throws: errors go to the queue. */
  private async produce(queue: BoundedQueue<{ records: SourceRecord[]; checked: Promise<CheckedRecord[]> }>, untilOffset: number | undefined, stop: AbortController): Promise<void> {
    try {
      for await (const batch of batchRecords(this.source.records(this.applied, stop.signal), this.limits)) {
        const wanted = untilOffset === undefined ? batch : batch.filter((r) => r.offset < untilOffset);
        if (wanted.length > 0) {
          const checked = this.check(wanted);
          checked.catch(() => undefined); // awaited by the consumer; never an unhandled rejection meanwhile
          if (!(await queue.push({ records: wanted, checked }))) break;
        }
        if (stop.signal.aborted || (untilOffset !== undefined && batch[batch.length - 1]!.nextOffset >= untilOffset)) {
          // Ends the source's tail before the batcher asks it to return.
          stop.abort();
          break;
        }
      }
      queue.close();
    } catch (err) {
      queue.fail(err);
    }
  }

  /**
   * Checks and applies consecutive records (the first at `appliedOffset`) as
   * ONE batch, and waits for its commit. Exposed for sources that deliver
   * whole batches and for tests.
   */
  async applyRecords(records: readonly SourceRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.checkOrder(records);
    await (await this.applyChecked(records, await this.check(records), undefined)).commit;
  }

  private check(records: readonly SourceRecord[]): Promise<CheckedRecord[]> {
    return this.checker.check(records);
  }

  /** The records must follow the last applied batch without a gap. */
  private checkOrder(records: readonly SourceRecord[]): number {
    let expected = this.ahead.offset;
    for (const r of records) {
      if (r.offset !== expected) throw new IngestGapError(expected, r.offset);
      expected = r.nextOffset;
    }
    return expected;
  }

  /**
   * Applies one batch (while `previous`, the commit of the batch before, may
   * still run), waits for `previous`, then starts this batch's commit and
   * returns it (wrapped: an async function would wait for it). Any failure
   * makes the Ingestor unusable; when it was `previous` that failed (while
   * this batch waited), its own error is the one thrown.
   */
  private async applyChecked(records: readonly SourceRecord[], checked: readonly CheckedRecord[], previous: Promise<void> | undefined): Promise<{ commit: Promise<void> }> {
    if (this.failure !== undefined) {
      await previous;
      throw new Error(`an earlier batch failed (${this.failure.message}); open a new Ingestor to resume from the store's cursor`);
    }
    const expected = this.checkOrder(records);
    const links = collectLinks(checked);
    const attributes = { from_offset: this.ahead.offset, applied_through: expected, batch_records: records.length };
    return tracer().startActiveSpan('ingest.apply', { attributes, links }, async (span) => {
      const recordSpans = startRecordSpans(tracedRecords(checked), span.spanContext());
      const fail = (err: unknown): never => {
        this.failure ??= err instanceof Error ? err : new Error(String(err));
        span.recordException(err instanceof Error ? err : new Error(String(err)));
        span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
        throw err;
      };
      const end = (): void => {
        for (const s of recordSpans) s.end();
        span.end();
      };
      let applied: AppliedBatch;
      try {
        applied = await this.applyBatch(checked, expected);
        span.setAttribute('rejected', applied.rejected);
        await previous;
      } catch (err) {
        end();
        return fail(err);
      }
      const commit = this.commit(applied).then(end, (err: unknown) => {
        end();
        return fail(err);
      });
      return { commit };
    });
  }

  /** Applies the records to the graph model, on the cached pairs and over the batch still committing. */
  private async applyBatch(checked: readonly CheckedRecord[], appliedThrough: number): Promise<AppliedBatch> {
    const fromOffset = this.ahead.offset;
    this.cache.beginBatch();
    const batch = new GraphBatch(this.store, this.cache, this.pendingIds, this.logger, this.ahead.ops);
    const valid: BatchRecord[] = [];
    for (const c of checked) if (c.ok) valid.push(c);
    await batch.prefetch(valid);
    const counts = { ...this.ahead.counts };
    let rejected = 0;
    const turns = new Turns();
    for (let i = 0; i < checked.length; i++) {
      if (turns.due(i)) await turns.turn();
      const c = checked[i]!;
      if (c.ok) {
        // Most records need no store read: no promise to await for them.
        const applying = batch.apply(c.entry.record, c.id, c.offset, c.recordBytes);
        if (applying !== undefined) await applying;
        counts.applied++;
      } else {
        rejected++;
        counts.rejected++;
        this.logger.warn('skipped an invalid log record', { offset: c.offset, next_offset: c.nextOffset, reason: c.reason, error: c.error });
      }
    }
    const ops = batch.finish(counts);
    this.ahead = { offset: appliedThrough, counts, ops };
    const payloadBytes = checked.reduce((n, c) => n + c.nextOffset - c.offset, 0);
    return { fromOffset, appliedThrough, ops, counts, rejected, records: checked.length, payloadBytes };
  }

  /** Commits an applied batch (the previous commit has finished, the next batch has not started applying). */
  private async commit(b: AppliedBatch): Promise<void> {
    // Between two applies: a pair evicted now is reloaded from the store and the ops still committing.
    this.cache.evict();
    this.commits += 1;
    await this.store.applyBatch(b.ops, b.appliedThrough);
    this.applied = b.appliedThrough;
    this.source.committed?.(b.appliedThrough);
    this.commits += 1;
    // The next batch applied over these ops; it reads them from the store from now on.
    if (this.ahead.ops === b.ops) this.ahead = { ...this.ahead, ops: undefined };
    stemeMetrics().ingestAppliedRecords.add(b.counts.applied - this.counts.applied);
    if (b.rejected > 0) stemeMetrics().ingestRejectedRecords.add(b.rejected);
    this.counts = b.counts;
    this.logger.debug('applied a batch', { from_offset: b.fromOffset, applied_through: b.appliedThrough, records: b.records, rejected: b.rejected });
    this.options.onBatch?.({ fromOffset: b.fromOffset, appliedThrough: b.appliedThrough, records: b.records, rejected: b.rejected, payloadBytes: b.payloadBytes });
  }
}
