/**
 * Child processes running the built JavaScript (never a TypeScript loader).
 *
 * Convention: a long-running service prints exactly one JSON line to stdout when
 * it is ready, e.g. {"ready":true,"service":"writer","address":"127.0.0.1:40123"}.
 * Servers bind port 0 so the OS picks a free port; tests read it from that line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const DIST = join(REPO_ROOT, 'dist');
export const CLI = join(DIST, 'services', 'cli', 'main.js');

/** Throws a clear error when the build is missing (run `make build`). */
export function requireBuilt(file: string = CLI): string {
  if (!existsSync(file)) throw new Error(`${file} is missing: run 'make build' before the integration tests`);
  return file;
}

export interface Spawned {
  readonly child: ChildProcess;
  /** Everything written to stderr so far (for failure messages). */
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process ends. */
  readonly exited: Promise<number | string>;
}

/** Start `node <script> ...args` with the given environment additions. */
export function startNode(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Spawned {
  const child = spawn(process.execPath, [requireBuilt(script), ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let errText = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    errText += d;
    if (errText.length > 1_000_000) errText = errText.slice(-500_000);
  });
  const exited = new Promise<number | string>((res) => {
    child.on('exit', (code, signal) => res(code ?? signal ?? 'unknown'));
  });
  return { child, stderr: () => errText, exited };
}

/** Wait for the first stdout line that parses as JSON with `ready: true`. */
export function waitForReady(p: Spawned, timeoutMs = 20_000): Promise<Record<string, unknown>> {
  return new Promise((res, rej) => {
    const rl = createInterface({ input: p.child.stdout! });
    const timer = setTimeout(() => {
      rl.close();
      rej(new Error(`process not ready after ${timeoutMs} ms; stderr:\n${p.stderr()}`));
    }, timeoutMs);
    rl.on('line', (line) => {
      try {
        const msg = JSON.parse(line) as Record<string, unknown>;
        if (msg.ready === true) {
          clearTimeout(timer);
          rl.close();
          res(msg);
        }
      } catch {
        // not a JSON line: ignore
      }
    });
    void p.exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`process exited (${code}) before it was ready; stderr:\n${p.stderr()}`));
    });
  });
}

/** Run the CLI to completion and collect its output. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [requireBuilt(CLI), ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', rej);
    child.on('close', (code) => res({ code: code ?? -1, stdout, stderr }));
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

/** SIGKILL and wait for the exit. */
export async function kill9(p: Spawned): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await p.exited;
}

/** A running `stemedb writer` or `stemedb reader` process. */
export interface ServiceProcess {
  readonly address: string;
  /** The whole ready line (e.g. `health_address` when a health-only port was asked for). */
  readonly ready: Record<string, unknown>;
  readonly proc: Spawned;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | string>;
}

/**
 * Start `stemedb <service> ...args` (quiet logs unless `env` says otherwise)
 * and wait for its ready line, which must name the service and its address.
 */
export async function startService(service: 'writer' | 'reader', args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServiceProcess> {
  const proc = startNode(CLI, [service, ...args], { STEMEDB_LOG_LEVEL: 'warn', ...env });
  const ready = await waitForReady(proc);
  if (ready.service !== service || typeof ready.address !== 'string') throw new Error(`unexpected ready line ${JSON.stringify(ready)}`);
  return {
    address: ready.address,
    ready,
    proc,
    stop: async () => {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
      return proc.exited;
    },
  };
}
