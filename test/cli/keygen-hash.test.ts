import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordId } from '../../shared/domain/hash';
import { readKeyFile } from '../../shared/domain/key-file';
import { recordToJson } from '../../shared/domain/record-json';
import { signRecord } from '../../shared/domain/signing';
import type { Assertion } from '../../shared/domain/types';
import { requireBuilt, runCli } from '../helpers/process';
import { useTempDir } from '../helpers/tmp';

const tmp = useTempDir();

beforeAll(() => {
  requireBuilt();
});

const unsigned: Assertion = {
  kind: 'assertion',
  subject: 'city:france',
  predicate: 'capital',
  object: { kind: 'entity', value: 'city:paris' },
  confidence: 0.9,
  sourceHash: Buffer.alloc(32, 0xab),
  visualHash: null,
  parentHash: null,
  epoch: null,
  assertedAtMs: 1_700_000_000_000,
  signatures: [],
};

describe('stemedb keygen', () => {
  it('writes a usable key file (0600) and prints its public key', async () => {
    const out = join(tmp.path, 'agent.key');
    const r = await runCli(['keygen', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const pair = readKeyFile(out);
    expect(r.stdout.trim()).toBe(pair.publicKey.toString('hex'));
    expect(statSync(out).mode & 0o777).toBe(0o600);
    // The key signs a record that the id-checking code accepts.
    const signed = signRecord(unsigned, [pair]);
    expect(signed.signatures[0]!.publicKey.equals(pair.publicKey)).toBe(true);
  });

  it('refuses to overwrite an existing file and leaves it untouched', async () => {
    const out = join(tmp.path, 'agent.key');
    expect((await runCli(['keygen', '--out', out])).code).toBe(0);
    const before = readFileSync(out, 'utf8');
    const r = await runCli(['keygen', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('already exists');
    expect(readFileSync(out, 'utf8')).toBe(before);
  });

  it('without --out prints the key file JSON; --json describes the written file', async () => {
    const r = await runCli(['keygen']);
    expect(r.code).toBe(0);
    const file = JSON.parse(r.stdout) as Record<string, string>;
    expect(file.algorithm).toBe('ed25519');
    expect(file.public_key).toMatch(/^[0-9a-f]{64}$/);
    expect(file.private_key).toMatch(/^[0-9a-f]{64}$/);
    const out = join(tmp.path, 'k.json');
    const j = await runCli(['keygen', '--out', out, '--json']);
    expect(JSON.parse(j.stdout)).toEqual({ public_key: readKeyFile(out).publicKey.toString('hex'), path: out });
  });

  it('rejects unknown options with exit code 2', async () => {
    const r = await runCli(['keygen', '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'--force'");
  });
});

describe('stemedb hash', () => {
  it('prints the id that recordId computes, for a signed record in a file', async () => {
    const keyPath = join(tmp.path, 'agent.key');
    await runCli(['keygen', '--out', keyPath]);
    const signed = signRecord(unsigned, [readKeyFile(keyPath)]);
    const file = join(tmp.path, 'record.json');
    writeFileSync(file, JSON.stringify(recordToJson(signed)));
    const r = await runCli(['hash', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(recordId(signed).toString('hex'));
  });

  it('reads stdin with "-" and accepts an unsigned record (signatures are not hashed)', async () => {
    const r = await runCli(['hash', '-', '--json'], {}, JSON.stringify(recordToJson(unsigned)));
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { id: string; kind: string; canonical: string };
    expect(out.id).toBe(recordId(unsigned).toString('hex'));
    expect(out.kind).toBe('assertion');
    expect(out.canonical.startsWith('0100')).toBe(true);
  });

  it('rejects an invalid record with exit code 1 and names the field on stderr', async () => {
    const bad = { ...recordToJson(unsigned), confidence: 1.5 };
    const r = await runCli(['hash', '-'], {}, JSON.stringify(bad));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('record.assertion.confidence');
  });

  it('rejects text that is not JSON, a missing file, and bad usage', async () => {
    const notJson = await runCli(['hash', '-'], {}, 'subject: x');
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain('not valid JSON');
    const missing = await runCli(['hash', join(tmp.path, 'nope.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.json');
    expect((await runCli(['hash'])).code).toBe(2);
    expect((await runCli(['hash', 'a.json', 'b.json'])).code).toBe(2);
  });
});
