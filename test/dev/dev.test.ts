/**
 * `stemedb dev` as a new user meets it: started on free ports, every suggested
 * command run through the built CLI, stopped with SIGINT; a second start on the
 * same data keeps it; a busy port is a clear error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { OFFSET_PLACEHOLDER } from '../../services/dev/tour';
import { VERIFY_WORKERS_MAX } from '../../shared/verify/limits';
import { CLI, runCli, startNode, waitForReady, type Spawned } from '../helpers/process';
import { listenOnLoopback } from '../helpers/net';
import { makeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

jest.setTimeout(120_000);

interface ReadyLine {
  writer: string;
  reader: string;
  pids: { writer: number; reader: number };
  data: string;
  logs: { writer: string; reader: string };
  key: string;
  demo: { loaded: boolean; present: boolean; records: number; head_offset: number };
  steps: Array<{ title: string; commands: Array<{ argv: string[]; line: string; offset_from_previous: boolean }> }>;
}

interface Answer {
  resolution: { outcome: string; object?: { value: unknown }; contested: boolean; alternatives: Array<{ object: { value: unknown } }> };
  served_at_offset: number;
}

const DEV_READY_TIMEOUT_MS = 90_000;

async function startDev(dataDir: string, extra: string[] = []): Promise<{ proc: Spawned; ready: ReadyLine; stdout: () => string }> {
  const proc = startNode(CLI, ['dev', '--data', dataDir, '--writer-listen', '127.0.0.1:0', '--reader-listen', '127.0.0.1:0', '--json', ...extra]);
  let out = '';
  proc.child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const ready = (await waitForReady(proc, DEV_READY_TIMEOUT_MS)) as unknown as ReadyLine;
  return { proc, ready, stdout: () => out };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs a suggested command; asserts exit 0. */
