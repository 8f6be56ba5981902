/**
 * Loads the demo graph through the writer's gRPC API — only into an empty log,
 * so rerunning `stemedb dev` on existing data keeps it as it is — and waits for
 * the reader to apply the log up to the writer's head. Loads grpc-js. Failed
 * calls reject with RpcError (status code, details, field).
 */
import { recordToProto } from '../../shared/domain/proto-convert';
import { ReaderServiceClient } from '../../shared/gen/stemedb/v1/reader';
import { WriterServiceClient } from '../../shared/gen/stemedb/v1/writer';
import { callUnary, hasStatus, makeClient } from '../../shared/grpc/client';
import { withSpan } from '../../shared/telemetry/tracing';
import { status } from '@grpc/grpc-js';
import { rpcErrorOf } from '../writer/client';
import { buildDemoGraph } from './demo-graph';
import { CatchUpTimeoutError } from './errors';
import { DEV_CALL_DEADLINE_MS, READER_CATCH_UP_TIMEOUT_MS, READER_POLL_INTERVAL_MS } from './limits';

/** What `loadDemoIfEmpty` found and did. */
export interface DemoLoad {
  /** True when the log was empty and now holds the demo graph. */
  readonly loaded: boolean;
  /** Records appended (0 when the log was kept). */
  readonly records: number;
  /** The writer's head after the load: the end of the log. */
  readonly headOffset: number;
}

/** Appends the demo graph in one atomic AppendBatch when the writer's log is empty. */
export async function loadDemoIfEmpty(writerAddress: string): Promise<DemoLoad> {
  const client = makeClient(WriterServiceClient, writerAddress);
  try {
    const head = await callUnary(client.head.bind(client), {}, { deadlineMs: DEV_CALL_DEADLINE_MS });
    if (head.headOffset !== head.firstOffset) return { loaded: false, records: 0, headOffset: Number(head.headOffset) };
    const { records } = buildDemoGraph();
    return await withSpan('dev.load_demo', { 'stemedb.records': records.length }, async () => {
      const res = await callUnary(client.appendBatch.bind(client), { records: records.map(recordToProto) }, { deadlineMs: DEV_CALL_DEADLINE_MS });
      const last = res.receipts[res.receipts.length - 1];
      if (res.receipts.length !== records.length || last === undefined) throw new Error(`the writer acknowledged ${res.receipts.length} of ${records.length} demo records`);
      return { loaded: true, records: records.length, headOffset: Number(last.nextOffset) };
    });
  } catch (err) {
    throw rpcErrorOf(err);
  } finally {
    client.close();
  }
}

/** Polls the reader's Status until it has applied everything below `offset`; rejects with CatchUpTimeoutError. */
export async function waitForReader(readerAddress: string, offset: number, timeoutMs = READER_CATCH_UP_TIMEOUT_MS): Promise<void> {
  const client = makeClient(ReaderServiceClient, readerAddress);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const s = await callUnary(client.status.bind(client), {}, { deadlineMs: DEV_CALL_DEADLINE_MS });
      const applied = Number(s.appliedOffset);
      if (applied >= offset) return;
      if (Date.now() >= deadline) throw new CatchUpTimeoutError(offset, applied, timeoutMs);
      await new Promise((r) => setTimeout(r, READER_POLL_INTERVAL_MS));
    }
  } catch (err) {
    throw rpcErrorOf(err);
  } finally {
    client.close();
  }
}

/** The log offset of an assertion as the reader stores it, or undefined when the reader does not know the id. */
export async function assertionOffset(readerAddress: string, id: Buffer): Promise<number | undefined> {
  const client = makeClient(ReaderServiceClient, readerAddress);
  try {
    const res = await callUnary(client.getAssertion.bind(client), { id, minOffset: 0n, asOfOffset: undefined }, { deadlineMs: DEV_CALL_DEADLINE_MS });
    return res.assertion === undefined ? undefined : Number(res.assertion.offset);
  } catch (err) {
    if (hasStatus(err, status.NOT_FOUND)) return undefined;
    throw rpcErrorOf(err);
  } finally {
    client.close();
  }
}
