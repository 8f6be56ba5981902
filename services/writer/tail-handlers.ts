/**
 * Tail and Head. Tail streams raw log records from any record boundary and
 * then follows new appends live: it sleeps on the WAL's head waiters (woken by
 * each group commit, no polling). Memory is bounded writer-wide (tail-budget.ts):
 * past TAIL_STREAMS_MAX streams a new one is RESOURCE_EXHAUSTED; each batch is
 * cut to the stream's share of TAIL_BUFFERED_BYTES_MAX; and a stream reads its
 * next batch only while at most one earlier message is still unsent, so a
 * consumer that stops reading pauses its stream holding two batches at most.
 */
import { ValidationError } from '../../shared/domain/errors';
import type { HeadRequest, HeadResponse, LogRecord, TailRequest, TailResponse } from '../../shared/gen/stemedb/v1/writer';
import type { ServerStreamFn, StreamContext, StreamWriter, UnaryFn } from '../../shared/grpc/handlers';
import { WalOffsetError, type ReadChecks, type WalRecord } from '../../shared/wal';
import type { WriterDeps } from './deps';
import { TAIL_BATCH_BYTES_DEFAULT, TAIL_BATCH_BYTES_MAX } from './limits';
import { TailBudget, type TailStreamBudget } from './tail-budget';
import { isLogUnwritable } from './writer-log';
import { headRetention } from './consumer-handlers';

const FROM_OFFSET_FIELD = 'from_offset';

/**
 * Tail reads check each frame's CRC32C (it covers the stored BLAKE3 and the
 * payload, so damage on disk is DATA_LOSS here as before) but do not hash the
 * payload again: the stored BLAKE3 goes out with the record and the reader
 * checks it on receipt (writer-tail-source.ts), end to end.
 */
const TAIL_READ_CHECKS: ReadChecks = { hash: false };

/** A WalOffsetError for the client's `from_offset` (mapped like any WalOffsetError, with the field named). */
class FromOffsetError extends WalOffsetError {
  readonly field = FROM_OFFSET_FIELD;
}

/** The request's offset as a number: INVALID_ARGUMENT when negative or past the largest log offset. */
export function requestOffset(value: bigint, field: string): number {
  if (value < 0n) throw new ValidationError(field, `must not be negative (got ${value})`);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ValidationError(field, `is past the largest log offset (got ${value})`);
  return Number(value);
}

/** Payload bytes per response for a requested `max_batch_bytes` (0 = the default, capped at the maximum). */
export function tailBatchBytes(requested: number): number {
  return requested === 0 ? TAIL_BATCH_BYTES_DEFAULT : Math.min(requested, TAIL_BATCH_BYTES_MAX);
}

function logRecordOf(r: WalRecord): LogRecord {
  return { offset: BigInt(r.offset), payload: r.payload, payloadHash: r.hash };
}

function payloadBytes(records: readonly WalRecord[]): number {
  let n = 0;
  for (const r of records) n += r.payload.length;
  return n;
}

export function tailHandler(deps: WriterDeps, budget: TailBudget = deps.tailBudget ?? new TailBudget()): ServerStreamFn<TailRequest, TailResponse> {
  return async (request, out, ctx) => {
    const from = requestOffset(request.fromOffset, FROM_OFFSET_FIELD);
    const bytesMax = tailBatchBytes(request.maxBatchBytes);
    const lease = budget.open();
    try {
      await follow(deps, lease, { from, bytesMax }, out, ctx);
    } finally {
      lease.close();
    }
  };
}

async function follow(deps: WriterDeps, lease: TailStreamBudget, ask: { from: number; bytesMax: number }, out: StreamWriter<TailResponse>, ctx: StreamContext): Promise<void> {
  const { from, bytesMax } = ask;
  const stop = AbortSignal.any([ctx.signal, ctx.draining]);
  const drained = new Promise<false>((resolve) => {
    if (ctx.draining.aborted) resolve(false);
    else ctx.draining.addEventListener('abort', () => resolve(false), { once: true });
  });
  let cursor = from;
  let first = true;
  let unsent: Promise<void> = Promise.resolve();
  for (;;) {
    try {
      await deps.log.waitFor(cursor + 1, stop);
    } catch (err) {
      if (stop.aborted || isLogUnwritable(err)) return; // cancelled, shutting down, or the log closed
      throw err;
    }
    const slot = lease.take(bytesMax);
    let records: WalRecord[];
    try {
      records = await deps.log.readFrom(cursor, slot.bytes, TAIL_READ_CHECKS);
    } catch (err) {
      slot.release();
      // Only the client's own offset can be off a boundary; later cursors come from the log itself.
      if (first && err instanceof WalOffsetError) throw new FromOffsetError(err.kind, err.offset, err.firstOffset, err.headOffset);
      throw err;
    }
    first = false;
    slot.resize(payloadBytes(records));
    // At shutdown stop waiting on a consumer that does not read; the call then ends with OK.
    // While the previous message is unsent (the consumer is not reading), this one waits: back-pressure.
    const ready = await Promise.race([unsent.then(() => true), drained]);
    if (!ready) {
      slot.release();
      return;
    }
    let sent: () => void = () => undefined;
    unsent = new Promise<void>((resolve) => (sent = resolve));
    const message = { records: records.map(logRecordOf), headOffset: BigInt(deps.log.headOffset) };
    const written = await Promise.race([
      out.writeTracked(message, () => {
        slot.release();
        sent();
      }).then(() => true),
      drained,
    ]);
    if (!written) return;
    cursor = records[records.length - 1]!.nextOffset;
  }
}

export function headHandler(deps: WriterDeps): UnaryFn<HeadRequest, HeadResponse> {
  return () => ({
    headOffset: BigInt(deps.log.headOffset),
    firstOffset: BigInt(deps.log.firstOffset),
    segments: deps.log.segments().map((s) => ({ baseOffset: BigInt(s.baseOffset), endOffset: BigInt(s.endOffset), fileName: s.fileName })),
    ...headRetention(deps),
  });
}
