/**
 * `make bench`: runs every benchmark (or the ones named on the command line) in
 * sequence and prints their Markdown tables. Each bench module exports `run()`.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { SCRATCH_DIR } from './lib/results';
import { runWithReaderFlags } from './lib/service-child';

interface Bench {
  readonly name: string;
  run(): Promise<string>;
}

// Each bench registers here: { name, run: () => import('./x').then((m) => m.run()) }.
const BENCHES: readonly Bench[] = [
  { name: 'echo', run: () => import('./echo').then((m) => m.run()) },
  { name: 'wal', run: () => import('./wal').then((m) => m.run()) },
  { name: 'ingest', run: () => import('./ingest').then((m) => m.run()) },
  { name: 'writer', run: () => import('./writer').then((m) => m.run()) },
  { name: 'reader', run: () => import('./reader').then((m) => m.run()) },
  { name: 'telemetry', run: () => import('./telemetry').then((m) => m.run()) },
  { name: 'query', run: () => import('./query').then((m) => m.run()) },
  { name: 'keepup', run: () => import('./keepup').then((m) => m.run()) },
  { name: 'sim', run: () => import('./sim').then((m) => m.run()) },
  { name: 'bootstrap', run: () => import('./bootstrap').then((m) => m.run()) },
];

async function main(): Promise<void> {
  // The benches that ingest in this process (ingest, query, reader, bootstrap) stand for a reader.
  if (runWithReaderFlags(__filename)) return;
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !BENCHES.some((b) => b.name === w));
  if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}`);
  const chosen = wanted.length === 0 ? BENCHES : BENCHES.filter((b) => wanted.includes(b.name));
  for (const b of chosen) {
    rmSync(SCRATCH_DIR, { recursive: true, force: true });
    mkdirSync(SCRATCH_DIR, { recursive: true });
    process.stderr.write(`bench: ${b.name} ...\n`);
    const md = await b.run();
    process.stdout.write(md + '\n');
  }
  rmSync(SCRATCH_DIR, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
