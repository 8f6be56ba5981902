/**
 * AppendStream: the writer's high-rate path with flow control and resend.
 *
 * `append(record)` resolves with the record's receipt (or rejects with that
 * record's StemeRpcError, field named as for a single append:
 * `record.assertion.confidence`). Records appended in the same turn of the
 * event loop travel together in one multi-record request (the `batch` shape,
 * at most `messageRecordsMax` records each), which the writer admits as one
 * batch and answers record by record; a lone record goes in the single-record
 * shape. At most `inFlightMax` records are outstanding (queued or sent, not
 * yet answered): past that, `append` waits for answers first, and sending
 * also waits while grpc-js's send buffer is full. If the stream breaks
 * (UNAVAILABLE: a writer restart, connection recycling), a new stream is
 * opened and every unanswered request is sent again in order; resending is
 * safe because records are content-addressed (see WriterClient). A
 * whole-request refusal (quota, overload) rejects each record of it with
 * that error. `close()` ends the stream once every outstanding record is
 * answered.
 */
import * as grpc from '@grpc/grpc-js';
import { recordToProto } from '../../../shared/domain/proto-convert';
import type { StemeRecord } from '../../../shared/domain/types';
import type { AppendError, AppendStreamRequest, AppendStreamResponse } from '../../../shared/gen/stemedb/v1/writer';
import type { Record as PbRecord } from '../../../shared/gen/stemedb/v1/records';
import { receiptFromWire } from './convert';
import { StemeRpcError, toRpcError } from './errors';
import { APPEND_STREAM_IN_FLIGHT_MAX, APPEND_STREAM_MESSAGE_RECORDS_DEFAULT, APPEND_STREAM_MESSAGE_RECORDS_MAX, RETRY_ATTEMPTS_MAX } from './limits';
import { backoffMs, sleep } from './rpc';
import type { Receipt } from './types';

export interface AppendStreamOptions {
  /** Records queued or sent and not yet answered before `append` waits. @default APPEND_STREAM_IN_FLIGHT_MAX */
  readonly inFlightMax?: number;
  /** Records per request (1..APPEND_STREAM_MESSAGE_RECORDS_MAX). @default APPEND_STREAM_MESSAGE_RECORDS_DEFAULT */
  readonly messageRecordsMax?: number;
  /** Streams opened in a row without an answer before outstanding records fail. @default RETRY_ATTEMPTS_MAX */
  readonly attemptsMax?: number | undefined;
}

interface Waiter {
  readonly record: PbRecord;
  resolve(r: Receipt): void;
  reject(err: unknown): void;
}

interface Pending {
  readonly sequence: bigint;
  readonly request: AppendStreamRequest;
  readonly waiters: readonly Waiter[];
}

type Duplex = grpc.ClientDuplexStream<AppendStreamRequest, AppendStreamResponse>;

/** An in-stream AppendError as the error Append would have thrown; a batch index in the field becomes `record`. */
function appendError(e: AppendError | undefined): StemeRpcError {
  const code = e?.code ?? grpc.status.UNKNOWN;
  const field = e === undefined || e.field === '' ? undefined : e.field.replace(/^batch\.records\[\d+\]/, 'record');
  return new StemeRpcError(code, grpc.status[code] ?? String(code), e?.message ?? 'no result', field, undefined, undefined, 'AppendStream');
}

export class AppendStream {
  private stream: Duplex | undefined;
  private readonly pending = new Map<bigint, Pending>();
  private queued: Waiter[] = [];
  private flushScheduled = false;
  private sending: Promise<void> = Promise.resolve();
  private outstanding = 0;
  private nextSequence = 1n;
  private waiters: (() => void)[] = [];
  private failed: unknown;
  private closing = false;
  private reopenFailures = 0;
  private readonly inFlightMax: number;
  private readonly messageRecordsMax: number;
  private readonly attemptsMax: number;

  constructor(
    private readonly open: () => Duplex,
    private readonly onReceipt: (r: Receipt) => Receipt,
    options: AppendStreamOptions,
  ) {
    this.inFlightMax = Math.max(1, options.inFlightMax ?? APPEND_STREAM_IN_FLIGHT_MAX);
    this.messageRecordsMax = Math.min(APPEND_STREAM_MESSAGE_RECORDS_MAX, Math.max(1, options.messageRecordsMax ?? APPEND_STREAM_MESSAGE_RECORDS_DEFAULT));
    this.attemptsMax = Math.max(1, options.attemptsMax ?? RETRY_ATTEMPTS_MAX);
  }

