/**
 * AppendStream: the writer's high-rate path with flow control and resend.
 *
 * `append(record)` sends the record with the next sequence number and resolves
 * with its receipt (or rejects with that record's StemeRpcError, field named).
 * At most `inFlightMax` records are outstanding: past that, `append` waits for
 * an answer first, and it also waits while grpc-js's send buffer is full. If
 * the stream breaks (UNAVAILABLE: a writer restart, connection recycling), a
 * new stream is opened and every unanswered record is sent again in order;
 * resending is safe because records are content-addressed (see WriterClient).
 * `close()` ends the stream once every outstanding record is answered.
 */
import * as grpc from '@grpc/grpc-js';
import { recordToProto } from '../../../shared/domain/proto-convert';
import type { StemeRecord } from '../../../shared/domain/types';
import type { AppendStreamRequest, AppendStreamResponse } from '../../../shared/gen/stemedb/v1/writer';
import { receiptFromWire } from './convert';
import { StemeRpcError, toRpcError } from './errors';
import { APPEND_STREAM_IN_FLIGHT_MAX, RETRY_ATTEMPTS_MAX } from './limits';
import { backoffMs, sleep } from './rpc';
import type { Receipt } from './types';

export interface AppendStreamOptions {
  /** Records sent and not yet answered before `append` waits. @default APPEND_STREAM_IN_FLIGHT_MAX */
  readonly inFlightMax?: number;
  /** Streams opened in a row without an answer before outstanding records fail. @default RETRY_ATTEMPTS_MAX */
  readonly attemptsMax?: number | undefined;
}

interface Pending {
  readonly sequence: bigint;
  readonly request: AppendStreamRequest;
  resolve(r: Receipt): void;
  reject(err: unknown): void;
}

type Duplex = grpc.ClientDuplexStream<AppendStreamRequest, AppendStreamResponse>;

export class AppendStream {
  private stream: Duplex | undefined;
  private readonly pending = new Map<bigint, Pending>();
  private nextSequence = 1n;
  private waiters: (() => void)[] = [];
  private failed: unknown;
  private closing = false;
  private reopenFailures = 0;
  private readonly inFlightMax: number;
  private readonly attemptsMax: number;

  constructor(
    private readonly open: () => Duplex,
    private readonly onReceipt: (r: Receipt) => Receipt,
    options: AppendStreamOptions,
  ) {
    this.inFlightMax = Math.max(1, options.inFlightMax ?? APPEND_STREAM_IN_FLIGHT_MAX);
    this.attemptsMax = Math.max(1, options.attemptsMax ?? RETRY_ATTEMPTS_MAX);
  }

  /** Records sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  async append(record: StemeRecord): Promise<Receipt> {
    if (this.closing) throw new Error('AppendStream: append after close()');
    while (this.pending.size >= this.inFlightMax && this.failed === undefined) await new Promise<void>((r) => this.waiters.push(r));
    if (this.failed !== undefined) throw this.failed;
    const sequence = this.nextSequence++;
    const request: AppendStreamRequest = { sequence, record: recordToProto(record) };
    const result = new Promise<Receipt>((resolve, reject) => this.pending.set(sequence, { sequence, request, resolve, reject }));
    await this.send(request);
    return result;
  }

  /** Resolves once every outstanding record is answered, then ends the stream. */
  async close(): Promise<void> {
    this.closing = true;
    while (this.pending.size > 0 && this.failed === undefined) await new Promise<void>((r) => this.waiters.push(r));
    this.stream?.end();
    this.stream = undefined;
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
    const s = this.current();
    if (!s.write(request)) await new Promise<void>((r) => s.once('drain', () => r()));
  }

  private onMessage(m: AppendStreamResponse): void {
    this.reopenFailures = 0;
    const p = this.pending.get(m.sequence);
    if (p === undefined) return;
    this.pending.delete(m.sequence);
    if (m.result?.$case === 'receipt') {
      try {
        p.resolve(this.onReceipt(receiptFromWire(m.result.value, 'AppendStream')));
      } catch (err) {
        p.reject(err);
      }
    } else {
      const e = m.result?.value;
      const code = e?.code ?? grpc.status.UNKNOWN;
      p.reject(new StemeRpcError(code, grpc.status[code] ?? String(code), e?.message ?? 'no result', e?.field === '' ? undefined : e?.field, undefined, undefined, 'AppendStream'));
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
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.wakeAll();
  }
}
