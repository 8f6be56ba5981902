/**
 * The agent CLI against a real writer: assert, vote and status print receipts
 * and state; server errors come back with their status code and field; the
 * command registry never loads grpc-js (the writer's telemetry must load first).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { blake3 } from '../../shared/domain/hash';
import { canonicalObjectBytes } from '../../shared/domain/canonical';
import { decodeLogPayload } from '../../shared/domain/log-payload';
import { keyPairFromSeed } from '../../shared/domain/signing';
import { keyFileJson } from '../../shared/domain/key-file';
import { writeFileSync } from 'node:fs';
import { DIST, requireBuilt, runCli } from '../helpers/process';
import { makeTempDir } from '../helpers/tmp';
import { client, startWriterProcess, tailRecords, type WriterProcess } from './writer-fixtures';

describe('stemedb assert / vote / status', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let writer: WriterProcess;
  let key: string;

  beforeAll(async () => {
    tmp = makeTempDir('stemedb-writer-cli-');
    writer = await startWriterProcess(join(tmp.path, 'wal'));
    key = join(tmp.path, 'agent.json');
    const made = await runCli(['keygen', '--out', key]);
    expect(made.code).toBe(0);
  });
  afterAll(async () => {
    await writer?.stop();
    tmp?.cleanup();
  });

  it('assert signs with the key file, appends, and prints the receipt; the default source is BLAKE3 of the object', async () => {
    const r = await runCli(['assert', '--writer', writer.address, '--key', key, '--subject', 'city:france', '--predicate', 'capital', '--object', 'Paris', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const receipt = JSON.parse(r.stdout) as { id: string; offset: number; next_offset: number; kind: string };
    expect(receipt).toMatchObject({ offset: 0, kind: 'assertion' });
    const c = client(writer.address);
    const [logged] = await tailRecords(c, receipt.offset, 1);
    c.close();
    const record = decodeLogPayload(logged!.payload).record;
    expect(record).toMatchObject({ kind: 'assertion', subject: 'city:france', predicate: 'capital', confidence: 1, object: { kind: 'text', value: 'Paris' } });
    if (record.kind === 'assertion') expect(record.sourceHash.equals(blake3(canonicalObjectBytes({ kind: 'text', value: 'Paris' })))).toBe(true);

    const typed = await runCli(['assert', '--writer', writer.address, '--key', key, '--subject', 'city:paris', '--predicate', 'population', '--object', '2102650', '--type', 'integer', '--confidence', '0.8']);
    expect(typed.code).toBe(0);
    expect(typed.stdout).toMatch(/^id: +[0-9a-f]{64}\noffset: +\d+/);

    const vote = await runCli(['vote', '--writer', writer.address, '--key', key, '--assertion', receipt.id, '--value=-0.5', '--json']);
    expect(vote.code).toBe(0);
    const voted = JSON.parse(vote.stdout) as { kind: string; offset: number };
    expect(voted.kind).toBe('vote');
    expect(voted.offset).toBeGreaterThan(receipt.offset);
  });

  it('status --writer prints the head, first offset and segments', async () => {
    const r = await runCli(['status', '--writer', writer.address, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { head_offset: number; first_offset: number; segments: unknown[] };
    expect(s.first_offset).toBe(0);
    expect(s.head_offset).toBeGreaterThan(0);
    expect(s.segments).toHaveLength(1);
    const text = await runCli(['status', '--writer', writer.address]);
    expect(text.stdout).toMatch(/head offset: +\d+/);
  });

  it('an unreachable writer is exit 1 with UNAVAILABLE; invalid values are usage errors (exit 2) naming the field', async () => {
    // Nothing listens on port 1: the call fails with UNAVAILABLE.
    const down = await runCli(['status', '--writer', '127.0.0.1:1']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/UNAVAILABLE/);

    const bad = await runCli(['assert', '--writer', writer.address, '--key', key, '--subject', 's', '--predicate', 'p', '--object', 'o', '--confidence', '1.5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/record\.assertion\.confidence/);
    expect((await runCli(['assert', '--writer', writer.address, '--key', key])).code).toBe(2);
    expect((await runCli(['vote', '--writer', writer.address, '--key', key, '--assertion', 'zz', '--value', '1'])).code).toBe(2);
    expect((await runCli(['status'])).code).toBe(2);
  });

  it('a writer error names the gRPC status code and the field', async () => {
    // The writer enforces the per-agent quota: a second writer with a burst of 1 that
    // refills one record per 1000 s, so no amount of process start-up time refills it.
    const quotaWriter = await startWriterProcess(join(tmp.path, 'wal-quota'), ['--quota-records-per-sec', '0.001', '--quota-burst', '1']);
    try {
      const seedKey = join(tmp.path, 'seed.json');
      writeFileSync(seedKey, keyFileJson(keyPairFromSeed(Buffer.alloc(32, 9))), { mode: 0o600 });
      const args = ['assert', '--writer', quotaWriter.address, '--key', seedKey, '--subject', 's', '--predicate', 'p', '--object', 'o'];
      expect((await runCli(args)).code).toBe(0);
      const over = await runCli(args);
      expect(over.code).toBe(1);
      expect(over.stderr).toMatch(/RESOURCE_EXHAUSTED: agent [0-9a-f]{64} exceeded records_per_second/);
    } finally {
      await quotaWriter.stop();
    }
  });
});

describe('the CLI command registry', () => {
  it('does not load @grpc/grpc-js (telemetry must patch it first)', () => {
    const index = requireBuilt(join(DIST, 'services', 'cli', 'commands', 'index.js'));
    const script = `require(${JSON.stringify(index)}); const loaded = Object.keys(require.cache).filter((k) => k.includes('@grpc/grpc-js')); process.stdout.write(JSON.stringify(loaded));`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it('the check itself sees grpc-js when a module does load it', () => {
    const writerClient = requireBuilt(join(DIST, 'services', 'writer', 'client.js'));
    const script = `require(${JSON.stringify(writerClient)}); process.stdout.write(String(Object.keys(require.cache).some((k) => k.includes('@grpc/grpc-js'))));`;
    expect(spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' }).stdout).toBe('true');
  });
});
