/**
 * A reader registers with its writer as a consumer (--consumer-id or
 * STEMEDB_CONSUMER_ID, else the host name) before it tails; a consumer id the
 * writer refuses is a configuration mistake the reader fails on loudly
 * instead of serving without holding retention. A malformed id given to the
 * reader is refused at start, before it dials; one that reaches the writer
 * (the host name) fails the tail source with the writer's reason.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { defaultConsumerId, WriterTailSource } from '../../services/ingest/sources/writer-tail-source';
import { CLI, startNode } from '../helpers/process';
import { makeTempDir } from '../helpers/tmp';
import { startWriterProcess, type WriterProcess } from '../writer/writer-fixtures';

describe('consumer registration by a reader', () => {
  const dir = makeTempDir('stemedb-consumer-reg-');
  let writer: WriterProcess;

  beforeAll(async () => {
    writer = await startWriterProcess(join(dir.path, 'wal'), ['--durability', 'none']);
  });
  afterAll(async () => {
    await writer?.stop();
    dir.cleanup();
  });

  it('the default id is STEMEDB_CONSUMER_ID, else the host name', () => {
    expect(defaultConsumerId({ STEMEDB_CONSUMER_ID: ' reader-7 ' })).toBe('reader-7');
    expect(defaultConsumerId({ STEMEDB_CONSUMER_ID: '' })).toBe(hostname());
    expect(defaultConsumerId({})).toBe(hostname());
  });

  it('a tail source whose consumer id the writer refuses fails, naming the id and the writer\'s reason', async () => {
    const source = new WriterTailSource(writer.address, { consumerId: 'no spaces' });
    const abort = new AbortController();
    try {
      const first = source.records(0, abort.signal).next();
      await expect(first).rejects.toMatchObject({ name: 'ConsumerRegistrationError', message: expect.stringMatching(/refused consumer 'no spaces': consumer_id: 'no spaces' must be letters, digits/) });
    } finally {
      abort.abort();
      await source.close();
    }
  });

  it('a reader given a malformed consumer id exits non-zero at start, naming the setting', async () => {
    const proc = startNode(CLI, ['reader', '--data', join(dir.path, 'data'), '--writer', writer.address, '--listen', '127.0.0.1:0'], { STEMEDB_CONSUMER_ID: 'no spaces', STEMEDB_LOG_LEVEL: 'warn' });
    try {
      const code = await Promise.race([proc.exited, new Promise((r) => setTimeout(() => r('still running after 20 s'), 20_000).unref())]);
      expect(code).not.toBe(0);
      expect(code).not.toBe('still running after 20 s');
      expect(proc.stderr()).toMatch(/STEMEDB_CONSUMER_ID: 'no spaces' must be letters, digits/);
    } finally {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
    }
  });
});
