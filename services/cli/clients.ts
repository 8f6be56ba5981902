/**
 * The CLI's connection to the client library (clients/typescript): loaded
 * lazily, because the library loads @grpc/grpc-js and a client command starts
 * telemetry first. Calls from the CLI retry on UNAVAILABLE a few times only,
 * so a wrong address fails in about a second, and never wait out a quota
 * (the refusal is printed: a person decides).
 */
import type { QueryFlags } from '../reader/client';
import type { QueryOptions, ReaderClient, WriterClient } from '../../clients/typescript/src/index';
import { CLI_CALL_ATTEMPTS_MAX } from './limits';

export type ClientLib = typeof import('../../clients/typescript/src/index');

export function loadClientLib(): Promise<ClientLib> {
  return import('../../clients/typescript/src/index');
}

/** The TLS the CLI's flags set for this process (`--tls-ca` …, main.ts), as the library's connect options. */
async function tlsOptions(): Promise<{ credentials?: import('@grpc/grpc-js').ChannelCredentials; channelOptions?: Record<string, unknown> }> {
  const { processClientTls } = await import('../../shared/grpc/client');
  const tls = processClientTls();
  return tls === undefined ? {} : { credentials: tls.credentials, channelOptions: tls.channelOptions as Record<string, unknown> };
}

export async function writerAt(address: string): Promise<{ lib: ClientLib; writer: WriterClient }> {
  const lib = await loadClientLib();
  return { lib, writer: new lib.WriterClient(address, { attemptsMax: CLI_CALL_ATTEMPTS_MAX, retryQuota: false, ...(await tlsOptions()) }) };
}

export async function readerAt(address: string): Promise<{ lib: ClientLib; reader: ReaderClient }> {
  const lib = await loadClientLib();
  return { lib, reader: new lib.ReaderClient(address, { attemptsMax: CLI_CALL_ATTEMPTS_MAX, ...(await tlsOptions()) }) };
}

/** resolve/explain/history/subject/watch flags as the library's QueryOptions (no session: min_offset only when given). */
export function queryOptionsOf(q: Omit<QueryFlags, 'subject' | 'predicate'>): QueryOptions {
  return {
    ...(q.lens === undefined ? {} : { lens: q.lens as QueryOptions['lens'] }),
    minOffset: q.minOffset ?? null,
    ...(q.asOfOffset === undefined ? {} : { asOfOffset: q.asOfOffset }),
    ...(q.epoch === undefined ? {} : { epoch: q.epoch }),
    ...(q.trustPackId === undefined ? {} : { trustPackId: q.trustPackId }),
    ...(q.includeSuperseded === true ? { includeSuperseded: true } : {}),
    ...(q.minShare === undefined ? {} : { minShare: q.minShare }),
  };
}
