/**
 * Mutual TLS with real processes: clients without a certificate or with one
 * from another CA are refused; with a role map a reader identity cannot
 * append and an agent identity cannot Tail (PERMISSION_DENIED naming the
 * role); without one any certificate from the client CA may do everything;
 * a reader with the 'reader' role tails the writer; and replacing the
 * server's certificate files is picked up by new connections, no restart.
 */
import { copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { WriterServiceClient } from '../../shared/gen/stemedb/v1/writer';
import { callUnary, makeClient } from '../../shared/grpc/client';
import { clientCredentials } from '../../shared/grpc/tls';
import type { ClientTlsFiles } from '../../shared/grpc/tls-options';
import { LOOPBACK_SANS, makeCa, makeLeaf, type PemPair } from '../helpers/certs';
import { makeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';
import { claimBy, resolve, startReaderProcess } from '../reader/reader-fixtures';
import { ReaderServiceClient } from '../../shared/gen/stemedb/v1/reader';
import { append, pb, signedAssertion, startWriterProcess, tailRecords, type WriterProcess } from '../writer/writer-fixtures';

const dir = makeTempDir('stemedb-mtls-');
let ca: PemPair;
let server: PemPair;
let readerId: PemPair;
let agentId: PemPair;
let foreign: PemPair;

beforeAll(() => {
  ca = makeCa(dir.path, 'ca');
  const otherCa = makeCa(dir.path, 'other-ca');
  server = makeLeaf(dir.path, ca, { cn: 'stemedb-server', sans: LOOPBACK_SANS });
  readerId = makeLeaf(dir.path, ca, { cn: 'reader-0' });
  agentId = makeLeaf(dir.path, ca, { cn: 'agent-7', sans: ['DNS:agent-7.agents.example'] });
  foreign = makeLeaf(dir.path, otherCa, { cn: 'reader-0', name: 'foreign-reader-0' });
});
afterAll(() => dir.cleanup());

/** A writer client with its own connection (never shared with another test's client). */
function dial(address: string, files: ClientTlsFiles | undefined): WriterServiceClient {
  const credentials = files === undefined ? grpc.credentials.createInsecure() : clientCredentials(files);
  return makeClient(WriterServiceClient, address, { credentials, channelOptions: { 'grpc.use_local_subchannel_pool': 1 } });
}

const as = (id: PemPair | undefined, caFile = ca.cert): ClientTlsFiles => ({ caFile, ...(id === undefined ? {} : { certFile: id.cert, keyFile: id.key }) });

async function failure(p: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await p;
  } catch (err) {
    return err as grpc.ServiceError;
  }
  throw new Error('expected the call to fail');
}

function head(c: WriterServiceClient): Promise<unknown> {
  return callUnary(c.head.bind(c), {}, { deadlineMs: 3_000 });
}

describe('a mutual-TLS writer with a role map', () => {
  let writer: WriterProcess;

  beforeAll(async () => {
    const roles = `${dir.path}/roles.json`;
    writeFileSync(roles, JSON.stringify({ identities: { 'CN=reader-0': ['reader'], 'DNS:agent-7.agents.example': ['agent'] } }));
    writer = await startWriterProcess(`${dir.path}/wal-roles`, ['--durability', 'none', '--tls-cert', server.cert, '--tls-key', server.key, '--tls-client-ca', ca.cert, '--tls-roles', roles]);
  });
  afterAll(async () => {
    expect(await writer?.stop()).toBe(0);
  });

  it('refuses a client without a certificate, and one whose certificate another CA signed', async () => {
    for (const files of [as(undefined), as(foreign)]) {
      const c = dial(writer.address, files);
      expect((await failure(head(c))).code).toBe(grpc.status.UNAVAILABLE);
      c.close();
    }
  });

  it('a reader identity may Tail but not append; an agent identity may append but not Tail', async () => {
    const asAgent = dial(writer.address, as(agentId));
    const receipt = await append(asAgent, pb(signedAssertion('roles')));
    const asReader = dial(writer.address, as(readerId));
    expect((await tailRecords(asReader, 0, 1))[0]!.offset).toBe(Number(receipt.offset));

    const denied = await failure(append(asReader, pb(signedAssertion('reader-append'))));
    expect(denied.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(denied.details).toMatch(/needs the 'agent' role/);
    expect(denied.details).toContain('CN=reader-0');

    const tailDenied = await failure(tailRecords(asAgent, 0, 1));
    expect(tailDenied.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(tailDenied.details).toMatch(/needs the 'reader' role/);
    expect((await failure(head(asAgent))).code).toBe(grpc.status.PERMISSION_DENIED);
    asAgent.close();
    asReader.close();
  });

  it('a reader process with the reader identity tails the writer over mutual TLS', async () => {
    const receipt = await append(dial(writer.address, as(agentId)), pb(claimBy(4, 'grace', 'born', '1906')));
    const reader = await startReaderProcess(`${dir.path}/data-roles`, ['--writer', writer.address, '--writer-tls-ca', ca.cert, '--writer-tls-cert', readerId.cert, '--writer-tls-key', readerId.key]);
    const r = makeClient(ReaderServiceClient, reader.address);
    try {
      const res = await resolve(r, 'grace', 'born', { minOffset: receipt.offset });
      expect(res.resolution!.object?.value).toEqual({ $case: 'text', value: '1906' });
    } finally {
      r.close();
      expect(await reader.stop()).toBe(0);
    }
  });
});

describe('a mutual-TLS reader with a role map', () => {
  it("queries need the 'client' role", async () => {
    const roles = `${dir.path}/reader-roles.json`;
    writeFileSync(roles, JSON.stringify({ identities: { 'CN=app': ['client'] } }));
    const app = makeLeaf(dir.path, ca, { cn: 'app' });
    const wal = `${dir.path}/wal-reader-roles`;
    mkdirSync(wal);
    const reader = await startReaderProcess(`${dir.path}/data-reader-roles`, ['--wal', wal, '--tls-cert', server.cert, '--tls-key', server.key, '--tls-client-ca', ca.cert, '--tls-roles', roles]);
    const connect = (id: PemPair): ReaderServiceClient => makeClient(ReaderServiceClient, reader.address, { credentials: clientCredentials(as(id)), channelOptions: { 'grpc.use_local_subchannel_pool': 1 } });
    const asApp = connect(app);
    const asAgent = connect(agentId);
    try {
      expect((await resolve(asApp, 'nobody', 'born')).resolution).toBeDefined();
      const denied = await failure(resolve(asAgent, 'nobody', 'born'));
      expect(denied.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(denied.details).toMatch(/ReaderService\/Resolve needs the 'client' role/);
    } finally {
      asApp.close();
      asAgent.close();
      expect(await reader.stop()).toBe(0);
    }
  });
});

describe('a mutual-TLS writer without a role map', () => {
  it('lets any certificate from the client CA append and Tail', async () => {
    const writer = await startWriterProcess(`${dir.path}/wal-open`, ['--durability', 'none', '--tls-cert', server.cert, '--tls-key', server.key, '--tls-client-ca', ca.cert]);
    try {
      const c = dial(writer.address, as(agentId));
      const receipt = await append(c, pb(signedAssertion('open')));
      expect((await tailRecords(c, 0, 1))[0]!.offset).toBe(Number(receipt.offset));
      c.close();
    } finally {
      expect(await writer.stop()).toBe(0);
    }
  });
});

describe('certificate rotation', () => {
  it('replacing the certificate files is picked up by new connections without a restart', async () => {
    const live = { cert: `${dir.path}/live.crt`, key: `${dir.path}/live.key` };
    copyFileSync(server.cert, live.cert);
    copyFileSync(server.key, live.key);
    const writer = await startWriterProcess(`${dir.path}/wal-rotate`, ['--durability', 'none', '--tls-cert', live.cert, '--tls-key', live.key]);
    try {
      await rotate(writer, live);
    } finally {
      expect(await writer.stop()).toBe(0);
    }
  });
});

/** Replace the writer's certificate with one from a new CA; new connections must see it. */
async function rotate(writer: WriterProcess, live: PemPair): Promise<void> {
  const newCa = makeCa(dir.path, 'new-ca');
  const next = makeLeaf(dir.path, newCa, { cn: 'stemedb-server-2', sans: LOOPBACK_SANS });
  const before = dial(writer.address, as(undefined, newCa.cert));
  expect((await failure(head(before))).code).toBe(grpc.status.UNAVAILABLE);
  before.close();

  // The way a Secret update lands: each file replaced whole (rename), one after the other.
  copyFileSync(next.key, `${live.key}.tmp`);
  renameSync(`${live.key}.tmp`, live.key);
  copyFileSync(next.cert, `${live.cert}.tmp`);
  renameSync(`${live.cert}.tmp`, live.cert);

  await waitFor(
    async () => {
      const c = dial(writer.address, as(undefined, newCa.cert));
      try {
        await head(c);
        return true;
      } catch {
        return undefined;
      } finally {
        c.close();
      }
    },
    'a new connection trusting only the new CA',
    15_000,
    200,
  );
  const old = dial(writer.address, as(undefined, ca.cert));
  expect((await failure(head(old))).code).toBe(grpc.status.UNAVAILABLE);
  old.close();
}
