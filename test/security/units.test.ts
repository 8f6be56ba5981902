/**
 * The pieces of transport security and admission in isolation: TLS settings
 * (pairs, prefixes, errors naming the flag), role maps (format and limits),
 * certificate identities, the role check, certificate loading errors, and the
 * bound of the writer's admission table.
 */
import { writeFileSync } from 'node:fs';
import type { PeerCertificate } from 'node:tls';
import { parseReaderConfig } from '../../services/reader/config';
import { AgentRegistry } from '../../services/writer/agent-registry';
import { parseWriterConfig } from '../../services/writer/config';
import { encodeLogPayload } from '../../shared/domain/log-payload';
import type { AgentGrant, StemeRecord } from '../../shared/domain/types';
import { checkCall } from '../../shared/grpc/access';
import { ROLE_MAP_IDENTITIES_MAX, TLS_FILE_BYTES_MAX } from '../../shared/grpc/limits';
import { certificateIdentities, parseRoleMap, PermissionError } from '../../shared/grpc/roles';
import { ReloadingServerCredentials } from '../../shared/grpc/tls';
import { clientTlsFrom, serverTlsFrom, type SettingPicker } from '../../shared/grpc/tls-options';
import { createLogger } from '../../shared/telemetry/logger';
import { KEY_A, resign, seedKey } from '../domain/fixtures';
import { LOOPBACK_SANS, makeCa, makeLeaf } from '../helpers/certs';
import { useTempDir } from '../helpers/tmp';

const picker = (flags: Record<string, string>): SettingPicker => (flag) => (flags[flag] === undefined ? undefined : { value: flags[flag]!, setting: `--${flag}` });

describe('TLS settings', () => {
  it('server: cert and key go together; the client CA and roles need them; roles need the client CA', () => {
    expect(serverTlsFrom(picker({}))).toBeUndefined();
    expect(serverTlsFrom(picker({ 'tls-cert': 'c', 'tls-key': 'k' }))).toEqual({ certFile: 'c', keyFile: 'k' });
    expect(() => serverTlsFrom(picker({ 'tls-key': 'k' }))).toThrow(/--tls-cert: required with --tls-key/);
    expect(() => serverTlsFrom(picker({ 'tls-cert': 'c' }))).toThrow(/--tls-key: required with --tls-cert/);
    expect(() => serverTlsFrom(picker({ 'tls-client-ca': 'ca' }))).toThrow(/--tls-client-ca: needs --tls-cert and --tls-key/);
    expect(() => serverTlsFrom(picker({ 'tls-cert': 'c', 'tls-key': 'k', 'tls-roles': 'r' }))).toThrow(/--tls-roles: roles need mutual TLS/);
  });

  it('client: the CA is required for any other TLS flag; cert and key go together; the prefix names the flags', () => {
    expect(clientTlsFrom(picker({ 'tls-ca': 'ca', 'tls-server-name': 'n' }))).toEqual({ caFile: 'ca', serverName: 'n' });
    expect(() => clientTlsFrom(picker({ 'tls-cert': 'c' }))).toThrow(/--tls-cert: needs --tls-ca/);
    expect(() => clientTlsFrom(picker({ 'tls-ca': 'ca', 'tls-cert': 'c' }))).toThrow(/--tls-cert and --tls-key go together/);
    expect(() => clientTlsFrom(picker({ 'writer-tls-key': 'k' }), 'writer-')).toThrow(/--writer-tls-key: needs --writer-tls-ca/);
  });

  it('the service configs report TLS and admission mistakes by flag or variable', () => {
    expect(() => parseWriterConfig(['--wal', 'w', '--tls-key', 'k'], {})).toThrow(expect.objectContaining({ setting: '--tls-cert' }));
    expect(() => parseWriterConfig(['--wal', 'w'], { STEMEDB_TLS_CLIENT_CA: 'ca' })).toThrow(expect.objectContaining({ setting: 'STEMEDB_TLS_CLIENT_CA' }));
    expect(() => parseWriterConfig(['--wal', 'w', '--admission', 'maybe'], {})).toThrow(expect.objectContaining({ setting: '--admission' }));
    expect(parseWriterConfig(['--wal', 'w', '--admission', 'on', '--health-listen', '0.0.0.0:7170'], {})).toMatchObject({ admission: true, healthListen: '0.0.0.0:7170' });
    expect(() => parseReaderConfig(['--data', 'd', '--wal', 'w', '--writer-tls-ca', 'ca'], {})).toThrow(expect.objectContaining({ setting: '--writer-tls-ca' }));
    expect(parseReaderConfig(['--data', 'd', '--writer', 'h:1'], { STEMEDB_WRITER_TLS_CA: 'ca' }).source).toEqual({ kind: 'writer', address: 'h:1', tls: { caFile: 'ca' } });
  });
});

