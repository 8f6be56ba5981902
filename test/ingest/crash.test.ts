/**
 * Exactly once (must-hold 2): `stemedb ingest` is SIGKILLed at random points
 * of a few thousand mixed records, resumed each time, and finally run to the
 * end; its `store dump` must equal the dump of a clean one-pass build byte for
 * byte, and its vote totals and trust evidence must equal an independent reading
 * of the log. STEMEDB_CRASH_ROUNDS raises the number of kills (default 20).
 */
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { decodeF64, decodeU64 } from '../../shared/graph/scalars';
import { decodeTrustEvidence } from '../../shared/graph/trust-evidence';
import { openHybridStore } from '../../shared/storage/hybrid-store';
import { keys, parseKey, prefixes, type StoreKey } from '../../shared/storage/keys';
import { CLI, kill9, requireBuilt, runCli, startNode } from '../helpers/process';
import { makeTempDir } from '../helpers/tmp';
import { agent, claim, idOf, payloadOf, randomLog, signed, sourceRecords, text, writeWal } from '../graph/log-builder';
import { rng } from '../helpers/random';
import { expectedOf } from './reference-model';

const ROUNDS = Number(process.env.STEMEDB_CRASH_ROUNDS ?? 20);
const RECORDS = 2000;
/** Where forged records sit in the final log (each splice shifts the later ones by one, so these are final indices). */
const FORGED_AT = [400, 1000, 1600];

jest.setTimeout(240_000);

describe('ingest killed at random points', () => {
  const tmp = makeTempDir('stemedb-crash-');
  afterAll(() => tmp.cleanup());

  it(`${ROUNDS} SIGKILLs, then a dump equal to a clean build and never a double count`, async () => {
    requireBuilt();
    const records = randomLog(20261121, { records: RECORDS, agents: 8, subjects: ['s1', 's2', 's3', 's4', 's5'], predicates: ['p1', 'p2', 'p3'] });
    // A few invalid records among them: counted once too, whatever the kills.
    const forged = { ...signed(claim({ subject: 's1', predicate: 'p1', object: text('forged') }), [agent(0)]), confidence: 0.1 };
    const payloads = records.map((r, i) => payloadOf(r, i));
    for (const at of FORGED_AT) payloads.splice(at, 0, payloadOf(forged, at));
    const wal = join(tmp.path, 'wal');
    const head = await writeWal(wal, payloads);

    const clean = join(tmp.path, 'clean');
    const built = await runCli(['ingest', '--wal', wal, '--data', clean, '--json']);
    expect(built.code).toBe(0);
    expect(JSON.parse(built.stdout)).toMatchObject({ records: payloads.length, rejected: 3, appliedOffset: head });
    const cleanDump = await runCli(['store', 'dump', '--data', clean]);
    expect(cleanDump.code).toBe(0);

    const crashed = join(tmp.path, 'crashed');
    const random = rng(7);
    const targets = Array.from({ length: ROUNDS }, () => Math.floor(random() * head)).sort((a, b) => a - b);
    let kills = 0;
    let lastApplied = 0;
    for (const [round, target] of targets.entries()) {
      const child = startNode(CLI, ['ingest', '--wal', wal, '--data', crashed, '--batch-records', String(3 + ((round * 7) % 29))], { STEMEDB_LOG_LEVEL: 'debug' });
      const lines = createInterface({ input: child.child.stderr! });
      lines.on('line', (line) => {
        let msg: { msg?: string; applied_through?: number };
        try {
          msg = JSON.parse(line) as typeof msg;
        } catch {
          return;
        }
        if (msg.msg !== 'applied a batch' || msg.applied_through === undefined) return;
        lastApplied = Math.max(lastApplied, msg.applied_through);
        if (msg.applied_through >= target) void kill9(child);
      });
      const exit = await child.exited;
      lines.close();
      if (exit === 'SIGKILL') kills++;
      else expect([exit, child.stderr()]).toEqual([0, expect.any(String)]);
    }
    // Most kills landed mid-stream, and the kills moved the store forward.
    expect(kills).toBeGreaterThanOrEqual(Math.ceil(ROUNDS / 2));
    expect(lastApplied).toBeGreaterThan(0);

    const finished = await runCli(['ingest', '--wal', wal, '--data', crashed, '--json']);
    expect(finished.code).toBe(0);
    expect(JSON.parse(finished.stdout)).toMatchObject({ appliedOffset: head });
    const crashedDump = await runCli(['store', 'dump', '--data', crashed]);
    expect(crashedDump.stdout).toBe(cleanDump.stdout);

    // Independent check of what a double count would break first.
    const expected = expectedOf(records, sourceRecords(payloads).filter((_, i) => !FORGED_AT.includes(i)).map((r) => r.offset));
    const store = await openHybridStore(crashed);
    try {
      let voted = 0;
      for (const [x, want] of expected.votes) {
        const id = Buffer.from(x, 'hex');
        const [vc, vw] = await store.getMany([keys.voteCount(id), keys.voteWeight(id)]);
        expect([x, decodeU64(vc!, 'VC')]).toEqual([x, want.count]);
        expect(decodeF64(vw!, 'VW')).toBeCloseTo(want.weight, 12);
        voted++;
      }
      expect(voted).toBeGreaterThan(100);
      const evidence = new Map<string, { right: number; wrong: number }>();
      for await (const [k, v] of store.scanPrefix(prefixes.kind('trust'))) evidence.set((parseKey(k) as Extract<StoreKey, { kind: 'trust' }>).agent.toString('hex'), decodeTrustEvidence(v, 'TRUST'));
      expect(evidence).toEqual(expected.trust);
      expect(evidence.size).toBeGreaterThan(0);
      void idOf;
    } finally {
      await store.close();
    }
  });
});
