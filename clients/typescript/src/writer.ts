/**
 * WriterClient: append records (one, a batch, or a flow-controlled stream),
 * read the head, and tail the log with automatic resume. Appends retry on
 * UNAVAILABLE and DEADLINE_EXCEEDED and after a quota's retry-after: a
 * record is content-addressed, so sending it again never changes the graph
 * (the same id with the same signers is one assertion), and with idempotent
 * appends the writer answers with the original receipt. Every receipt is
 * noted in the client's Session for read-your-writes.
 */
import * as grpc from '@grpc/grpc-js';
import { recordToProto } from '../../../shared/domain/proto-convert';
import type { StemeRecord } from '../../../shared/domain/types';
import { WriterServiceClient, type TailResponse } from '../../../shared/gen/stemedb/v1/writer';
import { AppendStream, type AppendStreamOptions } from './append-stream';
import { headFromWire, logRecordFromWire, receiptFromWire } from './convert';
import { StemeRpcError, toRpcError } from './errors';
import { APPEND_BATCH_RECORDS_MAX, STREAM_RECONNECTS_MAX } from './limits';
import { backoffMs, callWithRetry, connect, isAborted, sleep, type CallOptions, type ConnectOptions } from './rpc';
import { Session } from './session';
import type { Head, LogRecordView, Receipt } from './types';

/** Status codes after which an append is sent again. */
export const APPEND_RETRY_CODES: readonly grpc.status[] = [grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED];

export interface WriterClientOptions extends ConnectOptions {
  /** Shared with ReaderClients for read-your-writes. @default a new Session */
  readonly session?: Session;
  /** Wait out a quota's retry-after (RESOURCE_EXHAUSTED) and send again. @default true */
  readonly retryQuota?: boolean;
}

export interface TailOptions {
  readonly signal?: AbortSignal;
  /** Payload bytes per response; 0 = the server's default. */
  readonly maxBatchBytes?: number;
  /** Stop once the stream reaches this offset (e.g. the head when the tail started). */
  readonly untilOffset?: number;
}

export class WriterClient {
  readonly session: Session;
  private readonly client: WriterServiceClient;

  constructor(
    readonly address: string,
    private readonly options: WriterClientOptions = {},
  ) {
    this.session = options.session ?? new Session();
    this.client = connect(WriterServiceClient, address, options);
  }

  /** Append one signed record; resolves once it is durable. */
  async append(record: StemeRecord, call: CallOptions = {}): Promise<Receipt> {
    const res = await callWithRetry('Append', this.client.append.bind(this.client), { record: recordToProto(record) }, this.options, { retryOn: APPEND_RETRY_CODES, retryQuota: this.options.retryQuota ?? true, ...call });
    return this.noted(receiptFromWire(res.receipt, 'Append'));
  }

  /** Append up to 1024 records atomically (all or none); receipts in order. */
  async appendBatch(records: readonly StemeRecord[], call: CallOptions = {}): Promise<Receipt[]> {
    if (records.length === 0 || records.length > APPEND_BATCH_RECORDS_MAX) throw new RangeError(`appendBatch: 1..${APPEND_BATCH_RECORDS_MAX} records (got ${records.length})`);
    const res = await callWithRetry('AppendBatch', this.client.appendBatch.bind(this.client), { records: records.map(recordToProto) }, this.options, { retryOn: APPEND_RETRY_CODES, retryQuota: this.options.retryQuota ?? true, ...call });
    return res.receipts.map((r) => this.noted(receiptFromWire(r, 'AppendBatch')));
  }

  /** A bidirectional append stream: `append(record)` resolves with that record's receipt. See AppendStream. */
  appendStream(options: AppendStreamOptions = {}): AppendStream {
    return new AppendStream(() => this.client.appendStream(), (r) => this.noted(r), { attemptsMax: this.options.attemptsMax, ...options });
  }

  async head(call: CallOptions = {}): Promise<Head> {
    return headFromWire(await callWithRetry('Head', this.client.head.bind(this.client), {}, this.options, { retryOn: [grpc.status.UNAVAILABLE], ...call }));
  }

  /**
   * Log records from `fromOffset` (a record boundary) on, following appends,
   * reconnecting from the next offset when the stream ends or breaks
   * (connection recycling, a writer restart), so no record is missed or repeated.
   */
  async *tail(fromOffset: number, options: TailOptions = {}): AsyncGenerator<LogRecordView> {
    let next = fromOffset;
    let failures = 0;
    while (options.signal?.aborted !== true && (options.untilOffset === undefined || next < options.untilOffset)) {
      const stream = this.client.tail({ fromOffset: BigInt(next), maxBatchBytes: options.maxBatchBytes ?? 0 });
      const onAbort = (): void => stream.cancel();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      let received = false;
      try {
        for await (const message of stream as AsyncIterable<TailResponse>) {
          received = true;
          failures = 0;
          for (const r of message.records) {
            const view = logRecordFromWire(r);
            next = view.nextOffset;
            yield view;
            if (options.untilOffset !== undefined && next >= options.untilOffset) return;
          }
        }
      } catch (raw) {
        const err = toRpcError(raw, 'Tail');
        if (isAborted(options.signal)) return;
        if (!(err instanceof StemeRpcError) || err.code !== grpc.status.UNAVAILABLE || ++failures > STREAM_RECONNECTS_MAX) throw err;
        await sleep(backoffMs(failures), options.signal).catch(() => undefined);
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
        stream.cancel();
      }
      // A stream that ended (server drain) without a message: reconnect after a backoff, within the budget.
      if (!received && !isAborted(options.signal)) {
        if (++failures > STREAM_RECONNECTS_MAX) throw new StemeRpcError(grpc.status.UNAVAILABLE, 'UNAVAILABLE', `the Tail stream ended ${failures} times in a row without a record`, undefined, undefined, undefined, 'Tail');
        await sleep(backoffMs(failures), options.signal).catch(() => undefined);
      }
    }
  }

  close(): void {
    this.client.close();
  }

  private noted(r: Receipt): Receipt {
    this.session.observe(r.offset);
    return r;
  }
}
