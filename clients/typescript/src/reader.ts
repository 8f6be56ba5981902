/**
 * ReaderClient: every ReaderService call, with read-your-writes (a shared
 * Session's last receipt offset is sent as min_offset unless the call says
 * otherwise), streamed History and paged BySource / ListEscalations as async
 * iterators, and Watch with automatic resume (watch.ts). Reads retry on
 * UNAVAILABLE only: a DEADLINE_EXCEEDED is an answer (the offset was not
 * reached in time; the message names it and the log head).
 */
import * as grpc from '@grpc/grpc-js';
import {
  Lens,
  ReaderServiceClient,
  type Escalation,
  type HistoryResponse,
  type QueryOptions as PbQueryOptions,
  type Resolution,
  type StatusResponse,
  type StoredAssertion,
} from '../../../shared/gen/stemedb/v1/reader';
import { toRpcError } from './errors';
import { callWithRetry, connect, type CallOptions, type ConnectOptions } from './rpc';
import { Session } from './session';
import { watch, type WatchEvent, type WatchOptions } from './watch';

export type LensName = 'consensus' | 'recency' | 'authority' | 'threshold';

const LENS: Readonly<Record<LensName, Lens>> = { consensus: Lens.LENS_CONSENSUS, recency: Lens.LENS_RECENCY, authority: Lens.LENS_AUTHORITY, threshold: Lens.LENS_THRESHOLD };

/** Options every query takes (QueryOptions in reader.proto). */
export interface QueryOptions {
  readonly lens?: LensName;
  /** Wait until the record at this offset is applied. @default the session's last receipt; `null` = do not wait */
  readonly minOffset?: number | null;
  /** Answer as the graph stood before this log offset. */
  readonly asOfOffset?: number;
  readonly epoch?: string;
  readonly trustPackId?: Buffer;
  readonly includeSuperseded?: boolean;
  readonly minShare?: number;
}

export interface ReaderClientOptions extends ConnectOptions {
  /** Shared with a WriterClient for read-your-writes. @default a new Session */
  readonly session?: Session;
}

export interface Answer {
  readonly resolution: Resolution;
  readonly servedAtOffset: number;
  readonly fromMaterializedView?: boolean;
}

export interface Paged {
  /** 1..1000; 0 = the server's default (100). */
  readonly pageSize?: number;
}

const READ_RETRY: readonly grpc.status[] = [grpc.status.UNAVAILABLE];

export class ReaderClient {
  readonly session: Session;
  private readonly client: ReaderServiceClient;

  constructor(
    readonly address: string,
    private readonly options: ReaderClientOptions = {},
  ) {
    this.session = options.session ?? new Session();
    this.client = connect(ReaderServiceClient, address, options);
  }

  /** The wait offset a query sends: its own, else the session's. */
  private minOffsetOf(q: { minOffset?: number | null }): bigint | undefined {
    const m = q.minOffset === undefined ? this.session.minOffset : q.minOffset;
    return m === null || m === undefined ? undefined : BigInt(m);
  }

  /** QueryOptions on the wire. */
  wireOptions(q: QueryOptions = {}): PbQueryOptions {
    const minOffset = this.minOffsetOf(q);
    return {
      lens: q.lens === undefined ? Lens.LENS_UNSPECIFIED : LENS[q.lens],
      ...(minOffset === undefined ? {} : { minOffset }),
      ...(q.asOfOffset === undefined ? {} : { asOfOffset: BigInt(q.asOfOffset) }),
      epoch: q.epoch ?? '',
      trustPackId: q.trustPackId ?? Buffer.alloc(0),
      includeSuperseded: q.includeSuperseded ?? false,
      ...(q.minShare === undefined ? {} : { minShare: q.minShare }),
    };
  }

  private call<Req, Res>(name: string, method: Parameters<typeof callWithRetry<Req, Res>>[1], request: Req, call: CallOptions): Promise<Res> {
    return callWithRetry(name, method, request, this.options, { retryOn: READ_RETRY, ...call });
  }

  async resolve(subject: string, predicate: string, q: QueryOptions = {}, call: CallOptions = {}): Promise<Answer> {
    const res = await this.call('Resolve', this.client.resolve.bind(this.client), { subject, predicate, options: this.wireOptions(q) }, call);
    return { resolution: res.resolution!, servedAtOffset: Number(res.servedAtOffset), fromMaterializedView: res.fromMaterializedView };
  }

  async explain(subject: string, predicate: string, q: QueryOptions = {}, call: CallOptions = {}): Promise<Answer> {
    const res = await this.call('Explain', this.client.explain.bind(this.client), { subject, predicate, options: this.wireOptions(q) }, call);
    return { resolution: res.resolution!, servedAtOffset: Number(res.servedAtOffset) };
  }

