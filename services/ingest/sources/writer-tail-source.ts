/**
 * A WalSource over the writer's `Tail` stream (separate pods). Every payload's
 * BLAKE3 is checked against the hash the writer sent, and every record must
 * start where the previous one ended. On any disconnect — the writer restarting
 * or killed, a connection reaching its maximum age, a graceful shutdown ending
 * the stream — it reconnects with exponential backoff and resumes Tail from the
 * last delivered record's `nextOffset`: no gaps, no duplicates.
 *
 * TLS (`tls`): the CA and client certificate files are re-read before each
 * reconnection, so a rotated client certificate is used from the next stream
 * on. PERMISSION_DENIED (the reader's certificate lacks the 'reader' role) and
 * UNAUTHENTICATED are not retried: a configuration mistake fails loudly.
 *
 * Flow control: the stream is consumed with `for await`, one message at a
 * time, handed to the caller as one chunk of records (RecordChunks) or record
 * by record; while the caller is busy nothing more is read, so grpc-js and
 * HTTP/2 push back on the writer. A message's records are all checked before
 * any of them is delivered.
 */
import * as grpc from '@grpc/grpc-js';
import { hostname } from 'node:os';
import { blake3 } from '../../../shared/domain/hash';
import { WriterServiceClient, type HeadResponse, type LogRecord, type TailResponse } from '../../../shared/gen/stemedb/v1/writer';
import { callUnary, makeClient } from '../../../shared/grpc/client';
import { ClientTlsReloader, clientTlsChannelOptions } from '../../../shared/grpc/tls';
import type { ClientTlsFiles } from '../../../shared/grpc/tls-options';
import { createLogger, type Logger } from '../../../shared/telemetry/logger';
import { RECORD_HEADER_BYTES } from '../../../shared/wal/limits';
import { RECONNECT_BACKOFF_FACTOR, RECONNECT_BACKOFF_MS_MAX, RECONNECT_BACKOFF_MS_MIN, TAIL_SOURCE_BATCH_BYTES, TAIL_SOURCE_HEAD_DEADLINE_MS } from '../limits';
import { chunkedRecords, type ChunkedRecordStream, type SourceRecord, type SourceRegistration, type WalSource } from '../wal-source';
import { ProgressReporter } from './progress-reporter';

/** Status codes after which reconnecting cannot help: the request itself is wrong. */
const FATAL_CODES: ReadonlySet<grpc.status> = new Set([
  grpc.status.INVALID_ARGUMENT,
  grpc.status.OUT_OF_RANGE,
  grpc.status.DATA_LOSS,
  grpc.status.UNIMPLEMENTED,
  grpc.status.PERMISSION_DENIED,
  grpc.status.UNAUTHENTICATED,
]);

/** A record arrived damaged or out of place; delivering it would corrupt the consumer. */
export class TailIntegrityError extends Error {
  override readonly name = 'TailIntegrityError';
  constructor(
    readonly address: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`Tail from writer ${address}: record at offset ${offset}: ${reason}`);
  }
}

export interface WriterTailSourceOptions {
  /** @default RECONNECT_BACKOFF_MS_MIN */
  readonly backoffMsMin?: number;
  /** @default RECONNECT_BACKOFF_MS_MAX */
  readonly backoffMsMax?: number;
  /** @default createLogger({ component: 'writer-tail-source' }) */
  readonly logger?: Logger;
  /** Dial the writer over TLS with these files. @default plaintext */
  readonly tls?: ClientTlsFiles;
  /**
   * Register with the writer as this consumer and report the applied offset
   * (progress-reporter.ts); null tails anonymously, holding no retention.
   * @default defaultConsumerId(): STEMEDB_CONSUMER_ID, else the host name (the pod name on Kubernetes)
   */
  readonly consumerId?: string | null;
  /** @default PROGRESS_REPORT_INTERVAL_MS */
  readonly progressIntervalMs?: number;
}

