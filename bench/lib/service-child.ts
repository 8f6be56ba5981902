/**
 * A StemeDB service (writer or reader) as a child process of a bench, from
 * the built CLI: started with its flags, ready when it prints its ready line,
 * stopped with SIGTERM.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { serviceNodeFlags } from '../../services/dev/service-node-flags';

const CLI = join(__dirname, '..', '..', 'services', 'cli', 'main.js');

/**
 * The Node flags a service child runs with: this machine's for that service,
 * as `stemedb dev` starts it (services/dev/service-node-flags.ts), unless
 * STEMEDB_BENCH_SERVICE_NODE_FLAGS gives others for every service
 * (space-separated; empty: none), for an A/B of a runtime setting.
 */
export function benchServiceNodeFlags(service: 'writer' | 'reader'): string[] {
  const given = process.env.STEMEDB_BENCH_SERVICE_NODE_FLAGS;
  if (given === undefined) return serviceNodeFlags(service);
  return given.split(' ').filter((f) => f !== '');
}

/** Set in a bench process that `runWithReaderFlags` started again with the flags. */
const REEXEC_ENV = 'STEMEDB_BENCH_REEXEC';

/**
 * A bench process that ingests, or drives services, stands for what a reader
 * process does, so it runs with the Node flags a reader is started with
 * (benchServiceNodeFlags('reader')): `make bench` and the profile-* tools run by
 * hand measure the same process. When this process lacks one of them, it runs
 * `script` again with them, waits, takes that run's exit status and returns
 * true; the caller then does nothing more. False when the flags are in place.
 * An A/B of a runtime flag sets STEMEDB_BENCH_SERVICE_NODE_FLAGS (flags given on
 * the command line beside these come before them, so these win).
 */
export function runWithReaderFlags(script: string): boolean {
  const flags = benchServiceNodeFlags('reader');
  if (process.env[REEXEC_ENV] === '1' || flags.every((f) => process.execArgv.includes(f))) return false;
  const run = spawnSync(process.execPath, [...process.execArgv, ...flags, script, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, [REEXEC_ENV]: '1' } });
  process.exitCode = run.status ?? 1;
  return true;
}

export interface ServiceChild {
  readonly address: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** `stemedb <service> <args>` (node started with benchServiceNodeFlags(service) and `nodeArgs`, e.g. `--cpu-prof`); resolves once its ready line names its address. */
export function startServiceChild(service: 'writer' | 'reader', args: readonly string[], readyTimeoutMs: number, nodeArgs: readonly string[] = []): Promise<ServiceChild> {
  const child: ChildProcess = spawn(process.execPath, [...benchServiceNodeFlags(service), ...nodeArgs, CLI, service, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, STEMEDB_LOG_LEVEL: 'warn' } });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${service} not ready after ${readyTimeoutMs} ms`)), readyTimeoutMs);
    child.once('exit', (code) => reject(new Error(`${service} exited with ${String(code)} before it was ready`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      const msg = JSON.parse(line) as { ready?: boolean; address?: string };
      if (msg.ready !== true || msg.address === undefined) return reject(new Error(`${service}: unexpected first line ${line}`));
      resolve({ address: msg.address, pid: child.pid!, stop: async () => void (child.kill('SIGTERM'), await exited) });
    });
  });
}
