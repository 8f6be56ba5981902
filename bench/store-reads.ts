/**
 * Read latency of the graph's store reads on the ingest bench's store
 * (docs/STORAGE.md "What the store costs"): the common query's MV get, the
 * predicate seeks of a subject query, a full resolution's candidates (now and
 * as of mid-log), GetAssertion, and the listings' scans (a page of 100 PO
 * claimants, of 100 escalations, one subject's escalations). Sequential calls
 * on one store, p50 and p90 in microseconds, two rounds (the first warms the
 * caches).
 *
 *   node dist/bench/store-reads.js DIR            measure the store in DIR
 *   node dist/bench/store-reads.js --build DIR    first ingest the bench log into DIR (removed first)
 *
 * To compare two store formats, build and measure with each build, back to
 * back, at the same load: the figures are only comparable within one run.
 */
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { GraphReader } from '../shared/graph/graph-reader';
import { IndexReader } from '../shared/graph/index-reader';
import { openHybridStore } from '../shared/storage/hybrid-store';
import { setLogLevel } from '../shared/telemetry/logger';
import { ingestOnce, OBJECTS_PER_PREDICATE, PREDICATES, prepareRecords, prng, SUBJECTS, writeLog } from './ingest';
import { percentile, round } from './lib/results';

const ROUNDS = 2;
const PAGE = 100;
/** An offset about half way into the bench log (~49 MB). */
const MID_LOG_OFFSET = 20_000_000;

async function timed(name: string, calls: number, fn: (i: number) => Promise<unknown>): Promise<string> {
  const us: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    us.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  us.sort((a, b) => a - b);
  return `| ${name} | ${calls} | ${round(percentile(us, 50), 0)} | ${round(percentile(us, 90), 0)} |`;
}

async function measure(dir: string): Promise<string> {
  const store = await openHybridStore(dir);
  try {
    const graph = new GraphReader(store);
    const index = new IndexReader(store);
    const random = prng(7);
    const predicate = (): string => PREDICATES[Math.floor(random() * PREDICATES.length)]!;
    const subject = (): string => `entity:${Math.floor(random() * SUBJECTS)}`;
    const ids: Buffer[] = [];
    while (ids.length < 2000) for (const c of await graph.candidatesFor(subject(), predicate())) ids.push(c.id);
    const lines: string[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      lines.push(`| **round ${r + 1}** | | | |`);
      lines.push(await timed('MV get (the common query)', 5000, () => graph.materialized(subject(), predicate())));
      lines.push(await timed('predicatesOf (SP seeks of a subject query)', 2000, () => graph.predicatesOf(subject())));
      lines.push(await timed('candidatesFor (SP, H, PV)', 2000, () => graph.candidatesFor(subject(), predicate())));
      lines.push(await timed('candidatesFor as of mid-log', 2000, () => graph.candidatesFor(subject(), predicate(), { asOfOffset: MID_LOG_OFFSET })));
      lines.push(await timed('getAssertion (H, votes)', 2000, (i) => graph.getAssertion(ids[i % ids.length]!)));
      lines.push(
        await timed(`${PAGE} claimants of a value (PO scan)`, 300, async () => {
          const p = predicate();
          let n = 0;
          for await (const claimant of index.claimants(p, { kind: 'text', value: `${p}-${Math.floor(random() * OBJECTS_PER_PREDICATE)}` })) {
            void claimant;
            if (++n === PAGE) break;
          }
        }),
      );
      lines.push(await timed(`page of ${PAGE} escalations (ESC)`, 300, () => graph.escalations({ pageSize: PAGE })));
      lines.push(await timed("one subject's escalations (ESC)", 1000, () => graph.escalations({ pageSize: PAGE, subject: subject() })));
    }
    return ['| read | calls | p50 µs | p90 µs |', '|---|---|---|---|', ...lines, '', `Load average at the end: ${loadavg().map((x) => round(x, 2)).join(', ')}.`].join('\n');
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  setLogLevel('warn');
  const args = process.argv.slice(2);
  const build = args[0] === '--build';
  const dir = build ? args[1] : args[0];
  if (dir === undefined) throw new Error('usage: store-reads [--build] DIR');
  if (build) {
    rmSync(dir, { recursive: true, force: true });
    const records = prepareRecords();
    const { head } = await writeLog(join(dir, 'wal'), records);
    await ingestOnce(join(dir, 'wal'), join(dir, 'store'), head, 'none', 'none');
  }
  process.stdout.write((await measure(build ? join(dir, 'store') : dir)) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