  /** Every predicate of a subject, resolved at one offset. */
  async resolveSubject(subject: string, q: QueryOptions = {}, call: CallOptions = {}): Promise<{ resolutions: Resolution[]; servedAtOffset: number }> {
    const res = await this.call('ResolveSubject', this.client.resolveSubject.bind(this.client), { subject, options: this.wireOptions(q) }, call);
    return { resolutions: res.resolutions, servedAtOffset: Number(res.servedAtOffset) };
  }

  /** One assertion with signers, votes and supersession (NOT_FOUND when unknown). */
  async getAssertion(id: Buffer, q: Pick<QueryOptions, 'minOffset' | 'asOfOffset'> = {}, call: CallOptions = {}): Promise<{ assertion: StoredAssertion; servedAtOffset: number }> {
    const minOffset = this.minOffsetOf(q);
    const request = { id, ...(minOffset === undefined ? {} : { minOffset }), ...(q.asOfOffset === undefined ? {} : { asOfOffset: BigInt(q.asOfOffset) }) };
    const res = await this.call('GetAssertion', this.client.getAssertion.bind(this.client), request, call);
    return { assertion: res.assertion!, servedAtOffset: Number(res.servedAtOffset) };
  }

  /** A pair's assertions in log order (streamed pages), each with the offset the listing is served at. */
  async *history(subject: string, predicate: string, q: QueryOptions & Paged = {}, call: { signal?: AbortSignal } = {}): AsyncGenerator<{ assertion: StoredAssertion; servedAtOffset: number }> {
    const stream = this.client.history({ subject, predicate, options: this.wireOptions(q), pageSize: q.pageSize ?? 0 });
    const onAbort = (): void => stream.cancel();
    call.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const page of stream as AsyncIterable<HistoryResponse>) {
        for (const assertion of page.assertions) yield { assertion, servedAtOffset: Number(page.servedAtOffset) };
      }
    } catch (err) {
      throw toRpcError(err, 'History');
    } finally {
      call.signal?.removeEventListener('abort', onAbort);
      stream.cancel();
    }
  }

  /** Assertions citing one evidence hash, following page tokens. */
  async *bySource(sourceHash: Buffer, q: Pick<QueryOptions, 'minOffset' | 'asOfOffset'> & Paged = {}, call: CallOptions = {}): AsyncGenerator<{ assertion: StoredAssertion; servedAtOffset: number }> {
    let pageToken = '';
    // Every page after the first is read as of the first page's offset, so the listing is one consistent snapshot.
    let asOf = q.asOfOffset;
    let minOffset = this.minOffsetOf(q);
    do {
      const request = { sourceHash, pageSize: q.pageSize ?? 0, pageToken, ...(minOffset === undefined ? {} : { minOffset }), ...(asOf === undefined ? {} : { asOfOffset: BigInt(asOf) }) };
      const res = await this.call('BySource', this.client.bySource.bind(this.client), request, call);
      asOf = Number(res.servedAtOffset);
      minOffset = undefined;
      for (const assertion of res.assertions) yield { assertion, servedAtOffset: asOf };
      pageToken = res.nextPageToken;
    } while (pageToken !== '');
  }

  /** Contested pairs in log order (all subjects, or one), following page tokens. */
  async *escalations(q: { subject?: string; minOffset?: number | null } & Paged = {}, call: CallOptions = {}): AsyncGenerator<{ escalation: Escalation; servedAtOffset: number }> {
    let pageToken = '';
    let minOffset = this.minOffsetOf(q);
    do {
      const request = { subject: q.subject ?? '', pageSize: q.pageSize ?? 0, pageToken, ...(minOffset === undefined ? {} : { minOffset }) };
      const res = await this.call('ListEscalations', this.client.listEscalations.bind(this.client), request, call);
      minOffset = undefined;
      for (const escalation of res.escalations) yield { escalation, servedAtOffset: Number(res.servedAtOffset) };
      pageToken = res.nextPageToken;
    } while (pageToken !== '');
  }

  /** The current resolution, then each change, resuming by offset across reconnects (see watch.ts). */
  watch(subject: string, predicate: string, q: Omit<QueryOptions, 'asOfOffset'> = {}, options: WatchOptions = {}): AsyncGenerator<WatchEvent> {
    return watch(this.client, { subject, predicate, options: this.wireOptions(q) }, options);
  }

  async status(call: CallOptions = {}): Promise<StatusResponse> {
    return this.call('Status', this.client.status.bind(this.client), {}, call);
  }

  close(): void {
    this.client.close();
  }
}
