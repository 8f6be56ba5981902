/**
 * Trust over the wire (real writer and reader processes): 1000 fresh keys do
 * not move an Authority answer backed by one agent with 5 right gold
 * judgements (Consensus, which counts keys by design, flips); GetTrust and
 * ListClaims at one served offset and under as_of; learned packs need an
 * admin signature and then become Authority's default; `stemedb trust` and
 * `stemedb trust learn`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { keyFileJson } from '../../shared/domain/key-file';
import { recordToProto } from '../../shared/domain/proto-convert';
import { generateKeyPair, signRecord } from '../../shared/domain/signing';
import type { StemeRecord, TrustPack } from '../../shared/domain/types';
import { Lens, TrustSource, type GetTrustRequest, type GetTrustResponse, type ReaderServiceClient } from '../../shared/gen/stemedb/v1/reader';
import { callUnary, fieldOf } from '../../shared/grpc/client';
import { ADMIN, agent, claim, gold, signed } from '../graph/log-builder';
import { runCli } from '../helpers/process';
import { makeTempDir } from '../helpers/tmp';
import { client as writerClient, startWriterProcess, type WriterProcess } from '../writer/writer-fixtures';
import { claimBy, readerClient, resolve, startReaderProcess, text, write, type ReaderProcess } from './reader-fixtures';

const hexOf = (b: Buffer): string => b.toString('hex');

async function appendAll(address: string, records: readonly StemeRecord[]): Promise<number> {
  const c = writerClient(address);
  let last = 0;
  try {
    for (let i = 0; i < records.length; i += 500) {
      const res = await callUnary(c.appendBatch.bind(c), { records: records.slice(i, i + 500).map(recordToProto) }, { deadlineMs: 30_000 });
      last = Number(res.receipts[res.receipts.length - 1]!.offset);
    }
  } finally {
    c.close();
  }
  return last;
}

function getTrust(c: ReaderServiceClient, r: Partial<GetTrustRequest>): Promise<GetTrustResponse> {
  return callUnary(c.getTrust.bind(c), { agent: Buffer.alloc(0), pageSize: 0, pageToken: '', ...r }, { deadlineMs: 10_000 });
}

async function failure(p: Promise<unknown>): Promise<{ code: number; field: string | undefined }> {
  try {
    await p;
  } catch (err) {
    return { code: (err as grpc.ServiceError).code, field: fieldOf(err as grpc.ServiceError) };
  }
  throw new Error('expected the call to fail');
}

describe('trust over the wire', () => {
  const dir = makeTempDir('stemedb-trust-rpc-');
  let writer: WriterProcess;
  let reader: ReaderProcess;
  let c: ReaderServiceClient;
  const good = agent(1);
  const sybilKeys = Array.from({ length: 1000 }, () => generateKeyPair());
  let beforeGolds = 0;
  let last = 0;

  beforeAll(async () => {
    writer = await startWriterProcess(join(dir.path, 'wal'), ['--durability', 'none', '--admin-key', hexOf(ADMIN.publicKey)]);
    reader = await startReaderProcess(join(dir.path, 'data'), ['--writer', writer.address]);
    c = readerClient(reader.address);
    // agent 1 is right on five calibration facts; the gold standards come after the claims.
    const setup: StemeRecord[] = [];
    for (let i = 0; i < 5; i++) setup.push(claimBy(1, `cal${i}`, 'p', 'true-value'));
    setup.push(claimBy(1, 'target', 'p', 'truth'));
    beforeGolds = (await appendAll(writer.address, setup)) + 1;
    const golds: StemeRecord[] = Array.from({ length: 5 }, (_, i) => gold(`cal${i}`, 'p', text('true-value')));
    await appendAll(writer.address, golds);
    // 1000 fresh keys, each with its own evidence hash, assert a false value.
    const sybils = sybilKeys.map((k, i) => {
      const sourceHash = Buffer.alloc(32, 0xee);
      sourceHash.writeUInt32BE(i);
      return signed({ ...claim({ subject: 'target', predicate: 'p', object: text('lie'), confidence: 1 }), sourceHash }, [k]);
    });
    last = await appendAll(writer.address, sybils);
  }, 120_000);

  afterAll(async () => {
    c?.close();
    const code = await reader?.stop();
    await writer?.stop();
    dir.cleanup();
    expect(code).toBe(0);
  });

  it('1000 fresh keys do not change Authority’s answer; Consensus counts keys and flips', async () => {
    // The reader may still be applying the 1000 claims: a long first deadline.
    const authority = await resolve(c, 'target', 'p', { lens: Lens.LENS_AUTHORITY, minOffset: BigInt(last) }, 60_000);
    expect(authority.resolution?.object?.value).toEqual({ $case: 'text', value: 'truth' });
    expect(authority.resolution?.share).toBe(1);
    const consensus = await resolve(c, 'target', 'p', { minOffset: BigInt(last) });
    expect(consensus.resolution?.object?.value).toEqual({ $case: 'text', value: 'lie' });
    // Before the gold standards nobody had a record: Authority fell back to Consensus scoring.
    const early = await resolve(c, 'target', 'p', { lens: Lens.LENS_AUTHORITY, asOfOffset: BigInt(beforeGolds) });
    expect(early.resolution?.object?.value).toEqual({ $case: 'text', value: 'truth' });
    const explain = await callUnary(c.explain.bind(c), { subject: 'target', predicate: 'p', options: { lens: Lens.LENS_AUTHORITY, epoch: '', trustPackId: Buffer.alloc(0), includeSuperseded: false } }, { deadlineMs: 10_000 });
    const goodTerms = explain.resolution!.explanations.find((e) => e.score > 0)!.terms.find((t) => t.name === 'trust')!;
    expect(goodTerms.detail).toContain('gold 5 right / 0 wrong');
    expect(explain.resolution!.explanations.filter((e) => e.score > 0)).toHaveLength(1);
  });

  it('GetTrust: evidence, weight and source per agent, as of any offset; one agent even without a record', async () => {
    const all = await getTrust(c, { minOffset: BigInt(last), pageSize: 1000 });
    expect(all.agents).toHaveLength(1);
    const row = all.agents[0]!;
    expect(Buffer.from(row.agent)).toEqual(good.publicKey);
    expect([Number(row.goldRight), Number(row.goldWrong), Number(row.goldJudged), row.source]).toEqual([5, 0, 5, TrustSource.TRUST_SOURCE_GOLD]);
    expect(row.reliability).toBe(6 / 9);
    expect(row.weight).toBeCloseTo(Math.log(6), 12);
    expect(all.learnedPackId.length).toBe(0);
    expect(Number(all.learnedPackOffset)).toBe(-1);
    expect((await getTrust(c, { asOfOffset: BigInt(beforeGolds) })).agents).toEqual([]);
    const stranger = await getTrust(c, { agent: generateKeyPair().publicKey });
    expect(stranger.agents.map((a) => [a.source, a.weight, a.reliability])).toEqual([[TrustSource.TRUST_SOURCE_NONE, 0, 0.25]]);
    expect(await failure(getTrust(c, { agent: Buffer.alloc(31) }))).toEqual({ code: grpc.status.INVALID_ARGUMENT, field: 'agent' });
    expect(await failure(getTrust(c, { pageToken: 'zz' }))).toEqual({ code: grpc.status.INVALID_ARGUMENT, field: 'page_token' });
    expect(await failure(getTrust(c, { pageSize: 1001 }))).toEqual({ code: grpc.status.INVALID_ARGUMENT, field: 'page_size' });
  });

  it('ListClaims pages every claim at one offset, with the gold standards of their pairs', async () => {
    const ids = new Set<string>();
    const golds = new Set<string>();
    let token = '';
    let at: bigint | undefined;
    let pages = 0;
    do {
      const res = await callUnary(c.listClaims.bind(c), { pageSize: 300, pageToken: token, ...(at === undefined ? { minOffset: BigInt(last) } : { asOfOffset: at }) }, { deadlineMs: 10_000 });
      at ??= res.servedAtOffset;
      for (const a of res.claims) ids.add(hexOf(Buffer.from(a.id)));
      for (const g of res.goldStandards) golds.add(g.subject);
      token = res.nextPageToken;
      pages++;
    } while (token !== '');
    expect(ids.size).toBe(1006);
    expect(pages).toBe(4);
    expect([...golds].sort()).toEqual(['cal0', 'cal1', 'cal2', 'cal3', 'cal4']);
    const early = await callUnary(c.listClaims.bind(c), { pageSize: 1000, pageToken: '', asOfOffset: BigInt(beforeGolds) }, { deadlineMs: 10_000 });
    expect([early.claims.length, early.goldStandards.length]).toEqual([6, 0]);
    expect(await failure(callUnary(c.listClaims.bind(c), { pageSize: 0, pageToken: 'not-a-token' }, { deadlineMs: 10_000 }))).toEqual({ code: grpc.status.INVALID_ARGUMENT, field: 'page_token' });
  });

  it('a learned pack needs an admin signature; an ordinary pack does not', async () => {
    const pack = (learned: boolean): TrustPack => ({ kind: 'trust_pack', name: 'p', entries: [{ agent: agent(7).publicKey, weight: 0.9 }], createdAtMs: Date.UTC(2024, 0, 1), ...(learned ? { learned: true } : {}), signatures: [] });
    const w = writerClient(writer.address);
    try {
      const refused = await failure(callUnary(w.append.bind(w), { record: recordToProto(signRecord(pack(true), [agent(7)])) }, { deadlineMs: 10_000 }));
      expect(refused).toEqual({ code: grpc.status.PERMISSION_DENIED, field: 'record.trust_pack.signatures' });
    } finally {
      w.close();
    }
    await write(writer.address, signRecord(pack(false), [agent(7)]));
  });

  it('stemedb trust learn publishes a learned pack that Authority and GetTrust then use; stemedb trust lists it', async () => {
    const keyFile = join(dir.path, 'admin.key');
    writeFileSync(keyFile, keyFileJson(ADMIN));
    const learn = await runCli(['trust', 'learn', '--reader', reader.address, '--writer', writer.address, '--key', keyFile, '--json']);
    expect(learn.stderr).toBe('');
    expect(learn.code).toBe(0);
    const out = JSON.parse(learn.stdout) as { pack_id: string; pack_offset: number; claims: number; iterations: number; converged: boolean; heap_used_mib: number };
    expect(out.claims).toBe(1006);
    expect(out.iterations).toBeGreaterThan(0);
    const t = await getTrust(c, { minOffset: BigInt(out.pack_offset), agent: good.publicKey });
    expect(hexOf(Buffer.from(t.learnedPackId))).toBe(out.pack_id);
    const row = t.agents[0]!;
    expect(row.source).toBe(TrustSource.TRUST_SOURCE_LEARNED_PACK);
    expect(row.learnedReliability).toBeGreaterThan(0.5);
    const sybil = (await getTrust(c, { agent: sybilKeys[0]!.publicKey })).agents[0]!;
    expect([sybil.source, sybil.weight]).toEqual([TrustSource.TRUST_SOURCE_LEARNED_PACK, 0]);
    // Every page of GetTrust: 1001 agents (1000 keys, agent 1; the pack's agent 7 has no entry) in pages of 400.
    const seen: string[] = [];
    let token = '';
    do {
      const page = await getTrust(c, { pageSize: 400, pageToken: token, asOfOffset: t.servedAtOffset });
      seen.push(...page.agents.map((a) => hexOf(Buffer.from(a.agent))));
      token = page.nextPageToken;
    } while (token !== '');
    expect(seen).toHaveLength(1001);
    expect([...seen].sort()).toEqual(seen);
    const authority = await resolve(c, 'target', 'p', { lens: Lens.LENS_AUTHORITY, minOffset: BigInt(out.pack_offset) });
    expect(authority.resolution?.object?.value).toEqual({ $case: 'text', value: 'truth' });
    // Before the pack, GetTrust answers as the log stood then.
    expect((await getTrust(c, { asOfOffset: BigInt(out.pack_offset) })).learnedPackId.length).toBe(0);

    const show = await runCli(['trust', '--reader', reader.address, '--agent', hexOf(good.publicKey), '--json']);
    expect(show.code).toBe(0);
    const shown = JSON.parse(show.stdout) as { agents: { agent: string; source: string; gold_right: number }[]; learned_pack_id: string };
    expect(shown.learned_pack_id).toBe(out.pack_id);
    expect(shown.agents).toMatchObject([{ agent: hexOf(good.publicKey), source: 'learned_pack', gold_right: 5 }]);
    const text = await runCli(['trust', '--reader', reader.address, '--as-of', String(beforeGolds)]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('learned pack: none');
    const bad = await runCli(['trust', '--reader', reader.address, '--agent', 'abc']);
    expect(bad.code).toBe(2);
    const rounds = await runCli(['trust', 'learn', '--reader', reader.address, '--writer', writer.address, '--key', keyFile, '--iterations', '51']);
    expect([rounds.code, rounds.stderr]).toEqual([2, expect.stringContaining('--iterations: expected 1..50')]);
  }, 60_000);
});