  /** Records queued or sent and not yet answered. */
  get inFlight(): number {
    return this.outstanding;
  }

  async append(record: StemeRecord): Promise<Receipt> {
    if (this.closing) throw new Error('AppendStream: append after close()');
    while (this.outstanding >= this.inFlightMax && this.failed === undefined) await new Promise<void>((r) => this.waiters.push(r));
    if (this.failed !== undefined) throw this.failed;
    const wire = recordToProto(record);
    this.outstanding += 1;
    const result = new Promise<Receipt>((resolve, reject) => this.queued.push({ record: wire, resolve, reject }));
    if (this.queued.length >= this.messageRecordsMax) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      // After this turn of the event loop: every record appended in it joins the request.
      setImmediate(() => this.flush());
    }
    return result;
  }

  /** Resolves once every outstanding record is answered, then ends the stream. */
  async close(): Promise<void> {
    this.closing = true;
    this.flush();
    while (this.outstanding > 0 && this.failed === undefined) await new Promise<void>((r) => this.waiters.push(r));
    this.stream?.end();
    this.stream = undefined;
  }

  /** Turn the queued records into requests (at most messageRecordsMax each) and send them in order. */
  private flush(): void {
    this.flushScheduled = false;
    while (this.queued.length > 0) {
      const waiters = this.queued.splice(0, this.messageRecordsMax);
      const sequence = this.nextSequence++;
      const request: AppendStreamRequest =
        waiters.length === 1 ? { sequence, record: waiters[0]!.record } : { sequence, record: undefined, batch: { records: waiters.map((w) => w.record) } };
      this.pending.set(sequence, { sequence, request, waiters });
      this.sending = this.sending.then(() => this.send(request));
    }
  }

  private wakeAll(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private current(): Duplex {
    if (this.stream !== undefined) return this.stream;
    const s = this.open();
    this.stream = s;
    s.on('data', (m: AppendStreamResponse) => this.onMessage(m));
    s.on('error', (e: unknown) => void this.onBroken(s, e));
    s.on('end', () => void this.onBroken(s, undefined));
    return s;
  }

  private async send(request: AppendStreamRequest): Promise<void> {
    if (this.failed !== undefined || !this.pending.has(request.sequence)) return;
    const s = this.current();
    if (!s.write(request)) await new Promise<void>((r) => s.once('drain', () => r()));
  }

  private settle(w: Waiter, result: AppendStreamResponse['result']): void {
    if (result?.$case !== 'receipt') return w.reject(appendError(result?.value));
    try {
      w.resolve(this.onReceipt(receiptFromWire(result.value, 'AppendStream')));
    } catch (err) {
      w.reject(err);
    }
  }

  private onMessage(m: AppendStreamResponse): void {
    this.reopenFailures = 0;
    const p = this.pending.get(m.sequence);
    if (p === undefined) return;
    this.pending.delete(m.sequence);
    this.outstanding -= p.waiters.length;
    const results = m.results?.results;
    if (results !== undefined && m.result === undefined) {
      p.waiters.forEach((w, i) => this.settle(w, results[i]?.result));
    } else {
      // A single-record answer, or a whole-request refusal: the same outcome for each record of it.
      for (const w of p.waiters) this.settle(w, m.result);
    }
    this.wakeAll();
  }

  /** The stream ended or failed: resend what is unanswered on a new one, or fail it all. */
  private async onBroken(s: Duplex, raw: unknown): Promise<void> {
    if (this.stream !== s) return;
    this.stream = undefined;
    if (this.pending.size === 0) return;
    const err = raw === undefined ? new StemeRpcError(grpc.status.UNAVAILABLE, 'UNAVAILABLE', 'the stream ended with records unanswered', undefined, undefined, undefined, 'AppendStream') : toRpcError(raw, 'AppendStream');
    const retryable = err instanceof StemeRpcError && (err.code === grpc.status.UNAVAILABLE || err.code === grpc.status.DEADLINE_EXCEEDED);
    if (!retryable || ++this.reopenFailures >= this.attemptsMax) return this.failAll(err);
    await sleep(backoffMs(this.reopenFailures));
    const resend = [...this.pending.values()].sort((a, b) => (a.sequence < b.sequence ? -1 : 1));
    for (const p of resend) await this.send(p.request);
  }

  private failAll(err: unknown): void {
    this.failed = err;
    for (const p of this.pending.values()) for (const w of p.waiters) w.reject(err);
    this.pending.clear();
    for (const w of this.queued) w.reject(err);
    this.queued = [];
    this.outstanding = 0;
    this.wakeAll();
  }
}
