/**
 * Helpers for the writer tests: a real writer process from dist/ on a free
 * loopback port, typed clients, and signed records.
 */
import * as grpc from '@grpc/grpc-js';
import { recordToProto } from '../../shared/domain/proto-convert';
import type { StemeRecord } from '../../shared/domain/types';
import type { Record as PbRecord } from '../../shared/gen/stemedb/v1/records';
import { WriterServiceClient, type Receipt, type TailResponse } from '../../shared/gen/stemedb/v1/writer';
import { callUnary, makeClient } from '../../shared/grpc/client';
import { assertionWith, resign } from '../domain/fixtures';
import type { KeyPair } from '../../shared/domain/signing';
import { startService, type ServiceProcess } from '../helpers/process';

export type WriterProcess = ServiceProcess;

/** Start `stemedb writer --wal DIR --listen 127.0.0.1:0 ...args` and wait for its ready line. */
export function startWriterProcess(walDir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}, listen = '127.0.0.1:0'): Promise<WriterProcess> {
  return startService('writer', ['--wal', walDir, '--listen', listen, '--durability', 'fsync', ...args], env);
}

export function client(address: string): WriterServiceClient {
  return makeClient(WriterServiceClient, address);
}

/** A distinct signed assertion (subject `s:<tag>`) by `key` (default KEY_A). */
export function signedAssertion(tag: string, keys?: readonly KeyPair[]): StemeRecord {
  return resign(assertionWith({ subject: `s:${tag}` }), keys);
}

export function pb(record: StemeRecord): PbRecord {
  return recordToProto(record);
}

export function append(c: WriterServiceClient, record: PbRecord | undefined, deadlineMs = 10_000): Promise<Receipt> {
  return callUnary(c.append.bind(c), { record }, { deadlineMs }).then((r) => r.receipt!);
}

/** Tail from `from` until `count` records arrived; returns their offsets and payloads. */
export function tailRecords(c: WriterServiceClient, from: number, count: number, maxBatchBytes = 0): Promise<Array<{ offset: number; payload: Buffer; hash: Buffer }>> {
  return new Promise((resolve, reject) => {
    const got: Array<{ offset: number; payload: Buffer; hash: Buffer }> = [];
    const call = c.tail({ fromOffset: BigInt(from), maxBatchBytes });
    call.on('data', (m: TailResponse) => {
      for (const r of m.records) got.push({ offset: Number(r.offset), payload: r.payload, hash: r.payloadHash });
      if (got.length >= count) {
        call.cancel();
        resolve(got);
      }
    });
    call.on('error', (err: grpc.ServiceError) => {
      if (err.code !== grpc.status.CANCELLED || got.length < count) reject(err);
    });
  });
}
