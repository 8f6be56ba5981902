/**
 * `stemedb dev`: a writer and a reader as two child processes on embedded
 * storage under one directory, the demo graph loaded into an empty log, the
 * commands to try printed; SIGINT, SIGTERM or SIGHUP stop the reader, then the
 * writer, each with a bounded wait. Loads grpc-js (import it lazily).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { writeKeyFile } from '../../shared/domain/key-file';
import { generateKeyPair } from '../../shared/domain/signing';
import { defaultVerifyWorkers } from '../../shared/verify/signature-verifier';
import { ChildService, CLI_MAIN, type ChildExit } from './child-service';
import { buildDemoGraph, DEMO_AGENT_NAMES } from './demo-graph';
import { assertionOffset, loadDemoIfEmpty, waitForReader, type DemoLoad } from './demo-load';
import { ensurePortFree } from './port-check';
import { renderTour, tourSteps, type TourStep } from './tour';

export interface DevConfig {
  /** @default DEV_DATA_DIR_DEFAULT */
  readonly dataDir: string;
  /** @default DEV_WRITER_LISTEN_DEFAULT */
  readonly writerListen: string;
  /** @default DEV_READER_LISTEN_DEFAULT */
  readonly readerListen: string;
  /** One JSON line instead of the tour text. */
  readonly json: boolean;
}

/** Where `dev` prints (the CLI's CommandIo). */
export interface DevOutput {
  out(text: string): void;
  err(text: string): void;
}

/** Signals that stop `dev` (SIGHUP: the terminal closed). */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The files and directories `dev` uses under its data directory. */
export function devPaths(dataDir: string): { wal: string; reader: string; logs: string; writerLog: string; readerLog: string; key: string } {
  const logs = join(dataDir, 'logs');
  return { wal: join(dataDir, 'wal'), reader: join(dataDir, 'reader'), logs, writerLog: join(logs, 'writer.log'), readerLog: join(logs, 'reader.log'), key: join(dataDir, 'keys', 'you.json') };
}

/** A path as the user should type it: `./relative` when inside the working directory, else absolute. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const abs = resolve(cwd, path);
  const rel = relative(cwd, abs);
  if (rel === '') return '.';
  return rel.startsWith('..') || isAbsolute(rel) ? abs : `.${sep}${rel}`;
}

/** `./stemedb` when run from the repository root (the wrapper script is there), else `node <main.js>`. */
export function programName(cwd = process.cwd(), cliMain = CLI_MAIN): string {
  const wrapper = join(cwd, 'stemedb');
  return existsSync(wrapper) && resolve(cwd, 'dist', 'services', 'cli', 'main.js') === cliMain ? './stemedb' : `node ${displayPath(cliMain, cwd)}`;
}

class Stopped extends Error {
  override readonly name = 'Stopped';
}

/** Runs until a stop signal; resolves with the exit code (0 after a clean stop of both children). */
export async function runDev(config: DevConfig, io: DevOutput): Promise<number> {
  const paths = devPaths(config.dataDir);
  await ensurePortFree(config.writerListen, '--writer-listen');
  await ensurePortFree(config.readerListen, '--reader-listen');
  for (const dir of [paths.wal, paths.reader, paths.logs, join(config.dataDir, 'keys')]) mkdirSync(dir, { recursive: true });
  if (!existsSync(paths.key)) writeKeyFile(paths.key, generateKeyPair());

  let signalled: (signal: NodeJS.Signals) => void = () => undefined;
  const stopRequested = new Promise<NodeJS.Signals>((res) => (signalled = res));
  // Aborts a child that is still starting; the ones already started are in `children`.
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    abort.abort();
    signalled(signal);
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  const children: ChildService[] = [];
  const killOnExit = (): void => children.forEach((c) => c.killNow());
  process.once('exit', killOnExit);
  const orStop = <T>(p: Promise<T>): Promise<T> => Promise.race([p, stopRequested.then((): never => { throw new Stopped('stopped before it was ready'); })]);

  try {
    const demo = buildDemoGraph();
    const writer = await ChildService.start({ service: 'writer', args: ['--wal', paths.wal, '--listen', config.writerListen, '--admin-key', demo.adminKey.toString('hex'), '--verify-workers', String(defaultVerifyWorkers('admission-beside-reader'))], logPath: paths.writerLog, signal: abort.signal });
    children.push(writer);
    const reader = await ChildService.start({ service: 'reader', args: ['--data', paths.reader, '--writer', writer.address, '--listen', config.readerListen], logPath: paths.readerLog, signal: abort.signal });
    children.push(reader);
    const load = await orStop(loadDemoIfEmpty(writer.address));
    await orStop(waitForReader(reader.address, load.headOffset));
    const supersessionOffset = await orStop(assertionOffset(reader.address, demo.supersessionId));
    const steps = tourSteps({ program: programName(), writer: writer.address, reader: reader.address, keyPath: displayPath(paths.key), supersessionOffset });
    io.out(config.json ? readyJson(config, paths, writer, reader, load, supersessionOffset !== undefined, steps) : banner(config, paths, writer, reader, load, supersessionOffset !== undefined, steps));

    const ended = await Promise.race([stopRequested.then((signal) => ({ signal })), writer.exited.then(() => ({ died: writer })), reader.exited.then(() => ({ died: reader }))]);
    const exits = await stopAll(children);
    if ('died' in ended) {
      io.err(`stemedb dev: the ${ended.died.options.service} exited unexpectedly; its log is ${displayPath(ended.died.options.logPath)}. Stopped the other process.`);
      return 1;
    }
    return report(exits, config, io);
  } catch (err) {
    await stopAll(children);
    if (err instanceof Stopped || abort.signal.aborted) {
      if (!config.json) io.out('Stopped before everything was ready.');
      return 0;
    }
    throw err;
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
    process.off('exit', killOnExit);
  }
}

