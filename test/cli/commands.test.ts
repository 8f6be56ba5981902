/**
 * Every client command of `stemedb` against real writer and reader processes:
 * append (file, JSON lines on stdin, --cosign, --batch), epoch, gold,
 * trust-pack, get, history, by-source, escalations, subject, resolve with a
 * trust pack, watch, head, tail; --help for each; failures as one line with
 * the status code, field and hint.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { keyFileJson } from '../../shared/domain/key-file';
import { keyPairFromSeed } from '../../shared/domain/signing';
import { COMMANDS } from '../../services/cli/commands/index';
import { CLI, runCli, startNode, startService, type ServiceProcess } from '../helpers/process';
import { makeTempDir } from '../helpers/tmp';

const admin = keyPairFromSeed(Buffer.alloc(32, 21));
const agent = keyPairFromSeed(Buffer.alloc(32, 22));
const hex = (b: Buffer): string => b.toString('hex');
const SOURCE = 'ab'.repeat(32);

let tmp: ReturnType<typeof makeTempDir>;
let writer: ServiceProcess;
let reader: ServiceProcess;
let adminKey: string;
let agentKey: string;

const jsonLines = (text: string): Record<string, unknown>[] => text.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
const claim = (value: string, confidence = 0.9, at = 1_700_000_000_000): Record<string, unknown> => ({
  kind: 'assertion',
  subject: 'city:lagos',
  predicate: 'population',
  object: { kind: 'integer', value },
  confidence,
  source_hash: SOURCE,
  asserted_at_ms: at,
});

beforeAll(async () => {
  tmp = makeTempDir('stemedb-cli-commands-');
  adminKey = join(tmp.path, 'admin.json');
  agentKey = join(tmp.path, 'agent.json');
  writeFileSync(adminKey, keyFileJson(admin), { mode: 0o600 });
  writeFileSync(agentKey, keyFileJson(agent), { mode: 0o600 });
  writer = await startService('writer', ['--wal', join(tmp.path, 'wal'), '--listen', '127.0.0.1:0', '--admin-key', hex(admin.publicKey)]);
  reader = await startService('reader', ['--data', join(tmp.path, 'store'), '--writer', writer.address, '--listen', '127.0.0.1:0']);
}, 60_000);

afterAll(async () => {
  await reader?.stop();
  await writer?.stop();
  tmp?.cleanup();
});

describe('stemedb client commands', () => {
  it('every command answers --help (after its other arguments too) with its usage and exit 0', async () => {
    for (const c of COMMANDS) {
      const r = await runCli([...c.path, '--writer', 'x', '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`usage: stemedb ${c.path.join(' ')}`);
    }
    const h = await runCli(['history', '--help']);
    expect(h.stdout).toContain('usage: stemedb history');
  });

  it('append, cosign, get, history, by-source, escalations, subject: a contested pair end to end', async () => {
    const file = join(tmp.path, 'claim.json');
    writeFileSync(file, JSON.stringify(claim('15388000'), null, 2));
    const one = await runCli(['append', file, '--writer', writer.address, '--key', agentKey, '--json']);
    expect(one.stderr).toBe('');
    expect(one.code).toBe(0);
    const [receipt] = jsonLines(one.stdout) as { id: string; offset: number; kind: string }[];
    expect(receipt!.kind).toBe('assertion');
    const hashed = await runCli(['hash', file]);
    expect(hashed.stdout.trim()).toBe(receipt!.id);

    const lines = [JSON.stringify(claim('16000000', 0.9, 1_700_000_000_001)), JSON.stringify({ ...claim('15388000'), subject: 'city:lagos', predicate: 'country', object: { kind: 'entity', value: 'country:nigeria' } })].join('\n');
    const many = await runCli(['append', '-', '--writer', writer.address, '--key', adminKey, '--json'], {}, lines + '\n');
    expect(many.code).toBe(0);
    const receipts = jsonLines(many.stdout) as { offset: number }[];
    expect(receipts).toHaveLength(2);
    expect(receipts[0]!.offset).toBeLessThan(receipts[1]!.offset);

    const cos = await runCli(['append', '--cosign', receipt!.id, '--reader', reader.address, '--writer', writer.address, '--key', adminKey, '--json']);
    expect(cos.code).toBe(0);
    const cosReceipt = jsonLines(cos.stdout)[0] as { id: string; offset: number };
    expect(cosReceipt.id).toBe(receipt!.id);

    const got = await runCli(['get', receipt!.id, '--reader', reader.address, '--min-offset', String(cosReceipt.offset), '--json']);
    expect(got.code).toBe(0);
    const stored = JSON.parse(got.stdout) as { assertion: { signatures: unknown[] }; offset: number };
    expect(stored.assertion.signatures).toHaveLength(2);
    expect(stored.offset).toBe(receipt!.offset);

    const hist = await runCli(['history', '--reader', reader.address, '--subject', 'city:lagos', '--predicate', 'population', '--json']);
    expect(hist.code).toBe(0);
    expect(jsonLines(hist.stdout).map((h) => h.id)).toHaveLength(2);
    const histText = await runCli(['history', '--reader', reader.address, '--subject', 'city:lagos', '--predicate', 'population']);
    expect(histText.stdout).toMatch(/city:lagos population = integer 15388000 .*2 signers/);

    const src = await runCli(['by-source', SOURCE, '--reader', reader.address, '--json']);
    expect(jsonLines(src.stdout)).toHaveLength(3);

    const esc = await runCli(['escalations', '--reader', reader.address, '--json']);
    expect(esc.code).toBe(0);
    expect(jsonLines(esc.stdout).some((e) => e.subject === 'city:lagos' && e.predicate === 'population')).toBe(true);

    const subj = await runCli(['subject', '--reader', reader.address, '--subject', 'city:lagos', '--json']);
    expect(subj.code).toBe(0);
    const answer = JSON.parse(subj.stdout) as { resolutions: { predicate: string }[] };
    expect(answer.resolutions.map((r) => r.predicate)).toEqual(['country', 'population']);
  });

  it('epoch and gold need the admin key; trust-pack feeds the authority lens', async () => {
    const denied = await runCli(['epoch', '--writer', writer.address, '--key', agentKey, '--name', 'census-2026']);
    expect(denied.code).toBe(1);
    expect(denied.stderr.trim().split('\n')).toHaveLength(1);
    expect(denied.stderr).toMatch(/^stemedb epoch: PERMISSION_DENIED: .*\(Append; hint: .*--admin-key.*\)$/m);
    const ep = await runCli(['epoch', '--writer', writer.address, '--key', adminKey, '--name', 'census-2026', '--description', 'the 2026 census', '--json']);
    expect(ep.code).toBe(0);
    expect(JSON.parse(ep.stdout)).toMatchObject({ kind: 'epoch' });
    const gs = await runCli(['gold', '--writer', writer.address, '--key', adminKey, '--subject', 'city:abuja', '--predicate', 'country', '--object', 'country:nigeria', '--type', 'entity', '--json']);
    expect(gs.code).toBe(0);
    expect(JSON.parse(gs.stdout)).toMatchObject({ kind: 'gold_standard' });
    const tp = await runCli(['trust-pack', '--writer', writer.address, '--key', agentKey, '--name', 'census-office', '--entry', `${hex(admin.publicKey)}=1`, '--entry', `${hex(agent.publicKey)}=0.1`, '--json']);
    expect(tp.code).toBe(0);
    const pack = JSON.parse(tp.stdout) as { id: string; offset: number };
    const r = await runCli(['resolve', '--reader', reader.address, '--subject', 'city:lagos', '--predicate', 'population', '--lens', 'authority', '--trust-pack', pack.id, '--min-offset', String(pack.offset), '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { resolution: { object: { value: string } } }).resolution.object.value).toBe('15388000');
    const badEntry = await runCli(['trust-pack', '--writer', writer.address, '--key', agentKey, '--name', 'x', '--entry', 'zz=1']);
    expect(badEntry.code).toBe(2);
    expect(badEntry.stderr).toContain('--entry');
  });

  it('head and tail print the log; a bad offset and an unreachable server are one line each', async () => {
    const h = await runCli(['head', '--writer', writer.address, '--json']);
    const head = JSON.parse(h.stdout) as { head_offset: number; first_offset: number };
    expect(head.first_offset).toBe(0);
    const t = await runCli(['tail', '--writer', writer.address, '--json']);
    expect(t.code).toBe(0);
    const records = jsonLines(t.stdout) as { offset: number; next_offset: number; record: { kind: string } }[];
    expect(records[0]!.offset).toBe(0);
    for (let i = 1; i < records.length; i++) expect(records[i]!.offset).toBe(records[i - 1]!.next_offset);
    expect(records.at(-1)!.next_offset).toBeGreaterThanOrEqual(head.head_offset);
    expect(records.map((r) => r.record.kind)).toEqual(expect.arrayContaining(['assertion', 'epoch', 'gold_standard', 'trust_pack']));

    const inside = await runCli(['tail', '--writer', writer.address, '--from', '1']);
    expect(inside.code).toBe(1);
    expect(inside.stderr).toMatch(/^stemedb tail: INVALID_ARGUMENT: .*\[field from_offset\] \(Tail; hint: /);
    const down = await runCli(['head', '--writer', '127.0.0.1:1']);
    expect(down.code).toBe(1);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    expect(down.stderr).toMatch(/^stemedb head: UNAVAILABLE: .*\(Head; hint: is the server running/);
    expect(down.stderr).not.toMatch(/No connection established|\d{4}-\d\d-\d\dT/);
    const both = await runCli(['status', '--writer', '127.0.0.1:1', '--reader', reader.address, '--json']);
    expect(both.code).toBe(1);
    expect(JSON.parse(both.stdout)).toMatchObject({ service: 'reader' });
  });

  it('store dump on a live store says it is in use; a closed stdout ends a command quietly with exit 0', async () => {
    const dump = await runCli(['store', 'dump', '--data', join(tmp.path, 'store')]);
    expect(dump.code).toBe(1);
    expect(dump.stderr).toMatch(/^stemedb store dump: StoreInUseError: .*store.* is in use by a running reader or ingest/);
    // `stemedb tail --follow | head -1`: head exits after one line; the next record the tail prints hits the closed pipe.
    const t = spawn('bash', ['-c', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} tail --writer ${writer.address} --follow | head -1; echo "tail exit $\{PIPESTATUS[0]}" >&2`]);
    let stderr = '';
    t.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const done = new Promise<void>((r) => t.on('close', () => r()));
    const file = join(tmp.path, 'epipe.json');
    const deadline = Date.now() + 40_000;
    for (let i = 0; t.exitCode === null && Date.now() < deadline; i++) {
      writeFileSync(file, JSON.stringify({ ...claim(String(i)), subject: 'epipe:x' }));
      await runCli(['append', file, '--writer', writer.address, '--key', agentKey]);
    }
    await done;
    expect(stderr).toContain('tail exit 0');
    expect(stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
  }, 120_000);

  it('a min_offset past the head names the offset and the head', async () => {
    const head = (JSON.parse((await runCli(['head', '--writer', writer.address, '--json'])).stdout) as { head_offset: number }).head_offset;
    const r = await runCli(['resolve', '--reader', reader.address, '--subject', 'city:lagos', '--predicate', 'population', '--min-offset', String(head + 9000)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^stemedb resolve: DEADLINE_EXCEEDED: min_offset ${head + 9000} is past the log head ${head}; waited \\d+ ms \\[field options\\.min_offset\\]`));
  });

  it('watch prints the current resolution, then each change, and exits 0 on SIGTERM', async () => {
    const w = startNode(CLI, ['watch', '--reader', reader.address, '--subject', 'city:kano', '--predicate', 'mayor', '--json']);
    const lines = createInterface({ input: w.child.stdout! })[Symbol.asyncIterator]();
    const next = async (): Promise<{ resolution: { outcome: string; object: { value: string } | null }; served_at_offset: number }> => JSON.parse((await lines.next()).value as string);
    const first = await next();
    expect(first.resolution.outcome).toBe('no_candidates');
    const file = join(tmp.path, 'kano.json');
    writeFileSync(file, JSON.stringify({ ...claim('x'), subject: 'city:kano', predicate: 'mayor', object: { kind: 'text', value: 'Ado' } }));
    expect((await runCli(['append', file, '--writer', writer.address, '--key', agentKey])).code).toBe(0);
    const second = await next();
    expect(second.resolution.object?.value).toBe('Ado');
    expect(second.served_at_offset).toBeGreaterThan(first.served_at_offset);
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
  });
});
