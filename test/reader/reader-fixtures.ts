/**
 * Helpers for the reader tests: real writer and reader processes from dist/ on
 * free loopback ports, a typed reader client, promise wrappers for its calls,
 * and signed assertions by deterministic agents.
 */
import * as grpc from '@grpc/grpc-js';
import type { ObjectValue, StemeRecord } from '../../shared/domain/types';
import { Lens, ReaderServiceClient, type QueryOptions, type ResolveResponse } from '../../shared/gen/stemedb/v1/reader';
import type { Receipt } from '../../shared/gen/stemedb/v1/writer';
import { callUnary, makeClient } from '../../shared/grpc/client';
import { agent, claim, signed } from '../graph/log-builder';
import { startService, type ServiceProcess } from '../helpers/process';
import { append, client as writerClient, pb } from '../writer/writer-fixtures';

export type ReaderProcess = ServiceProcess;

/** Start `stemedb reader --data DIR <source args> --listen 127.0.0.1:0` and wait for its ready line. */
export function startReaderProcess(dataDir: string, sourceArgs: string[], env: NodeJS.ProcessEnv = {}): Promise<ReaderProcess> {
  return startService('reader', ['--data', dataDir, ...sourceArgs, '--listen', '127.0.0.1:0'], env);
}

export function readerClient(address: string): ReaderServiceClient {
  return makeClient(ReaderServiceClient, address);
}

/** QueryOptions with every field at its default, overridden by `o`. */
export function options(o: Partial<QueryOptions> = {}): QueryOptions {
  return { lens: Lens.LENS_UNSPECIFIED, epoch: '', trustPackId: Buffer.alloc(0), includeSuperseded: false, ...o };
}

export function resolve(c: ReaderServiceClient, subject: string, predicate: string, o: Partial<QueryOptions> = {}, deadlineMs = 10_000): Promise<ResolveResponse> {
  return callUnary(c.resolve.bind(c), { subject, predicate, options: options(o) }, { deadlineMs });
}

export const text = (value: string): ObjectValue => ({ kind: 'text', value });

/** An assertion of (subject, predicate, text value) signed by agent `who`, with its own source. */
export function claimBy(who: number, subject: string, predicate: string, value: string, extra: { parent?: Buffer; source?: number; at?: number } = {}): StemeRecord {
  return signed(claim({ subject, predicate, object: text(value), confidence: 0.9, source: extra.source ?? who + 1, parent: extra.parent ?? null, ...(extra.at === undefined ? {} : { at: extra.at }) }), [agent(who)]);
}

/** Append through a writer; resolves with the receipt (offset as a number too). */
export async function write(writerAddress: string, record: StemeRecord): Promise<Receipt & { at: number }> {
  const c = writerClient(writerAddress);
  try {
    const receipt = await append(c, pb(record));
    return { ...receipt, at: Number(receipt.offset) };
  } finally {
    c.close();
  }
}

/** The gRPC status code of a rejected promise (throws if it resolved). */
export async function codeOf(p: Promise<unknown>): Promise<grpc.status> {
  try {
    await p;
  } catch (err) {
    return (err as grpc.ServiceError).code;
  }
  throw new Error('expected the call to fail');
}
