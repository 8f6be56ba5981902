import { MAX_CONNECTION_AGE_MS } from '../../shared/grpc/limits';
import { VERIFY_WORKERS_MAX } from '../../shared/verify/limits';
import { parseWriterConfig, WRITER_HELP, WriterConfigError } from '../../services/writer/config';
import {
  QUOTA_RECORDS_PER_SEC_DEFAULT,
  RETENTION_INTERVAL_MS_DEFAULT,
  RETENTION_INTERVAL_MS_MIN,
  RETENTION_LAG_BYTES_MAX_DEFAULT,
  WRITER_LISTEN_DEFAULT,
  WRITER_SEGMENT_BYTES_MAX,
  WRITER_SEGMENT_BYTES_MIN,
} from '../../services/writer/limits';
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

describe('writer configuration: verification threads', () => {
  it('--verify-workers (or STEMEDB_VERIFY_WORKERS) is 1..VERIFY_WORKERS_MAX, naming the setting; unset by default (one per core)', () => {
    expect(parseWriterConfig(['--wal', '/w'], {}).verifyWorkers).toBeUndefined();
    expect(parseWriterConfig(['--wal', '/w', '--verify-workers', '1'], {}).verifyWorkers).toBe(1);
    expect(parseWriterConfig(['--wal', '/w', '--verify-workers', String(VERIFY_WORKERS_MAX)], {}).verifyWorkers).toBe(VERIFY_WORKERS_MAX);
    expect(parseWriterConfig(['--wal', '/w'], { STEMEDB_VERIFY_WORKERS: '3' }).verifyWorkers).toBe(3);
    expect(fails(['--wal', '/w', '--verify-workers', '0']).message).toBe(`--verify-workers: must be in 1..${VERIFY_WORKERS_MAX} (got 0)`);
    expect(fails(['--wal', '/w', '--verify-workers', String(VERIFY_WORKERS_MAX + 1)]).setting).toBe('--verify-workers');
    expect(fails(['--wal', '/w'], { STEMEDB_VERIFY_WORKERS: 'two' }).setting).toBe('STEMEDB_VERIFY_WORKERS');
    expect(WRITER_HELP).toContain('STEMEDB_VERIFY_WORKERS');
  });
});

describe('writer configuration: segments and retention', () => {
  it('--segment-bytes is validated at both ends, naming the flag; off by default', () => {
    expect(parseWriterConfig(['--wal', '/w'], {}).segmentBytes).toBeUndefined();
    expect(parseWriterConfig(['--wal', '/w', '--segment-bytes', String(WRITER_SEGMENT_BYTES_MIN)], {}).segmentBytes).toBe(WRITER_SEGMENT_BYTES_MIN);
    expect(fails(['--wal', '/w', '--segment-bytes', String(WRITER_SEGMENT_BYTES_MIN - 1)]).message).toBe(`--segment-bytes: must be in ${WRITER_SEGMENT_BYTES_MIN}..${WRITER_SEGMENT_BYTES_MAX} (got ${WRITER_SEGMENT_BYTES_MIN - 1})`);
    expect(parseWriterConfig(['--wal', '/w', '--segment-bytes', String(WRITER_SEGMENT_BYTES_MAX)], {}).segmentBytes).toBe(WRITER_SEGMENT_BYTES_MAX);
    expect(fails(['--wal', '/w', '--segment-bytes', String(WRITER_SEGMENT_BYTES_MAX + 1)]).setting).toBe('--segment-bytes');
    expect(fails(['--wal', '/w'], { STEMEDB_SEGMENT_BYTES: '64k' }).setting).toBe('STEMEDB_SEGMENT_BYTES');
  });

  it('retention is off without --retention-keep-bytes; on with it, with documented defaults', () => {
    expect(parseWriterConfig(['--wal', '/w'], {}).retention).toBeUndefined();
    expect(parseWriterConfig(['--wal', '/w', '--retention-keep-bytes', '0'], {}).retention).toEqual({ keepBytes: 0, lagBytesMax: RETENTION_LAG_BYTES_MAX_DEFAULT, intervalMs: RETENTION_INTERVAL_MS_DEFAULT });
    expect(parseWriterConfig([], { STEMEDB_WAL_DIR: '/w', STEMEDB_RETENTION_KEEP_BYTES: '1048576', STEMEDB_RETENTION_LAG_BYTES_MAX: '67108864', STEMEDB_RETENTION_INTERVAL_MS: '500' }).retention).toEqual({
      keepBytes: 1_048_576,
      lagBytesMax: 67_108_864,
      intervalMs: 500,
    });
    expect(fails(['--wal', '/w', '--retention-keep-bytes', '1.5']).setting).toBe('--retention-keep-bytes');
    expect(fails(['--wal', '/w'], { STEMEDB_RETENTION_KEEP_BYTES: '-1' }).setting).toBe('STEMEDB_RETENTION_KEEP_BYTES');
  });

  it('the other retention flags need --retention-keep-bytes and are bounded', () => {
    expect(fails(['--wal', '/w', '--retention-lag-bytes-max', '100000000']).message).toBe('--retention-lag-bytes-max: needs --retention-keep-bytes (retention is off without it)');
    expect(fails(['--wal', '/w', '--retention-interval-ms', '100']).setting).toBe('--retention-interval-ms');
    const on = ['--wal', '/w', '--retention-keep-bytes', '0', '--segment-bytes', '65536'];
    // The lag bound is at least one segment: a consumer inside the active segment never expires.
    expect(parseWriterConfig([...on, '--retention-lag-bytes-max', '65536'], {}).retention!.lagBytesMax).toBe(65_536);
    expect(fails([...on, '--retention-lag-bytes-max', '65535']).message).toBe(`--retention-lag-bytes-max: must be in 65536..${Number.MAX_SAFE_INTEGER} (got 65535)`);
    expect(parseWriterConfig([...on, '--retention-interval-ms', String(RETENTION_INTERVAL_MS_MIN)], {}).retention!.intervalMs).toBe(RETENTION_INTERVAL_MS_MIN);
    expect(fails([...on, '--retention-interval-ms', String(RETENTION_INTERVAL_MS_MIN - 1)]).setting).toBe('--retention-interval-ms');
  });
});
