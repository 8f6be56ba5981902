/**
 * A small client of the writer for the CLI (assert, vote, status) and tests:
 * append one record, read the head, and turn a failed call into an error that
 * names the status code and the offending field. Loads grpc-js: import it
 * lazily from code that must not (the CLI's command registry).
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { recordToProto } from '../../shared/domain/proto-convert';
import type { StemeRecord } from '../../shared/domain/types';
import { RecordKind } from '../../shared/gen/stemedb/v1/records';
import { WriterServiceClient, type HeadResponse, type Receipt } from '../../shared/gen/stemedb/v1/writer';
import { callUnary, fieldOf, makeClient } from '../../shared/grpc/client';
import { WRITER_CALL_DEADLINE_MS } from './limits';

/** A call to a server failed: the gRPC status, its text and the field it names. */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly code: number,
    readonly codeName: string,
    readonly details: string,
    readonly field: string | undefined,
  ) {
    super(`${codeName}: ${details}${field === undefined ? '' : ` [field ${field}]`}`);
  }
}

/** An RpcError for a grpc-js ServiceError (anything else is returned unchanged). */
export function rpcErrorOf(err: unknown): unknown {
  if (!(err instanceof Error) || typeof (err as Partial<ServiceError>).code !== 'number') return err;
  const e = err as ServiceError;
  return new RpcError(e.code, status[e.code] ?? String(e.code), e.details, fieldOf(e));
}

export function writerClient(address: string): WriterServiceClient {
  return makeClient(WriterServiceClient, address);
}

/** A receipt in JSON-friendly form: hex id, decimal offsets. */
export interface ReceiptJson {
  readonly id: string;
  readonly offset: number;
  readonly next_offset: number;
  readonly kind: string;
}

export function receiptJson(r: Receipt): ReceiptJson {
  const kind = (RecordKind[r.kind] ?? String(r.kind)).replace(/^RECORD_KIND_/, '').toLowerCase();
  return { id: r.id.toString('hex'), offset: Number(r.offset), next_offset: Number(r.nextOffset), kind };
}

/** Append one (signed) record; resolves with its receipt once durable, rejects with RpcError. */
export async function appendRecord(address: string, record: StemeRecord, deadlineMs = WRITER_CALL_DEADLINE_MS): Promise<Receipt> {
  const client = writerClient(address);
  try {
    const res = await callUnary(client.append.bind(client), { record: recordToProto(record) }, { deadlineMs });
    if (res.receipt === undefined) throw new Error('the writer answered without a receipt');
    return res.receipt;
  } catch (err) {
    throw rpcErrorOf(err);
  } finally {
    client.close();
  }
}

/** The writer's head, first offset and segments; rejects with RpcError. */
export async function writerHead(address: string, deadlineMs = WRITER_CALL_DEADLINE_MS): Promise<HeadResponse> {
  const client = writerClient(address);
  try {
    return await callUnary(client.head.bind(client), {}, { deadlineMs });
  } catch (err) {
    throw rpcErrorOf(err);
  } finally {
    client.close();
  }
}