/** Stops the children newest first (the reader before the writer it tails). */
async function stopAll(children: readonly ChildService[]): Promise<Map<string, ChildExit>> {
  const exits = new Map<string, ChildExit>();
  for (const c of [...children].reverse()) exits.set(c.options.service, await c.stop());
  return exits;
}

function report(exits: Map<string, ChildExit>, config: DevConfig, io: DevOutput): number {
  const bad = [...exits].filter(([, e]) => e.forced || e.code !== 0);
  if (config.json) io.out(JSON.stringify({ stopped: true, exits: Object.fromEntries([...exits].map(([s, e]) => [s, { code: e.code, signal: e.signal, forced: e.forced }])) }));
  else if (bad.length === 0) io.out(`Stopped the reader and the writer. The data stays in ${displayPath(config.dataDir)}: run again to continue where you left off.`);
  for (const [service, e] of bad) {
    io.err(`stemedb dev: the ${service} did not stop cleanly (${e.forced ? `killed after ignoring SIGTERM` : e.signal ?? `exit code ${String(e.code)}`}); see ${displayPath(devPaths(config.dataDir)[service === 'writer' ? 'writerLog' : 'readerLog'])}`);
  }
  return bad.length === 0 ? 0 : 1;
}

type Paths = ReturnType<typeof devPaths>;

function readyJson(config: DevConfig, paths: Paths, writer: ChildService, reader: ChildService, load: DemoLoad, demoPresent: boolean, steps: readonly TourStep[]): string {
  return JSON.stringify({
    ready: true,
    service: 'dev',
    writer: writer.address,
    reader: reader.address,
    pids: { writer: writer.pid, reader: reader.pid },
    data: resolve(config.dataDir),
    logs: { writer: resolve(paths.writerLog), reader: resolve(paths.readerLog) },
    key: resolve(paths.key),
    demo: { loaded: load.loaded, present: demoPresent, records: load.records, head_offset: load.headOffset },
    steps: steps.map((s) => ({ title: s.title, commands: s.commands.map((c) => ({ argv: c.argv, line: c.line, offset_from_previous: c.offsetFromPrevious })) })),
  });
}

function banner(config: DevConfig, paths: Paths, writer: ChildService, reader: ChildService, load: DemoLoad, demoPresent: boolean, steps: readonly TourStep[]): string {
  const d = displayPath;
  const data = load.loaded
    ? `Loaded the demo graph into an empty log: ${load.records} records by ${DEMO_AGENT_NAMES.join(', ')} and an admin (log head ${load.headOffset}).`
    : `Kept the existing data in ${d(config.dataDir)} (log head ${load.headOffset}); the demo graph is loaded only into an empty log${demoPresent ? '' : ', and this log has none'}.`;
  return [
    'StemeDB is running: a writer and a reader on embedded storage. Ctrl-C stops both.',
    '',
    `  writer    ${writer.address.padEnd(21)} log in ${d(paths.wal)}`,
    `  reader    ${reader.address.padEnd(21)} store in ${d(paths.reader)}`,
    `  logs      ${d(paths.writerLog)}, ${d(paths.readerLog)}`,
    `  your key  ${d(paths.key)}`,
    '',
    data,
    '',
    'Try these in another terminal, from this directory:',
    '',
    renderTour(steps),
    '',
  ].join('\n');
}
