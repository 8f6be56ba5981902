/**
 * TLS end to end with real processes and certificates made by openssl: a TLS
 * writer and a TLS reader tailing it over TLS (append, Tail, Resolve, Watch),
 * health and reflection over TLS and on the plaintext health-only port, and a
 * plaintext client refused.
 */
import * as grpc from '@grpc/grpc-js';
import type { WatchResponse } from '../../shared/gen/stemedb/v1/reader';
import { WriterServiceClient } from '../../shared/gen/stemedb/v1/writer';
import { callUnary, makeClient, setProcessClientTls } from '../../shared/grpc/client';
import { clientCredentials } from '../../shared/grpc/tls';
import { LOOPBACK_SANS, makeCa, makeLeaf } from '../helpers/certs';
import { makeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';
import { healthProbe, reflectedServices } from '../grpc/probes';
import { claimBy, codeOf, options, readerClient, resolve, startReaderProcess, write, type ReaderProcess } from '../reader/reader-fixtures';
import { client as writerClient, startWriterProcess, tailRecords, type WriterProcess } from '../writer/writer-fixtures';

describe('TLS writer and reader', () => {
  const dir = makeTempDir('stemedb-tls-');
  let writer: WriterProcess;
  let reader: ReaderProcess;
  let caFile: string;
  let writerHealth: string;

  beforeAll(async () => {
    const ca = makeCa(dir.path, 'ca');
    caFile = ca.cert;
    const server = makeLeaf(dir.path, ca, { cn: 'stemedb-server', sans: LOOPBACK_SANS });
    const tls = ['--tls-cert', server.cert, '--tls-key', server.key];
    writer = await startWriterProcess(`${dir.path}/wal`, ['--durability', 'none', ...tls, '--health-listen', '127.0.0.1:0']);
    writerHealth = writer.ready.health_address as string;
    reader = await startReaderProcess(`${dir.path}/data`, ['--writer', writer.address, '--writer-tls-ca', caFile, ...tls]);
    setProcessClientTls({ caFile });
  });

  afterAll(async () => {
    setProcessClientTls(undefined);
    const codes = [await reader?.stop(), await writer?.stop()];
    dir.cleanup();
    expect(codes).toEqual([0, 0]);
  });

  it('append, Tail, Resolve and Watch work over TLS', async () => {
    const receipt = await write(writer.address, claimBy(1, 'ada', 'born', '1815'));
    const w = writerClient(writer.address);
    const tailed = await tailRecords(w, 0, 1);
    w.close();
    expect(tailed[0]!.offset).toBe(receipt.at);
    const r = readerClient(reader.address);
    const res = await resolve(r, 'ada', 'born', { minOffset: receipt.offset });
    expect(res.resolution!.object?.value).toEqual({ $case: 'text', value: '1815' });
    const call = r.watch({ subject: 'ada', predicate: 'born', options: options({ minOffset: receipt.offset }) });
    const got: WatchResponse[] = [];
    call.on('data', (m: WatchResponse) => got.push(m));
    call.on('error', () => undefined);
    await waitFor(() => (got.length >= 1 ? true : undefined), 'the first Watch message');
    await write(writer.address, claimBy(2, 'ada', 'born', '1816', { source: 40 }));
    await write(writer.address, claimBy(3, 'ada', 'born', '1816', { source: 41 }));
    await waitFor(() => (got.some((m) => m.resolution!.object?.value?.value === '1816') ? true : undefined), 'a Watch message with the new winner');
    call.cancel();
    r.close();
  });

  it('a plaintext client is refused by the writer and the reader', async () => {
    for (const address of [writer.address, reader.address]) {
      const plain = makeClient(WriterServiceClient, address, { credentials: grpc.credentials.createInsecure() });
      expect(await codeOf(callUnary(plain.head.bind(plain), {}, { deadlineMs: 3_000 }))).toBe(grpc.status.UNAVAILABLE);
      plain.close();
    }
  });

  it('health and reflection answer over TLS, and health alone on the plaintext health port', async () => {
    const creds = clientCredentials({ caFile });
    const probe = healthProbe(writer.address, creds);
    expect(await probe.check('')).toBe('SERVING');
    probe.close();
    expect(await reflectedServices(reader.address, clientCredentials({ caFile }))).toContain('stemedb.v1.ReaderService');
    expect(typeof writerHealth).toBe('string');
    const plainProbe = healthProbe(writerHealth);
    expect(await plainProbe.check('stemedb.v1.WriterService')).toBe('SERVING');
    plainProbe.close();
    // The health port serves nothing else.
    const other = makeClient(WriterServiceClient, writerHealth, { credentials: grpc.credentials.createInsecure() });
    expect(await codeOf(callUnary(other.head.bind(other), {}, { deadlineMs: 3_000 }))).toBe(grpc.status.UNIMPLEMENTED);
    other.close();
  });
});
