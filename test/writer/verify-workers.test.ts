/**
 * The writer's verification threads: `--verify-workers` reaches its verifier
 * (the ready log names the count), the default is one per core, and records
 * are verified and appended either way.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { VERIFY_WORKERS_MAX } from '../../shared/verify/limits';
import { useTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';
import { requireBuilt } from '../helpers/process';
import { append, client, pb, signedAssertion, startWriterProcess } from './writer-fixtures';

/** The verify_workers field of the writer's "writer ready" log line, once it is on stderr. */
function readyWorkers(stderr: () => string): Promise<number> {
  return waitFor(() => {
    const m = /"msg":"writer ready".*"verify_workers":(\d+)/.exec(stderr());
    return m === null ? undefined : Number(m[1]);
  }, 'the writer ready log line');
}

describe('writer verification threads', () => {
  const tmp = useTempDir('stemedb-verify-workers-');
  beforeAll(() => requireBuilt());

  it.each([
    ['the default, one per core', [] as string[], Math.min(VERIFY_WORKERS_MAX, availableParallelism())],
    ['--verify-workers 3', ['--verify-workers', '3'], 3],
  ])('%s: the verifier runs that many workers and appends verify', async (name, args, expected) => {
    const writer = await startWriterProcess(join(tmp.path, 'wal'), args, { STEMEDB_LOG_LEVEL: 'info' });
    try {
      expect(await readyWorkers(writer.proc.stderr)).toBe(expected);
      const c = client(writer.address);
      try {
        const receipt = await append(c, pb(signedAssertion(`workers-${name}`)));
        expect(Number(receipt.offset)).toBe(0);
      } finally {
        c.close();
      }
    } finally {
      expect(await writer.stop()).toBe(0);
    }
  });
});
