/** ChildService: readiness, logs, bounded stop, and no child left behind (with a fake service from dist/). */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChildService, logTail } from '../../services/dev/child-service';
import { ChildStartError } from '../../services/dev/errors';
import { LOG_TAIL_BYTES_MAX, READER_SEMI_SPACE_MIB, SINGLE_THREADED_GC_CORES_MAX } from '../../services/dev/limits';
import { READER_SEMI_SPACE_FLAG, serviceNodeFlags, SINGLE_THREADED_GC_FLAG } from '../../services/dev/service-node-flags';
import { DIST, requireBuilt } from '../helpers/process';
import { useTempDir } from '../helpers/tmp';

const FAKE = join(DIST, 'services', 'dev', 'testing', 'fake-service.js');

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('ChildService', () => {
  const tmp = useTempDir('stemedb-child-');
  const start = (mode: string, more: Partial<Parameters<typeof ChildService.start>[0]> = {}): Promise<ChildService> =>
    ChildService.start({ service: 'fake', args: [mode], logPath: join(tmp.path, 'fake.log'), script: requireBuilt(FAKE), ...more });

  it('service processes run the garbage collector on their main thread alone on a machine of at most two cores', () => {
    expect(SINGLE_THREADED_GC_CORES_MAX).toBe(2);
    expect(serviceNodeFlags('writer', 1)).toEqual([SINGLE_THREADED_GC_FLAG]);
    expect(serviceNodeFlags('writer', 2)).toEqual([SINGLE_THREADED_GC_FLAG]);
    expect(serviceNodeFlags('writer', 3)).toEqual([]);
    expect(serviceNodeFlags('writer', 64)).toEqual([]);
  });

  it('a reader gets a larger young generation on every machine, the writer the default one', () => {
    expect(READER_SEMI_SPACE_FLAG).toBe(`--max-semi-space-size=${READER_SEMI_SPACE_MIB}`);
    expect(serviceNodeFlags('reader', 2)).toEqual([SINGLE_THREADED_GC_FLAG, READER_SEMI_SPACE_FLAG]);
    expect(serviceNodeFlags('reader', 64)).toEqual([READER_SEMI_SPACE_FLAG]);
    expect(serviceNodeFlags('writer', 64).some((f) => f.startsWith('--max-semi-space-size'))).toBe(false);
  });

  it('a child is started with the service node flags (this machine\'s by default, or the ones given)', async () => {
    const cmdline = (pid: number | undefined): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const byDefault = await start('ready');
    const given = await start('ready', { nodeFlags: ['--stack-size=2000'] });
    try {
      const argv = cmdline(byDefault.pid);
      expect(argv.slice(1, 1 + serviceNodeFlags('fake').length)).toEqual(serviceNodeFlags('fake'));
      expect(argv[1 + serviceNodeFlags('fake').length]).toBe(requireBuilt(FAKE));
      expect(cmdline(given.pid).slice(1, 3)).toEqual(['--stack-size=2000', requireBuilt(FAKE)]);
      // The flags are the named service's: a reader's include its young generation.
      const reader = await start('ready', { service: 'reader' });
      try {
        expect(cmdline(reader.pid)).toContain(READER_SEMI_SPACE_FLAG);
        expect(argv).not.toContain(READER_SEMI_SPACE_FLAG);
      } finally {
        await reader.stop();
      }
    } finally {
      await byDefault.stop();
      await given.stop();
    }
  });

  it('resolves with the address of the ready line and stops on SIGTERM with exit 0', async () => {
    const c = await start('ready');
    expect(c.address).toBe('127.0.0.1:1');
    expect(alive(c.pid)).toBe(true);
    expect(await c.stop()).toEqual({ code: 0, signal: null, forced: false });
    expect(alive(c.pid)).toBe(false);
  });

  it('a child that ignores SIGTERM is killed after the stop timeout, and says so', async () => {
    const c = await start('stubborn', { stopTimeoutMs: 300 });
    const t0 = Date.now();
    const exit = await c.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(exit).toEqual({ code: null, signal: 'SIGKILL', forced: true });
    expect(readFileSync(join(tmp.path, 'fake.log'), 'utf8')).toContain('ignoring SIGTERM');
  });

  it('a child that exits before it is ready is a ChildStartError quoting its log', async () => {
    const err = (await start('crash').then(() => undefined, (e: unknown) => e)) as ChildStartError;
    expect(err).toBeInstanceOf(ChildStartError);
    expect(err.service).toBe('fake');
    expect(err.reason).toBe('exited (code 3) before it was ready');
    expect(err.logTail).toBe('fake: cannot start (fake failure)');
    expect(err.message).toContain(join(tmp.path, 'fake.log'));
  });

  it('a child that never announces itself is killed after the ready timeout', async () => {
    const err = (await start('silent', { readyTimeoutMs: 300 }).then(() => undefined, (e: unknown) => e)) as ChildStartError;
    expect(err).toBeInstanceOf(ChildStartError);
    expect(err.reason).toBe('printed no ready line within 300 ms');
    expect(err.pid).toBeDefined();
    expect(alive(err.pid)).toBe(false);
  });

  it('aborting while it starts stops the child and rejects once it is gone', async () => {
    const abort = new AbortController();
    abort.abort();
    const err = (await start('silent', { signal: abort.signal }).then(() => undefined, (e: unknown) => e)) as ChildStartError;
    expect(err).toBeInstanceOf(ChildStartError);
    // SIGTERM may land before or after the child installs its handler.
    expect(err.reason).toMatch(/^exited \((code 0|SIGTERM)\) before it was ready$/);
    expect(alive(err.pid)).toBe(false);
  });

  it('appends to its log across runs', async () => {
    writeFileSync(join(tmp.path, 'fake.log'), 'earlier run\n');
    const c = await start('stubborn', { stopTimeoutMs: 100 });
    await c.stop();
    const text = readFileSync(join(tmp.path, 'fake.log'), 'utf8');
    expect(text.startsWith('earlier run\n')).toBe(true);
    expect(text).toContain('ignoring SIGTERM');
  });
});

describe('logTail', () => {
  const tmp = useTempDir('stemedb-tail-');

  it('a log of LOG_TAIL_BYTES_MAX bytes is quoted whole', () => {
    const path = join(tmp.path, 'a.log');
    const text = 'x'.repeat(LOG_TAIL_BYTES_MAX - 1) + '\n';
    writeFileSync(path, text);
    expect(logTail(path)).toBe('x'.repeat(LOG_TAIL_BYTES_MAX - 1));
  });

  it('one byte more: the tail starts at the first whole line within the last LOG_TAIL_BYTES_MAX bytes', () => {
    const path = join(tmp.path, 'b.log');
    const last = 'last line';
    const text = 'y'.repeat(LOG_TAIL_BYTES_MAX - last.length - 1) + '\n' + last;
    writeFileSync(path, 'z' + text);
    expect(Buffer.byteLength('z' + text)).toBe(LOG_TAIL_BYTES_MAX + 1);
    expect(logTail(path)).toBe(last);
  });

  it('a missing log is an empty tail', () => {
    expect(existsSync(join(tmp.path, 'none.log'))).toBe(false);
    expect(logTail(join(tmp.path, 'none.log'))).toBe('');
  });
});