/** A reader's consumer id when none is given: `STEMEDB_CONSUMER_ID`, else the host name. */
export function defaultConsumerId(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.STEMEDB_CONSUMER_ID?.trim();
  return fromEnv === undefined || fromEnv === '' ? hostname() : fromEnv;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function isFatal(err: unknown): boolean {
  const code = (err as Partial<grpc.ServiceError>).code;
  return typeof code === 'number' && FATAL_CODES.has(code);
}

export class WriterTailSource implements WalSource {
  private client: WriterServiceClient;
  private readonly tls: ClientTlsReloader | undefined;
  private readonly logger: Logger;
  private readonly backoffMsMin: number;
  private readonly backoffMsMax: number;
  private readonly progress: ProgressReporter | undefined;
  private lastFirstOffset: number | undefined;
  /** Streams opened so far (1 + reconnections), for tests and logs. */
  connects = 0;

  constructor(
    readonly address: string,
    options: WriterTailSourceOptions = {},
  ) {
    this.backoffMsMin = options.backoffMsMin ?? RECONNECT_BACKOFF_MS_MIN;
    this.backoffMsMax = options.backoffMsMax ?? RECONNECT_BACKOFF_MS_MAX;
    this.logger = options.logger ?? createLogger({ component: 'writer-tail-source' });
    this.tls = options.tls === undefined ? undefined : new ClientTlsReloader(options.tls);
    this.client = this.newClient();
    const consumerId = options.consumerId === undefined ? defaultConsumerId() : options.consumerId;
    this.progress = consumerId === null ? undefined : new ProgressReporter(() => this.client, address, consumerId, this.logger, options.progressIntervalMs);
  }

  private newClient(): WriterServiceClient {
    // The channel's own reconnect backoff (grpc-js default: 1 s growing to 120 s) would
    // outlast ours after a writer restart; keep it within the same bounds.
    const channelOptions = { 'grpc.initial_reconnect_backoff_ms': this.backoffMsMin, 'grpc.max_reconnect_backoff_ms': this.backoffMsMax, ...clientTlsChannelOptions(this.tls?.files) };
    return makeClient(WriterServiceClient, this.address, { channelOptions, ...(this.tls === undefined ? {} : { credentials: this.tls.credentials }) });
  }

  /** Before a reconnection: a rotated client certificate or CA means a new channel. */
  private renewIfRotated(): void {
    if (this.tls === undefined || !this.tls.refresh()) return;
    this.client.close();
    this.client = this.newClient();
    this.logger.info('tls files changed; reconnecting with the new certificate', { writer: this.address });
  }

  describe(): string {
    return `writer ${this.address}`;
  }

  async head(signal?: AbortSignal): Promise<number> {
    const res: HeadResponse = await callUnary(this.client.head.bind(this.client), {}, { deadlineMs: TAIL_SOURCE_HEAD_DEADLINE_MS, ...(signal === undefined ? {} : { signal }) });
    this.lastFirstOffset = Number(res.firstOffset);
    return Number(res.headOffset);
  }

  committed(appliedOffset: number): void {
    this.progress?.committed(appliedOffset);
  }

  registration(): SourceRegistration | undefined {
    if (this.progress === undefined) return undefined;
    const r = this.progress.registration();
    const first = this.lastFirstOffset ?? r.writerFirstOffset;
    return first === undefined ? r : { ...r, writerFirstOffset: first };
  }

  records(fromOffset: number, signal: AbortSignal): ChunkedRecordStream {
    return chunkedRecords(() => this.messages(fromOffset, signal));
  }

  /** Each Tail message's records, checked, as one chunk; reconnecting after any disconnect. */
  private async *messages(fromOffset: number, signal: AbortSignal): AsyncGenerator<SourceRecord[], void, undefined> {
    let cursor = fromOffset;
    let backoffMs = this.backoffMsMin;
    // The caller tails from what it has applied: that is the cursor to register.
    this.progress?.committed(fromOffset);
    while (!signal.aborted) {
      if (this.connects > 0) this.renewIfRotated();
      this.connects += 1;
      // Register (or refresh) before reading: a lagging reader holds retention from its first connection.
      await this.progress?.register();
      const call = this.client.tail({ fromOffset: BigInt(cursor), maxBatchBytes: TAIL_SOURCE_BATCH_BYTES });
      const onAbort = (): void => call.cancel();
      signal.addEventListener('abort', onAbort, { once: true });
      let reason: unknown;
      try {
        for await (const message of call as AsyncIterable<TailResponse>) {
          const { good, refused } = this.checked(message.records, cursor);
          if (good.length > 0) {
            yield good;
            cursor = good[good.length - 1]!.nextOffset;
            backoffMs = this.backoffMsMin; // progress: the next outage starts from the shortest wait
          }
          if (refused !== undefined) throw refused;
        }
        reason = 'the stream ended (writer shutting down or connection aged out)';
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof TailIntegrityError || isFatal(err)) throw err;
        reason = err;
      } finally {
        signal.removeEventListener('abort', onAbort);
        call.cancel();
      }
      if (signal.aborted) return;
      this.logger.warn('tail interrupted; reconnecting', { writer: this.address, resume_offset: cursor, backoff_ms: backoffMs, reason: reason instanceof Error ? reason.message : String(reason) });
      await pause(backoffMs, signal);
      backoffMs = Math.min(this.backoffMsMax, backoffMs * RECONNECT_BACKOFF_FACTOR);
    }
  }

  /**
   * One message's records, each checked in place (the first must be at
   * `expected`): the good ones up to the first refused, which is delivered
   * first, and the refusal.
   */
  private checked(records: readonly LogRecord[], expected: number): { good: SourceRecord[]; refused?: TailIntegrityError } {
    const good: SourceRecord[] = [];
    let at = expected;
    for (const r of records) {
      const record = this.check(r.offset, r.payload, r.payloadHash, at);
      if (record instanceof TailIntegrityError) return { good, refused: record };
      good.push(record);
      at = record.nextOffset;
    }
    return { good };
  }

  /** A record to deliver, after checking its place in the log and its BLAKE3; else why not. */
  private check(offsetWire: bigint, payload: Buffer, hash: Buffer, expected: number): SourceRecord | TailIntegrityError {
    const offset = Number(offsetWire);
    if (offset !== expected) return new TailIntegrityError(this.address, offset, `expected the record at ${expected} (a gap or a repeat)`);
    if (!blake3(payload).equals(hash)) return new TailIntegrityError(this.address, offset, 'payload does not match its BLAKE3');
    return { offset, payload, hash, nextOffset: offset + RECORD_HEADER_BYTES + payload.length };
  }

  async close(): Promise<void> {
    this.progress?.stop();
    this.client.close();
  }
}
