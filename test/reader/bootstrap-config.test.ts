/**
 * `stemedb reader` bootstrap settings: --bootstrap-from / --bootstrap-snapshot
 * and their variables, refusals naming the setting, and the role the
 * Snapshot RPC needs under a role map.
 */
import { parseReaderConfig } from '../../services/reader/config';
import { READER_METHOD_ROLES } from '../../services/reader/start-reader';

const base = ['--data', '/d', '--writer', 'w:1'];

describe('reader bootstrap settings', () => {
  it('takes a peer or a directory, from a flag or its variable', () => {
    expect(parseReaderConfig([...base, '--bootstrap-from', 'peer:7071'], {}).bootstrap).toEqual({ kind: 'peer', address: 'peer:7071' });
    expect(parseReaderConfig(base, { STEMEDB_BOOTSTRAP_FROM: 'stemedb-reader:7071' }).bootstrap).toEqual({ kind: 'peer', address: 'stemedb-reader:7071' });
    expect(parseReaderConfig([...base, '--bootstrap-snapshot', '/snap'], {}).bootstrap).toEqual({ kind: 'snapshot', dir: '/snap' });
    expect(parseReaderConfig(base, { STEMEDB_BOOTSTRAP_SNAPSHOT: '/snap' }).bootstrap).toEqual({ kind: 'snapshot', dir: '/snap' });
    expect(parseReaderConfig(base, {}).bootstrap).toBeUndefined();
    expect(parseReaderConfig([...base, '--bootstrap-from', 'p:1', '--bootstrap-tls-ca', '/ca'], {}).bootstrap).toEqual({ kind: 'peer', address: 'p:1', tls: { caFile: '/ca' } });
  });

  it('refuses both sources, a bad address, and peer TLS without a peer', () => {
    expect(() => parseReaderConfig([...base, '--bootstrap-from', 'p:1', '--bootstrap-snapshot', '/s'], {})).toThrow(/--bootstrap-from\/--bootstrap-snapshot: give one bootstrap source, not both/);
    expect(() => parseReaderConfig([...base, '--bootstrap-from', 'nowhere'], {})).toThrow(/--bootstrap-from: must be HOST:PORT/);
    expect(() => parseReaderConfig([...base, '--bootstrap-tls-ca', '/ca'], {})).toThrow(/--bootstrap-tls-ca: only with --bootstrap-from/);
    expect(() => parseReaderConfig([...base, '--bootstrap-from', 'p:1', '--bootstrap-tls-cert', '/c'], {})).toThrow(/needs --bootstrap-tls-ca/);
  });

  it("needs the 'reader' role for Snapshot (the whole store) and 'client' for queries", () => {
    expect(READER_METHOD_ROLES.get('/stemedb.v1.ReaderService/Snapshot')).toBe('reader');
    expect(READER_METHOD_ROLES.get('/stemedb.v1.ReaderService/Resolve')).toBe('client');
  });
});
