/**
 * A StemeDB service (writer or reader) as a child process of a bench, from
 * the built CLI: started with its flags, ready when it prints its ready line,
 * stopped with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
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
