/**
 * One service (writer or reader) as a child process of `stemedb dev`: the same
 * CLI file the user ran, started with `node` and the flags of
 * service-node-flags.ts, its stderr (JSON logs) and any
 * stdout after the ready line appended to a log file, so the terminal stays
 * clean. Children get their own process group: a Ctrl-C in the terminal
 * reaches `dev` only, and `dev` stops them in order (reader, then writer).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, createWriteStream, openSync, readSync, fstatSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ChildStartError } from './errors';
import { CHILD_READY_TIMEOUT_MS, CHILD_STOP_TIMEOUT_MS, LOG_TAIL_BYTES_MAX } from './limits';
import { serviceNodeFlags } from './service-node-flags';

/** The CLI entry point next to this file in dist/ (the file the user ran). */
export const CLI_MAIN = resolve(__dirname, '..', 'cli', 'main.js');

/** How a child ended. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when it ignored SIGTERM for CHILD_STOP_TIMEOUT_MS and was killed. */
  readonly forced: boolean;
}

export interface ChildServiceOptions {
  /** `writer` or `reader`: the subcommand and the `service` of its ready line. */
  readonly service: string;
  /** Arguments after the subcommand. */
  readonly args: readonly string[];
  /** File that receives its stderr (appended). */
  readonly logPath: string;
  /** @default CHILD_READY_TIMEOUT_MS */
  readonly readyTimeoutMs?: number;
  /** @default CHILD_STOP_TIMEOUT_MS */
  readonly stopTimeoutMs?: number;
  /** Aborting it before the ready line stops the child (SIGTERM) and rejects once it has exited. */
  readonly signal?: AbortSignal;
  /** The script `node` runs, before the service name. @default CLI_MAIN */
  readonly script?: string;
  /** Flags for `node` before the script. @default serviceNodeFlags(service) (this machine's, for this service) */
  readonly nodeFlags?: readonly string[];
}

export class ChildService {
  /** The address from its ready line. */
  readonly address: string;
  /** Settles when the process has exited, for whatever reason. */
  readonly exited: Promise<ChildExit>;
  private forced = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly options: ChildServiceOptions,
    address: string,
    exited: Promise<ChildExit>,
  ) {
    this.address = address;
    this.exited = exited.then((e) => ({ ...e, forced: this.forced }));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Start it and resolve once it printed its ready line; rejects with ChildStartError. */
  static async start(options: ChildServiceOptions): Promise<ChildService> {
    const logFd = openSync(options.logPath, 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [...(options.nodeFlags ?? serviceNodeFlags(options.service)), options.script ?? CLI_MAIN, options.service, ...options.args], { detached: true, stdio: ['ignore', 'pipe', logFd] });
    } finally {
      // The child holds its own copy of the descriptor.
      closeSync(logFd);
    }
    const exited = new Promise<ChildExit>((res) => child.once('exit', (code, signal) => res({ code, signal, forced: false })));
    const onAbort = (): void => void child.kill('SIGTERM');
    if (options.signal?.aborted === true) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    let address: string;
    try {
      address = await readyAddress(child, options, exited);
    } catch (err) {
      // Never leave a half-started child behind (it may have been spawned and then failed to announce itself).
      if (child.pid !== undefined) {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      }
      throw err;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
    // Whatever it prints later goes to the log too. The descriptor is opened now,
    // synchronously: an asynchronous open could fail later (the log directory
    // removed meanwhile) as an unhandled stream error that takes `dev` down.
    const later = createWriteStream('', { fd: openSync(options.logPath, 'a') });
    later.on('error', () => child.stdout!.unpipe(later)); // a failing log must not stop the service
    child.stdout!.pipe(later);
    return new ChildService(child, options, address, exited);
  }

  /** SIGTERM, wait up to the stop timeout, then SIGKILL. Resolves with how it ended. */
  async stop(): Promise<ChildExit> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timeoutMs = this.options.stopTimeoutMs ?? CHILD_STOP_TIMEOUT_MS;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((res) => (timer = setTimeout(() => res('late'), timeoutMs)));
      const first = await Promise.race([this.exited, late]);
      clearTimeout(timer);
      if (first === 'late') {
        this.forced = true;
        this.child.kill('SIGKILL');
      }
    }
    return this.exited;
  }

  /** Best effort, synchronous: for a `dev` that is exiting abnormally. */
  killNow(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
  }
}

function readyAddress(child: ChildProcess, options: ChildServiceOptions, exited: Promise<ChildExit>): Promise<string> {
  const timeoutMs = options.readyTimeoutMs ?? CHILD_READY_TIMEOUT_MS;
  return new Promise((res, rej) => {
    const rl = createInterface({ input: child.stdout! });
    let settled = false;
    const fail = (reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      rl.close();
      rej(new ChildStartError(options.service, reason, options.logPath, logTail(options.logPath), child.pid));
    };
    const timer = setTimeout(() => fail(`printed no ready line within ${timeoutMs} ms`), timeoutMs);
    rl.on('line', (line) => {
      const msg = parseJson(line);
      if (settled || msg?.ready !== true || msg.service !== options.service || typeof msg.address !== 'string') return;
      settled = true;
      clearTimeout(timer);
      rl.close();
      res(msg.address);
    });
    child.once('error', (err) => fail(`could not be started: ${err.message}`));
    void exited.then((e) => fail(`exited (${e.signal ?? `code ${String(e.code)}`}) before it was ready`));
  });
}

function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The last LOG_TAIL_BYTES_MAX bytes of a log, from a line start, trimmed. */
export function logTail(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, LOG_TAIL_BYTES_MAX);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    const text = buf.toString('utf8');
    const start = length < size ? text.indexOf('\n') + 1 : 0;
    return text.slice(start).trimEnd();
  } finally {
    closeSync(fd);
  }
}
