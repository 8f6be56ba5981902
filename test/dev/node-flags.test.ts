/**
 * Every launcher of a service process passes the services' node flags
 * (services/cli/node-flags.ts): V8 reads them at start-up only, so a launcher
 * that forgets them runs ingest with the default young generation.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_NODE_FLAGS } from '../../services/cli/node-flags';

const ROOT = join(__dirname, '..', '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

describe('the services node flags', () => {
  it('are a semi-space size V8 accepts and applies', () => {
    expect(SERVICE_NODE_FLAGS).toEqual([expect.stringMatching(/^--max-semi-space-size=\d+$/)]);
    const mib = Number(SERVICE_NODE_FLAGS[0]!.split('=')[1]);
    // The young generation's capacity is three semi-spaces at most (V8), so it is over twice the flag.
    const script = "process.stdout.write(String(require('v8').getHeapStatistics().total_available_size))";
    const run = (flags: readonly string[]): number => Number(spawnSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8' }).stdout);
    expect(run(SERVICE_NODE_FLAGS) - run([])).toBeGreaterThanOrEqual((mib - 16) * 2 ** 20);
  });

  it.each([
    ['the stemedb script', 'stemedb', (flags: string) => `exec node ${flags} `],
    ['the container entry point', 'deploy/docker/Dockerfile', (flags: string) => `ENTRYPOINT ["node", ${flags.split(' ').map((f) => `"${f}"`).join(', ')}, `],
    ['make bench', 'Makefile', (flags: string) => `\tnode ${flags} dist/bench/run.js`],
    ['make run', 'Makefile', (flags: string) => `\tnode ${flags} dist/services/cli/main.js dev`],
  ])('%s passes them', (_what, path, line) => {
    expect(read(path)).toContain(line(SERVICE_NODE_FLAGS.join(' ')));
  });

  it.each([
    ['stemedb dev children', 'services/dev/child-service.ts'],
    ["the benches' service children", 'bench/lib/service-child.ts'],
  ])('%s are spawned with them', (_what, path) => {
    expect(read(path)).toMatch(/spawn\(process\.execPath, \[\.\.\.SERVICE_NODE_FLAGS, /);
  });
});
