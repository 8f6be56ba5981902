/**
 * The command line against a TLS writer with admission on: every dialing
 * command takes --tls-ca (or STEMEDB_TLS_CA); `stemedb agent grant | revoke |
 * list` admit and revoke a key made by `stemedb keygen`.
 */
import { readKeyFile } from '../../shared/domain/key-file';
import { LOOPBACK_SANS, makeCa, makeLeaf } from '../helpers/certs';
import { runCli } from '../helpers/process';
import { makeTempDir } from '../helpers/tmp';
import { startWriterProcess, type WriterProcess } from '../writer/writer-fixtures';

describe('stemedb agent and the TLS client flags', () => {
  const dir = makeTempDir('stemedb-security-cli-');
  let writer: WriterProcess;
  let caFile: string;
  const adminFile = `${dir.path}/admin.json`;
  const agentFile = `${dir.path}/agent.json`;

  beforeAll(async () => {
    const ca = makeCa(dir.path, 'ca');
    caFile = ca.cert;
    const server = makeLeaf(dir.path, ca, { cn: 'writer', sans: LOOPBACK_SANS });
    expect((await runCli(['keygen', '--out', adminFile])).code).toBe(0);
    expect((await runCli(['keygen', '--out', agentFile])).code).toBe(0);
    const admin = readKeyFile(adminFile).publicKey.toString('hex');
    writer = await startWriterProcess(`${dir.path}/wal`, ['--durability', 'none', '--tls-cert', server.cert, '--tls-key', server.key, '--admission', 'on', '--admin-key', admin]);
  });
  afterAll(async () => {
    await writer?.stop();
    dir.cleanup();
  });

  // Dial by name: Node warns (DEP0123) when a TLS client dials an IP address, and the CLI's stderr is checked.
  const address = (): string => writer.address.replace('127.0.0.1', 'localhost');
  const assertArgs = (): string[] => ['assert', '--writer', address(), '--key', agentFile, '--subject', 's', '--predicate', 'p', '--object', `v${Math.random()}`, '--json'];

  it('grant, assert, revoke and list, over TLS', async () => {
    const agent = readKeyFile(agentFile).publicKey.toString('hex');
    const tls = ['--tls-ca', caFile];
    const plain = await runCli(assertArgs());
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/UNAVAILABLE/);

    const refused = await runCli([...assertArgs(), ...tls]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/PERMISSION_DENIED: .*not admitted.*\[field record\.assertion\.signatures\[0\]\.public_key\]/);

    const granted = await runCli(['agent', 'grant', '--writer', address(), '--key', adminFile, '--agent', agent, '--json', ...tls]);
    expect(granted.stderr).toBe('');
    expect(JSON.parse(granted.stdout).kind).toBe('agent_grant');
    // The variable works as well as the flag.
    const accepted = await runCli(assertArgs(), { STEMEDB_TLS_CA: caFile });
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);

    const revoked = await runCli(['agent', 'revoke', '--writer', address(), '--key', adminFile, '--agent', agent, '--reason', 'rotated', ...tls]);
    expect(revoked.code).toBe(0);
    expect((await runCli([...assertArgs(), ...tls])).stderr).toMatch(/PERMISSION_DENIED: .*revoked/);

    const list = await runCli(['agent', 'list', '--wal', `${dir.path}/wal`, '--json']);
    expect(list.code).toBe(0);
    const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toEqual([expect.objectContaining({ agent, state: 'revoked' })]);
  });

  it('a TLS flag without --tls-ca is a usage error', async () => {
    const r = await runCli([...assertArgs(), '--tls-cert', caFile]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--tls-cert: needs --tls-ca/);
  });
});
