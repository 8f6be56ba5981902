/**
 * `stemedb reader --consumer-id`: the name a reader registers under with the
 * writer's retention, from the flag or STEMEDB_CONSUMER_ID, checked as the
 * writer's registry checks it, and only for a --writer source.
 */
import { parseReaderConfig } from '../../services/reader/config';

const base = ['--data', '/d', '--writer', 'w:1'];

function consumerIdOf(args: string[], env: NodeJS.ProcessEnv = {}): string | undefined {
  const source = parseReaderConfig(args, env).source;
  return source.kind === 'writer' ? source.consumerId : undefined;
}

describe('reader --consumer-id', () => {
  it('takes the flag over the variable, and neither leaves the default (the host name) to the tail source', () => {
    expect(consumerIdOf([...base, '--consumer-id', 'reader-0'])).toBe('reader-0');
    expect(consumerIdOf(base, { STEMEDB_CONSUMER_ID: 'pod-7' })).toBe('pod-7');
    expect(consumerIdOf([...base, '--consumer-id', 'reader-0'], { STEMEDB_CONSUMER_ID: 'pod-7' })).toBe('reader-0');
    expect(consumerIdOf(base)).toBeUndefined();
  });

  it('refuses a name the writer would refuse, naming the setting', () => {
    expect(() => parseReaderConfig([...base, '--consumer-id=.dot-first'], {})).toThrow(/^--consumer-id: /);
    expect(() => parseReaderConfig([...base, '--consumer-id', 'x'.repeat(129)], {})).toThrow(/--consumer-id: .*128/);
    expect(consumerIdOf([...base, '--consumer-id', 'x'.repeat(128)])).toBe('x'.repeat(128));
    expect(() => parseReaderConfig(base, { STEMEDB_CONSUMER_ID: 'has space' })).toThrow(/^STEMEDB_CONSUMER_ID: /);
  });

  it('is only for a reader tailing a writer', () => {
    expect(() => parseReaderConfig(['--data', '/d', '--wal', '/w', '--consumer-id', 'r'], {})).toThrow(/--consumer-id: only with --writer/);
  });
});