async function run(argv: readonly string[]): Promise<string> {
  const r = await runCli([...argv]);
  if (r.code !== 0) throw new Error(`'${argv.join(' ')}' exited ${r.code}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** The same command with --json, parsed: for checking values, not wording. */
async function answerOf(argv: readonly string[]): Promise<Answer> {
  return JSON.parse(await run([...argv, '--json'])) as Answer;
}

const winner = (a: Answer): unknown => a.resolution.object?.value;
const find = (ready: ReadyLine, pred: (argv: string[]) => boolean): string[] => {
  const hit = ready.steps.flatMap((s) => s.commands).find((c) => pred(c.argv));
  if (hit === undefined) throw new Error('no such suggested command');
  return hit.argv;
};
const has = (argv: string[], ...words: string[]): boolean => words.every((w) => argv.includes(w));

describe('stemedb dev', () => {
  it('loads the demo, every suggested command works, and SIGINT stops both children with exit 0; a rerun keeps the data', async () => {
    const tmp = makeTempDir('stemedb-dev-');
    try {
      const first = await startDev(tmp.path);
      const { ready } = first;
      try {
        expect(ready.demo).toMatchObject({ loaded: true, present: true });
        expect(ready.data).toBe(tmp.path);
        expect(existsSync(ready.logs.writer) && existsSync(ready.logs.reader) && existsSync(ready.key)).toBe(true);
        expect(alive(ready.pids.writer) && alive(ready.pids.reader)).toBe(true);
        // The writer shares the machine with the reader: it leaves the reader's applying thread a core.
        expect(/"msg":"writer ready".*"verify_workers":(\d+)/.exec(readFileSync(ready.logs.writer, 'utf8'))?.[1]).toBe(String(Math.max(1, Math.min(VERIFY_WORKERS_MAX, availableParallelism() - 1))));

        // Every command, exactly as suggested, in order; OFFSET from the assert before it.
        let previous = '';
        for (const step of ready.steps) {
          for (const c of step.commands) {
            let argv = c.argv;
            if (c.offset_from_previous) {
              const offset = /^offset:\s+(\d+)$/m.exec(previous)?.[1];
              expect(offset).toBeDefined();
              argv = argv.map((a) => (a === OFFSET_PLACEHOLDER ? offset! : a));
            }
            previous = await run(argv);
            expect(previous.trim()).not.toBe('');
          }
        }

        // What the tour says each command shows (checked through --json).
        const myanmar = find(ready, (a) => a[0] === 'resolve' && has(a, 'country:myanmar') && !a.includes('--lens'));
        expect(winner(await answerOf(myanmar))).toBe('Yangon');
        expect(winner(await answerOf(find(ready, (a) => has(a, 'country:myanmar', 'recency'))))).toBe('Naypyidaw');
        expect(winner(await answerOf(find(ready, (a) => has(a, 'country:myanmar', 'authority'))))).toBe('Naypyidaw');
        const asOf = find(ready, (a) => has(a, 'planet:pluto', '--as-of'));
        expect(winner(await answerOf(asOf))).toBe('planet');
        expect(winner(await answerOf(asOf.slice(0, asOf.indexOf('--as-of'))))).toBe('dwarf planet');
        const explain = find(ready, (a) => a[0] === 'explain');
        expect(await run(explain)).toMatch(/Yangon[\s\S]*Naypyidaw|Naypyidaw[\s\S]*Yangon/);
        // The contested pair was contested before our own assert settled it: as of the head at load time.
        const lagos = find(ready, (a) => a[0] === 'resolve' && has(a, 'city:lagos') && !a.includes('--min-offset'));
        const lagosThen = await answerOf([...lagos, '--as-of', String(ready.demo.head_offset)]);
        expect(lagosThen.resolution.contested).toBe(true);
        // After the suggested assert (15388000, confidence 0.9), that value wins.
        expect(winner(await answerOf(lagos))).toBe('15388000');
      } finally {
        first.proc.child.kill('SIGINT');
      }
      expect(await first.proc.exited).toBe(0);
      const stopLine = JSON.parse(first.stdout().trim().split('\n').pop()!) as { stopped: boolean; exits: Record<string, { code: number; forced: boolean }> };
      expect(stopLine).toEqual({ stopped: true, exits: { reader: { code: 0, signal: null, forced: false }, writer: { code: 0, signal: null, forced: false } } });
      await waitFor(() => (alive(first.ready.pids.writer) || alive(first.ready.pids.reader) ? undefined : true), 'both children to be gone', 5_000);

      // Again on the same data: kept, not loaded twice; stopped with SIGTERM this time.
      const second = await startDev(tmp.path);
      try {
        expect(second.ready.demo).toMatchObject({ loaded: false, present: true, records: 0 });
        const headAfterFirst = Number(/head offset:\s+(\d+)/.exec(await run(['status', '--writer', second.ready.writer]))?.[1]);
        expect(second.ready.demo.head_offset).toBe(headAfterFirst);
        expect(second.ready.demo.head_offset).toBeGreaterThan(first.ready.demo.head_offset);
        const lagos = find(second.ready, (a) => a[0] === 'resolve' && has(a, 'city:lagos') && !a.includes('--min-offset'));
        expect(winner(await answerOf(lagos))).toBe('15388000');
      } finally {
        second.proc.child.kill('SIGTERM');
      }
      expect(await second.proc.exited).toBe(0);
      expect(alive(second.ready.pids.writer) || alive(second.ready.pids.reader)).toBe(false);
    } finally {
      tmp.cleanup();
    }
  });

  it('a child that dies stops the other, and dev exits 1 naming the dead one and its log', async () => {
    const tmp = makeTempDir('stemedb-dev-');
    try {
      const { proc, ready } = await startDev(tmp.path);
      process.kill(ready.pids.reader, 'SIGKILL');
      expect(await proc.exited).toBe(1);
      expect(proc.stderr()).toContain(`the reader exited unexpectedly; its log is ${ready.logs.reader}`);
      expect(alive(ready.pids.writer)).toBe(false);
    } finally {
      tmp.cleanup();
    }
  });

  it.each(['--writer-listen', '--reader-listen'])('a busy port given to %s is an error naming it and the flag, and starts nothing', async (flag) => {
    const busy = await listenOnLoopback();
    const tmp = makeTempDir('stemedb-dev-');
    try {
      const data = join(tmp.path, 'data');
      const other = flag === '--writer-listen' ? '--reader-listen' : '--writer-listen';
      const r = await runCli(['dev', '--data', data, flag, busy.address, other, '127.0.0.1:0']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${busy.address} is already in use`);
      expect(r.stderr).toContain(`${flag} HOST:PORT`);
      expect(existsSync(data)).toBe(false);
    } finally {
      busy.server.close();
      tmp.cleanup();
    }
  });

  it('refuses the same fixed port for both services before starting anything', async () => {
    const r = await runCli(['dev', '--writer-listen', '127.0.0.1:7999', '--reader-listen', '127.0.0.1:7999']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--writer-listen and --reader-listen are both 127.0.0.1:7999');
  });
});
