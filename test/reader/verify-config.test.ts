/** `stemedb reader --verify all|none --verify-workers N` and their environment variables. */
import { parseReaderConfig } from '../../services/reader/config';
import { VERIFY_WORKERS_MAX } from '../../shared/verify/limits';

const BASE = ['--data', '/d', '--writer', 'w:1'];

describe('reader verification settings', () => {
  it('leave the defaults to start-up when not given (all, one worker fewer than the cores)', () => {
    const c = parseReaderConfig(BASE, {});
    expect(c.verify).toBeUndefined();
    expect(c.verifyWorkers).toBeUndefined();
  });

  it('take a flag over its variable', () => {
    expect(parseReaderConfig([...BASE, '--verify', 'none', '--verify-workers', '0'], { STEMEDB_VERIFY: 'all', STEMEDB_VERIFY_WORKERS: '3' })).toMatchObject({ verify: 'none', verifyWorkers: 0 });
    expect(parseReaderConfig(BASE, { STEMEDB_VERIFY: 'none', STEMEDB_VERIFY_WORKERS: String(VERIFY_WORKERS_MAX) })).toMatchObject({ verify: 'none', verifyWorkers: VERIFY_WORKERS_MAX });
  });

  it('refuse an unknown mode and a worker count past VERIFY_WORKERS_MAX, naming the setting', () => {
    expect(() => parseReaderConfig([...BASE, '--verify', 'some'], {})).toThrow(expect.objectContaining({ name: 'ReaderConfigError', setting: '--verify' }));
    expect(() => parseReaderConfig([...BASE, '--verify-workers', String(VERIFY_WORKERS_MAX + 1)], {})).toThrow(expect.objectContaining({ setting: '--verify-workers' }));
    expect(() => parseReaderConfig(BASE, { STEMEDB_VERIFY_WORKERS: '-1' })).toThrow(expect.objectContaining({ setting: 'STEMEDB_VERIFY_WORKERS' }));
  });
});
