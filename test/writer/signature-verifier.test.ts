/**
 * SignatureVerifier: worker-thread batches give exactly the answers of
 * `verifySignature` / `verifyRecord`, one turn's signatures travel in few
 * messages, and a dead worker or a closed verifier loses no answer.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { SignatureError } from '../../shared/domain/errors';
import { recordId } from '../../shared/domain/hash';
import { signId, verifySignature } from '../../shared/domain/signing';
import type { RecordKind, Signature } from '../../shared/domain/types';
import { VERIFY_BATCH_SIGNATURES_MAX, VERIFY_INLINE_SHARE_BUSY_MAX, VERIFY_INLINE_SHARE_SIGNATURES_MAX, VERIFY_INLINE_SHARE_WINDOW_MS, VERIFY_WORKERS_MAX } from '../../shared/verify/limits';
import { availableParallelism } from 'node:os';
import { SignatureVerifier, defaultVerifyWorkers } from '../../shared/verify/signature-verifier';
import { assertionWith, epochWith, goldStandardWith, KEY_A, KEY_B, KEY_C, resign, trustPackWith, voteWith } from '../domain/fixtures';
import { expectAgreesWithVerifySignature } from '../domain/verifier-agreement';
import { DIST, requireBuilt } from '../helpers/process';

describe('SignatureVerifier', () => {
  let verifier: SignatureVerifier;
  beforeEach(() => {
    verifier = new SignatureVerifier({ workers: 2 });
  });
  afterEach(() => verifier.close());

  it('gives the same answer as verifySignature for valid, flipped and malformed signatures', async () => {
    await expectAgreesWithVerifySignature((kind, id, sig) => verifier.verifySignature(kind, id, sig));
  });

  it('resolves false (never rejects) for wrong lengths, small-order and garbage keys, an unknown kind and another key', async () => {
    const id = Buffer.alloc(32, 7);
    const good = signId('assertion', id, KEY_A);
    const identity = Buffer.alloc(32);
    identity[0] = 1;
    const cases: Array<[RecordKind, Buffer, Signature]> = [
      ['assertion', id.subarray(1), good],
      ['assertion', id, { publicKey: good.publicKey.subarray(1), signature: good.signature }],
      ['assertion', id, { publicKey: good.publicKey, signature: good.signature.subarray(1) }],
      ['assertion', id, { publicKey: Buffer.alloc(32, 0xff), signature: good.signature }],
      ['assertion', id, { publicKey: identity, signature: good.signature }],
      ['nope' as RecordKind, id, good],
      ['assertion', id, { ...good, publicKey: KEY_B.publicKey }],
      ['vote', id, good],
    ];
    for (const [kind, i, sig] of cases) {
      expect(await verifier.verifySignature(kind, i, sig)).toBe(false);
      expect(verifySignature(kind, i, sig)).toBe(false);
    }
  });

  it('returns the id of every record kind, and names the lowest failing signature', async () => {
    for (const record of [assertionWith(), voteWith(), epochWith(), goldStandardWith(), trustPackWith()]) {
      expect((await verifier.verifyRecord(record)).equals(recordId(record))).toBe(true);
    }
    const three = resign(assertionWith(), [KEY_A, KEY_B, KEY_C]);
    const bad = { ...three, signatures: three.signatures.map((s, i) => (i === 0 ? s : { ...s, signature: Buffer.alloc(64, i) })) };
    await expect(verifier.verifyRecord(bad, 'records[3]')).rejects.toMatchObject({ name: 'SignatureError', field: 'records[3].assertion.signatures[1]' });
    const vote = voteWith();
    await expect(verifier.verifyRecord({ ...vote, signatures: [{ ...vote.signatures[0]!, signature: Buffer.alloc(64) }] })).rejects.toBeInstanceOf(SignatureError);
    await expect(verifier.verifyRecord({ ...vote, signatures: [] })).rejects.toMatchObject({ field: 'record.vote.signature' });
  });

  it('verifyRecords answers a set of records in one round as verifyRecord answers each: ids, or the error naming fieldOf(i)', async () => {
    const good = [assertionWith(), voteWith(), resign(assertionWith({ subject: 's:three' }), [KEY_A, KEY_B, KEY_C])];
    const three = good[2]!;
    const badSecond = { ...three, signatures: three.signatures.map((s, i) => (i === 1 ? { ...s, signature: Buffer.alloc(64, 1) } : s)) };
    const unsigned = { ...voteWith(), signatures: [] };
    const malformedKey = { ...good[0]!, signatures: [{ ...good[0]!.signatures[0]!, publicKey: Buffer.alloc(31) }] };
    const records = [good[0]!, badSecond, good[1]!, unsigned, good[2]!, malformedKey];
    const before = verifier.stats.batches;
    const out = await verifier.verifyRecords(records, (i) => `batch.records[${i * 10}]`);
    expect(verifier.stats.batches - before).toBeLessThanOrEqual(2); // one turn: one message per worker at most
    expect((out[0] as Buffer).equals(recordId(good[0]!))).toBe(true);
    expect(out[1]).toMatchObject({ name: 'SignatureError', field: 'batch.records[10].assertion.signatures[1]' });
    expect((out[2] as Buffer).equals(recordId(good[1]!))).toBe(true);
    expect(out[3]).toMatchObject({ name: 'SignatureError', field: 'batch.records[30].vote.signature' });
    expect((out[4] as Buffer).equals(recordId(good[2]!))).toBe(true);
    expect(out[5]).toMatchObject({ name: 'SignatureError', field: 'batch.records[50].assertion.signatures[0]' });
    await verifier.close();
    const closed = await verifier.verifyRecords([good[0]!, badSecond], (i) => `r[${i}]`);
    expect(Buffer.isBuffer(closed[0])).toBe(true);
    expect(closed[1]).toBeInstanceOf(SignatureError);
    expect(await verifier.verifyRecords([], () => 'none')).toEqual([]);
  });

  it(`sends one turn's signatures in messages of at most VERIFY_BATCH_SIGNATURES_MAX (${VERIFY_BATCH_SIGNATURES_MAX}), spread over the workers`, async () => {
    const id = Buffer.alloc(32, 1);
    const sig = signId('assertion', id, KEY_A);
    const n = 2 * 2 * VERIFY_BATCH_SIGNATURES_MAX + 1;
    const results = await Promise.all(Array.from({ length: n }, () => verifier.verifySignature('assertion', id, sig)));
    expect(results.every((ok) => ok)).toBe(true);
    expect(verifier.stats.signatures).toBe(n);
    // ceil(n / 2 workers) = 2·MAX + 1 per worker, cut at MAX: 5 messages.
    expect(verifier.stats.batches).toBe(5);
    expect(verifier.stats.fallbacks).toBe(0);

    const small = new SignatureVerifier({ workers: 1 });
    try {
      await Promise.all(Array.from({ length: VERIFY_BATCH_SIGNATURES_MAX }, () => small.verifySignature('assertion', id, sig)));
      expect(small.stats.batches).toBe(1);
      await Promise.all(Array.from({ length: VERIFY_BATCH_SIGNATURES_MAX + 1 }, () => small.verifySignature('assertion', id, sig)));
      expect(small.stats.batches).toBe(3);
    } finally {
      await small.close();
    }
  });

  it('answers every pending signature when it is closed mid-batch, and verifies on the thread pool afterwards', async () => {
    const id = Buffer.alloc(32, 2);
    const sig = signId('assertion', id, KEY_A);
    const pending = Array.from({ length: 50 }, (_, i) => verifier.verifySignature('assertion', id, i % 2 === 0 ? sig : { ...sig, publicKey: KEY_B.publicKey }));
    await new Promise((r) => setImmediate(r)); // the batch has gone to the workers
    await verifier.close();
    const results = await Promise.all(pending);
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => i % 2 === 0));
    expect(await verifier.verifySignature('assertion', id, sig)).toBe(true);
  });

  it('verifies on the thread pool what a dying worker held, and replaces the worker', async () => {
    const id = Buffer.alloc(32, 3);
    const sig = signId('assertion', id, KEY_A);
    expect(await verifier.verifySignature('assertion', id, sig)).toBe(true); // spawns lane 0
    const lanes = (verifier as unknown as { lanes: Array<{ worker: Worker } | undefined> }).lanes;
    const pending = Array.from({ length: 20 }, () => verifier.verifySignature('assertion', id, sig));
    await new Promise((r) => setImmediate(r));
    await Promise.all(lanes.map((lane) => lane?.worker.terminate()));
    expect(await Promise.all(pending)).toEqual(Array.from({ length: 20 }, () => true));
    expect(verifier.stats.fallbacks).toBeGreaterThan(0);
    const before = verifier.stats.batches;
    expect(await verifier.verifySignature('assertion', id, sig)).toBe(true);
    expect(verifier.stats.batches).toBe(before + 1);
  });

  it(`rejects worker counts outside 1..VERIFY_WORKERS_MAX (${VERIFY_WORKERS_MAX}) and a batch size below 1`, async () => {
    expect(() => new SignatureVerifier({ workers: 0 })).toThrow(RangeError);
    expect(() => new SignatureVerifier({ workers: VERIFY_WORKERS_MAX + 1 })).toThrow(RangeError);
    expect(() => new SignatureVerifier({ batchSignaturesMax: 0 })).toThrow(RangeError);
    const ok = [new SignatureVerifier({ workers: 1 }), new SignatureVerifier({ workers: VERIFY_WORKERS_MAX, batchSignaturesMax: 1 })];
    await Promise.all(ok.map((v) => v.close()));
  });

  it('defaults to one worker per core for admission and one fewer for ingest, within 1..VERIFY_WORKERS_MAX', () => {
    const cores = availableParallelism();
    expect(defaultVerifyWorkers('admission')).toBe(Math.min(VERIFY_WORKERS_MAX, cores));
    expect(defaultVerifyWorkers('ingest')).toBe(Math.max(1, Math.min(VERIFY_WORKERS_MAX, cores - 1)));
    expect(defaultVerifyWorkers('admission-beside-reader')).toBe(defaultVerifyWorkers('ingest'));
    expect(defaultVerifyWorkers()).toBe(defaultVerifyWorkers('ingest'));
  });

  it('a verifier nobody closes keeps its process alive exactly while a check is pending', () => {
    // Two checks one after the other (the worker goes idle in between), then nothing:
    // the process must print both answers and exit by itself.
    const verifierJs = requireBuilt(join(DIST, 'shared', 'verify', 'signature-verifier.js'));
    const signingJs = requireBuilt(join(DIST, 'shared', 'domain', 'signing.js'));
    const program = `
      const { SignatureVerifier } = require(${JSON.stringify(verifierJs)});
      const { generateKeyPair, signId } = require(${JSON.stringify(signingJs)});
      const id = Buffer.alloc(32, 7);
      const sig = signId('assertion', id, generateKeyPair());
      const v = new SignatureVerifier({ workers: 1 });
      v.verifySignature('assertion', id, sig)
        .then((a) => v.verifySignature('assertion', id, sig).then((b) => process.stdout.write(a + ' ' + b)));`;
    const run = spawnSync(process.execPath, ['-e', program], { encoding: 'utf8', timeout: 30_000 });
    expect({ stdout: run.stdout, status: run.status, signal: run.signal }).toEqual({ stdout: 'true true', status: 0, signal: null });
  });

  describe('inline share', () => {
    const id = Buffer.alloc(32, 4);
    const good = signId('assertion', id, KEY_A);
    const bad = { ...good, publicKey: KEY_B.publicKey };
    let shared: SignatureVerifier;
    beforeEach(() => {
      shared = new SignatureVerifier({ workers: 1, inlineShare: true });
    });
    afterEach(() => shared.close());

    it('verifies the last 1/(workers + 1) of a round on the calling thread when every worker is idle, with the same answers', async () => {
      // Bad signatures at the end of the round: the inline share holds them.
      const sigs = Array.from({ length: 10 }, (_, i) => (i >= 7 ? bad : good));
      expect(await Promise.all(sigs.map((s) => shared.verifySignature('assertion', id, s)))).toEqual(sigs.map((s) => s === good));
      expect(shared.stats).toMatchObject({ inline: 5, signatures: 5, batches: 1 });
      // verifyRecords names the failing signature of a record verified inline.
      const three = resign(assertionWith(), [KEY_A, KEY_B, KEY_C]);
      const badLast = { ...three, signatures: three.signatures.map((s, i) => (i === 2 ? { ...s, signature: Buffer.alloc(64, 2) } : s)) };
      const out = await shared.verifyRecords([three, badLast], (i) => `records[${i}]`);
      expect(shared.stats.inline).toBe(5 + 3);
      expect((out[0] as Buffer).equals(recordId(three))).toBe(true);
      expect(out[1]).toMatchObject({ name: 'SignatureError', field: 'records[1].assertion.signatures[2]' });
    });

    it('verifies a lone signature on the calling thread (a share rounds up: no worker round trip for one check)', async () => {
      expect(await shared.verifySignature('assertion', id, good)).toBe(true);
      expect(await shared.verifySignature('assertion', id, bad)).toBe(false);
      expect(shared.stats).toMatchObject({ inline: 2, signatures: 0, batches: 0 });
    });

    it(`takes at most VERIFY_INLINE_SHARE_SIGNATURES_MAX (${VERIFY_INLINE_SHARE_SIGNATURES_MAX}) of a round`, async () => {
      const n = 4 * VERIFY_INLINE_SHARE_SIGNATURES_MAX;
      const results = await Promise.all(Array.from({ length: n }, () => shared.verifySignature('assertion', id, good)));
      expect(results.every((ok) => ok)).toBe(true);
      expect(shared.stats.inline).toBe(VERIFY_INLINE_SHARE_SIGNATURES_MAX);
      expect(shared.stats.signatures).toBe(n - VERIFY_INLINE_SHARE_SIGNATURES_MAX);
    });

    it('sends the whole round to the workers while a worker still holds an earlier one', async () => {
      const first = Array.from({ length: 20 }, () => shared.verifySignature('assertion', id, good));
      await new Promise((r) => setImmediate(r)); // the first round is out: its worker is busy
      const inlineAfterFirst = shared.stats.inline;
      const second = Array.from({ length: 20 }, (_, i) => shared.verifySignature('assertion', id, i % 2 === 0 ? good : bad));
      expect(await Promise.all(second)).toEqual(Array.from({ length: 20 }, (_, i) => i % 2 === 0));
      expect(await Promise.all(first)).toEqual(Array.from({ length: 20 }, () => true));
      expect(inlineAfterFirst).toBe(10);
      expect(shared.stats.inline).toBe(10); // nothing of the second round ran here
      expect(shared.stats.signatures).toBe(10 + 20);
    });

    it(`is not taken while the calling thread's event loop was busy (≥ VERIFY_INLINE_SHARE_BUSY_MAX = ${VERIFY_INLINE_SHARE_BUSY_MAX} of the last window)`, async () => {
      // Busy for two windows on this thread: a round then goes to the worker whole.
      const until = performance.now() + 2 * VERIFY_INLINE_SHARE_WINDOW_MS;
      while (performance.now() < until) {
        // spin: the event loop is busy
      }
      expect(await Promise.all(Array.from({ length: 10 }, () => shared.verifySignature('assertion', id, good)))).toEqual(Array.from({ length: 10 }, () => true));
      expect(shared.stats).toMatchObject({ inline: 0, signatures: 10 });
      // Idle for two windows: the share is taken again.
      await new Promise((r) => setTimeout(r, 2 * VERIFY_INLINE_SHARE_WINDOW_MS));
      await Promise.all(Array.from({ length: 10 }, () => shared.verifySignature('assertion', id, good)));
      expect(shared.stats).toMatchObject({ inline: 5, signatures: 15 });
    });

    it('is off unless asked for', async () => {
      await Promise.all(Array.from({ length: 10 }, () => verifier.verifySignature('assertion', id, good)));
      expect(verifier.stats.inline).toBe(0);
      expect(verifier.stats.signatures).toBe(10);
    });
  });
});
