import { MAX_CONNECTION_AGE_MS } from '../../shared/grpc/limits';
import { parseWriterConfig, WRITER_HELP, WriterConfigError } from '../../services/writer/config';
import { QUOTA_RECORDS_PER_SEC_DEFAULT, WRITER_LISTEN_DEFAULT } from '../../services/writer/limits';
import { KEY_A, KEY_B } from '../domain/fixtures';

const A = KEY_A.publicKey.toString('hex');
const B = KEY_B.publicKey.toString('hex');

function fails(args: string[], env: NodeJS.ProcessEnv = {}): WriterConfigError {
  try {
    parseWriterConfig(args, env);
  } catch (err) {
    expect(err).toBeInstanceOf(WriterConfigError);
    return err as WriterConfigError;
  }
  throw new Error('expected a WriterConfigError');
}

describe('writer configuration', () => {
  it('has documented defaults', () => {
    const c = parseWriterConfig(['--wal', '/tmp/w'], {});
    expect(c).toEqual({
      walDir: '/tmp/w',
      listen: WRITER_LISTEN_DEFAULT,
      adminKeys: [],
      durability: 'fsync',
      maxConnectionAgeMs: MAX_CONNECTION_AGE_MS,
      quota: { recordsPerSec: QUOTA_RECORDS_PER_SEC_DEFAULT, burstRecords: 2 * QUOTA_RECORDS_PER_SEC_DEFAULT },
    });
  });

  it('reads every setting from the environment', () => {
    const c = parseWriterConfig([], {
      STEMEDB_WAL_DIR: '/data/wal',
      STEMEDB_LISTEN: '0.0.0.0:7070',
      STEMEDB_ADMIN_KEYS: ` ${A} , ${B},`,
      STEMEDB_DURABILITY: 'none',
      STEMEDB_LOG_LEVEL: 'warn',
      STEMEDB_MAX_CONNECTION_AGE_MS: '0',
      STEMEDB_QUOTA_RECORDS_PER_SEC: '100',
      STEMEDB_QUOTA_BURST: '500',
    });
    expect(c).toEqual({
      walDir: '/data/wal',
      listen: '0.0.0.0:7070',
      adminKeys: [KEY_A.publicKey, KEY_B.publicKey],
      durability: 'none',
      logLevel: 'warn',
      maxConnectionAgeMs: null,
      quota: { recordsPerSec: 100, burstRecords: 500 },
    });
  });

  it('lets flags win over the environment', () => {
    const env = { STEMEDB_WAL_DIR: '/env', STEMEDB_LISTEN: '1.2.3.4:1', STEMEDB_ADMIN_KEYS: A, STEMEDB_DURABILITY: 'none', STEMEDB_QUOTA_RECORDS_PER_SEC: '5' };
    const c = parseWriterConfig(['--wal', '/flag', '--listen', '127.0.0.1:0', '--admin-key', B, '--durability', 'fsync', '--quota-records-per-sec', '7'], env);
    expect(c).toMatchObject({ walDir: '/flag', listen: '127.0.0.1:0', adminKeys: [KEY_B.publicKey], durability: 'fsync', quota: { recordsPerSec: 7, burstRecords: 14 } });
  });

  it('takes a fractional quota rate, with a default burst of twice the rate rounded up and at least 1', () => {
    const q = (rate: string): unknown => parseWriterConfig(['--wal', 'w', '--quota-records-per-sec', rate], {}).quota;
    expect(q('0.5')).toEqual({ recordsPerSec: 0.5, burstRecords: 1 });
    expect(q('0.001')).toEqual({ recordsPerSec: 0.001, burstRecords: 1 });
    expect(q('2.25')).toEqual({ recordsPerSec: 2.25, burstRecords: 5 });
    expect(q('0')).toEqual({ recordsPerSec: 0, burstRecords: 0 });
  });

  it('takes --admin-key several times and drops duplicates', () => {
    expect(parseWriterConfig(['--wal', 'w', '--admin-key', A, '--admin-key', B, '--admin-key', A.toUpperCase()], {}).adminKeys).toEqual([KEY_A.publicKey, KEY_B.publicKey]);
  });

  it('names the flag or variable at fault', () => {
    expect(fails([]).setting).toBe('--wal');
    expect(fails(['--wal', 'w', '--durability', 'sometimes']).setting).toBe('--durability');
    expect(fails(['--wal', 'w'], { STEMEDB_DURABILITY: 'maybe' }).setting).toBe('STEMEDB_DURABILITY');
    expect(fails(['--wal', 'w', '--listen', 'nohost']).setting).toBe('--listen');
    expect(fails(['--wal', 'w', '--listen', 'h:65536']).setting).toBe('--listen');
    expect(parseWriterConfig(['--wal', 'w', '--listen', 'h:65535'], {}).listen).toBe('h:65535');
    expect(fails(['--wal', 'w', '--admin-key', A.slice(1)]).setting).toBe('--admin-key');
    expect(fails(['--wal', 'w'], { STEMEDB_ADMIN_KEYS: 'zz' }).setting).toBe('STEMEDB_ADMIN_KEYS');
    expect(fails(['--wal', 'w', '--admin-key', '01' + '00'.repeat(31)]).reason).toMatch(/small-order/);
    expect(fails(['--wal', 'w', '--quota-records-per-sec=-1']).setting).toBe('--quota-records-per-sec');
    expect(fails(['--wal', 'w', '--quota-burst', '1.5']).setting).toBe('--quota-burst');
    expect(fails(['--wal', 'w', '--quota-records-per-sec', '1e3']).setting).toBe('--quota-records-per-sec');
    expect(fails(['--wal', 'w', '--quota-records-per-sec', '.5']).setting).toBe('--quota-records-per-sec');
    expect(fails(['--wal', 'w'], { STEMEDB_LOG_LEVEL: 'loud' }).setting).toBe('STEMEDB_LOG_LEVEL');
    expect(fails(['--wal', 'w', '--bogus']).setting).toBe('arguments');
  });

  it('documents every environment variable in --help', () => {
    for (const v of ['STEMEDB_WAL_DIR', 'STEMEDB_LISTEN', 'STEMEDB_ADMIN_KEYS', 'STEMEDB_DURABILITY', 'STEMEDB_LOG_LEVEL', 'STEMEDB_MAX_CONNECTION_AGE_MS', 'STEMEDB_QUOTA_RECORDS_PER_SEC', 'STEMEDB_QUOTA_BURST']) {
      expect(WRITER_HELP).toContain(v);
    }
  });
});