describe('role maps', () => {
  it('parse identities and defaults, refusing unknown roles, identity forms and keys', () => {
    const map = parseRoleMap(JSON.stringify({ identities: { 'CN=r': ['reader'], 'DNS:a.example': ['agent', 'client'] }, default: ['client'] }), 'roles.json');
    expect([...map.identities.get('DNS:a.example')!]).toEqual(['agent', 'client']);
    expect([...map.defaults]).toEqual(['client']);
    expect(() => parseRoleMap('{"identities":{"CN=r":["root"]}}', 'f')).toThrow(/unknown role "root"/);
    expect(() => parseRoleMap('{"identities":{"r":["reader"]}}', 'f')).toThrow(/must start with CN=/);
    expect(() => parseRoleMap('{"identities":{},"roles":{}}', 'f')).toThrow(/unknown key 'roles'/);
    expect(() => parseRoleMap('nope', 'f')).toThrow(/not JSON/);
  });

  it(`hold at most ${ROLE_MAP_IDENTITIES_MAX} identities`, () => {
    const ids = (n: number): string => JSON.stringify({ identities: Object.fromEntries(Array.from({ length: n }, (_, i) => [`CN=c${i}`, ['client']])) });
    expect(parseRoleMap(ids(ROLE_MAP_IDENTITIES_MAX), 'f').identities.size).toBe(ROLE_MAP_IDENTITIES_MAX);
    expect(() => parseRoleMap(ids(ROLE_MAP_IDENTITIES_MAX + 1), 'f')).toThrow(/exceed the limit/);
  });

  it('a certificate has its CN and SANs as identities; a call needs the role of its method', () => {
    const cert = { subject: { CN: 'agent-7' }, subjectaltname: 'DNS:agent-7.example, IP Address:10.0.0.7, URI:spiffe://x/y, email:a@b.c' } as unknown as PeerCertificate;
    expect(certificateIdentities(cert)).toEqual(['CN=agent-7', 'DNS:agent-7.example', 'IP:10.0.0.7', 'URI:spiffe://x/y', 'email:a@b.c']);
    expect(certificateIdentities({} as PeerCertificate)).toEqual([]);
    const map = parseRoleMap('{"identities":{"IP:10.0.0.7":["agent"]}}', 'f');
    const roles = new Map([['/w/Append', 'agent' as const], ['/w/Tail', 'reader' as const]]);
    expect(checkCall(map, roles, '/w/Append', cert)).toBeUndefined();
    expect(checkCall(map, roles, '/grpc.health.v1.Health/Check', undefined)).toBeUndefined();
    const refused = checkCall(map, roles, '/w/Tail', cert);
    expect(refused).toBeInstanceOf(PermissionError);
    expect(refused!.message).toMatch(/needs the 'reader' role/);
    expect(checkCall(map, roles, '/w/Append', undefined)!.message).toMatch(/presented no client certificate/);
  });
});

describe('server certificates', () => {
  const tmp = useTempDir('stemedb-tls-units-');

  it('a missing file, a key of another certificate, and an oversized file are refused at load, naming the file', () => {
    const ca = makeCa(tmp.path, 'ca');
    const a = makeLeaf(tmp.path, ca, { cn: 'a', sans: LOOPBACK_SANS });
    const b = makeLeaf(tmp.path, ca, { cn: 'b', sans: LOOPBACK_SANS });
    const quiet = { logger: { ...createLogger(), info: () => undefined } };
    expect(() => ReloadingServerCredentials.load({ certFile: `${tmp.path}/none.crt`, keyFile: a.key }, quiet)).toThrow(/none\.crt: cannot read/);
    expect(() => ReloadingServerCredentials.load({ certFile: a.cert, keyFile: b.key }, quiet)).toThrow(/not a usable certificate, key and CA/);
    const big = `${tmp.path}/big.crt`;
    writeFileSync(big, Buffer.alloc(TLS_FILE_BYTES_MAX + 1, 0x41));
    expect(() => ReloadingServerCredentials.load({ certFile: big, keyFile: a.key }, quiet)).toThrow(/exceed the limit/);
    ReloadingServerCredentials.load({ certFile: a.cert, keyFile: a.key }, quiet).stop();
  });
});

describe('the admission table', () => {
  const tmp = useTempDir('stemedb-agents-');
  const ADMIN = seedKey(30);
  const grantOf = (i: number, expiresAtMs: number | null = null): AgentGrant => resign<AgentGrant>({ kind: 'agent_grant', agent: seedKey(100 + i).publicKey, grantedAtMs: 1_700_000_000_000, expiresAtMs, signatures: [] }, [ADMIN]);
  const emptyLog = { readFrom: async () => [], headOffset: 0, firstOffset: 0 };
  const payload = (r: StemeRecord): Buffer => encodeLogPayload({ record: r, appendedAtMs: 1_700_000_000_000, traceparent: '' });

  it('refuses a grant for a new key past its bound, after dropping expired grants', async () => {
    const nowMs = 1_800_000_000_000;
    const registry = await AgentRegistry.open(tmp.path, emptyLog, [ADMIN.publicKey], { ...createLogger(), info: () => undefined }, { now: () => nowMs, agentsMax: 2 });
    registry.observe(payload(grantOf(0, nowMs - 1)), 0, 100);
    registry.observe(payload(grantOf(1)), 100, 200);
    // Full, but grant 0 has expired: it is dropped and the new grant fits.
    registry.checkAdminRecord(grantOf(2), 'record');
    registry.observe(payload(grantOf(2)), 200, 300);
    expect(() => registry.checkAdminRecord(grantOf(3), 'record')).toThrow(expect.objectContaining({ name: 'SizeLimitError', field: 'record.agent_grant.agent' }));
    // A key already in the table may be granted again (a new expiry).
    registry.checkAdminRecord(grantOf(1, nowMs + 1), 'record');
    expect(registry.list().map((a) => a.state)).toEqual(['granted', 'granted']);
    expect(() => registry.check(resign(grantOf(9), [KEY_A]), 'record')).toThrow(expect.objectContaining({ name: 'AgentNotAdmittedError', field: 'record.agent_grant.signatures[0].public_key' }));
  });
});
