/**
 * Idempotent appends over the wire (issue 11 must-hold 3; issue 14 must-hold 4):
 * the same signed record sent again — ten times at once, on Append,
 * AppendBatch and AppendStream — gets the original receipt, moves the head
 * once and charges its signer once; a co-signature by a new key is appended
 * and charged to that key (a throttled key cannot hide behind a fresh one); a
 * restart keeps the answers (the index is on disk) and deleting `ids/`
 * rebuilds it from the log.
 */
import * as grpc from '@grpc/grpc-js';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair } from '../../shared/domain/signing';
import type { AppendStreamResponse, Receipt } from '../../shared/gen/stemedb/v1/writer';
import { callUnary } from '../../shared/grpc/client';
import { makeTempDir } from '../helpers/tmp';
import { append, client, pb, signedAssertion, startWriterProcess, type WriterProcess } from './writer-fixtures';

/** A rate so low that no token comes back during the test: the burst is all an agent has. */
const QUOTA_ARGS = ['--quota-records-per-sec', '0.0001', '--quota-burst', '3'];

jest.setTimeout(60_000);

function streamAll(c: ReturnType<typeof client>, records: ReturnType<typeof pb>[]): Promise<AppendStreamResponse[]> {
  return new Promise((resolve, reject) => {
    const got: AppendStreamResponse[] = [];
    const call = c.appendStream();
    call.on('data', (m: AppendStreamResponse) => {
      got.push(m);
      if (got.length === records.length) call.end();
    });
    call.on('error', reject);
    call.on('status', (s: grpc.StatusObject) => (s.code === grpc.status.OK ? resolve(got) : undefined));
    records.forEach((record, i) => call.write({ sequence: BigInt(i), record }));
  });
}

async function codeOf(p: Promise<unknown>): Promise<{ code: grpc.status; details: string }> {
  try {
    await p;
    return { code: grpc.status.OK, details: '' };
  } catch (err) {
    return { code: (err as grpc.ServiceError).code, details: (err as grpc.ServiceError).details };
  }
}

describe('idempotent appends', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let writer: WriterProcess | undefined;
  let c: ReturnType<typeof client>;

  beforeEach(async () => {
    tmp = makeTempDir('stemedb-idem-');
    writer = await startWriterProcess(tmp.path, QUOTA_ARGS);
    c = client(writer.address);
  });
  afterEach(async () => {
    c.close();
    await writer?.stop();
    tmp.cleanup();
  });

  async function restart(): Promise<void> {
    c.close();
    await writer!.stop();
    writer = await startWriterProcess(tmp.path, QUOTA_ARGS);
    c = client(writer.address);
  }

  const head = async (): Promise<number> => Number((await callUnary(c.head.bind(c), {}, { deadlineMs: 10_000 })).headOffset);

  it('the same signed record sent 10 times at once: 10 identical receipts, the head moves once, the quota is charged once', async () => {
    const key = generateKeyPair();
    const record = pb(signedAssertion('replayed', [key]));
    const before = await head();
    const receipts = await Promise.all(Array.from({ length: 10 }, () => append(c, record)));
    for (const r of receipts) expect(r).toEqual(receipts[0]);
    expect(Number(receipts[0]!.offset)).toBe(before);
    expect(await head()).toBe(Number(receipts[0]!.nextOffset));
    // Sent again one at a time: still the original receipt, still no append.
    for (let i = 0; i < 5; i++) expect(await append(c, record)).toEqual(receipts[0]);
    expect(await head()).toBe(Number(receipts[0]!.nextOffset));
    // Burst 3, one spent: two more new records pass, the third is refused.
    await append(c, pb(signedAssertion('new-1', [key])));
    await append(c, pb(signedAssertion('new-2', [key])));
    expect((await codeOf(append(c, pb(signedAssertion('new-3', [key]))))).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    // A replay of an exhausted key's record is still answered: it costs nothing.
    expect(await append(c, record)).toEqual(receipts[0]);
  });

  it('AppendBatch and AppendStream answer a replay with the original receipt and append only what is new', async () => {
    const key = generateKeyPair();
    const old = pb(signedAssertion('old', [key]));
    const original = await append(c, old);
    const fresh = pb(signedAssertion('fresh', [key]));
    const before = await head();
    const { receipts } = await callUnary(c.appendBatch.bind(c), { records: [old, fresh, fresh, old] }, { deadlineMs: 10_000 });
    expect(receipts[0]).toEqual(original);
    expect(receipts[3]).toEqual(original);
    expect(Number(receipts[1]!.offset)).toBe(before);
    expect(receipts[2]).toEqual(receipts[1]);
    expect(await head()).toBe(Number(receipts[1]!.nextOffset));
    const streamed = await streamAll(c, [old, fresh, old]);
    const bySequence = new Map(streamed.map((m) => [Number(m.sequence), m.result?.$case === 'receipt' ? m.result.value : m.result]));
    expect([bySequence.get(0), bySequence.get(1), bySequence.get(2)]).toEqual([original, receipts[1], original]);
    expect(await head()).toBe(Number(receipts[1]!.nextOffset));
    // old, fresh: two of the burst of 3 spent by everything above.
    await append(c, pb(signedAssertion('third', [key])));
    expect((await codeOf(append(c, pb(signedAssertion('fourth', [key]))))).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });

  it('a co-signature by a new key is appended; a throttled key is charged when it co-signs behind a fresh key', async () => {
    const throttled = generateKeyPair();
    for (let i = 0; i < 3; i++) await append(c, pb(signedAssertion(`spend-${i}`, [throttled])));
    expect((await codeOf(append(c, pb(signedAssertion('over', [throttled]))))).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    const fresh = generateKeyPair();
    const refused = await codeOf(append(c, pb(signedAssertion('behind-a-fresh-key', [fresh, throttled]))));
    expect(refused.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(refused.details).toContain(throttled.publicKey.toString('hex'));
    // A co-signature adds a signer: appended at a new offset, charged to the new signer only.
    const a = generateKeyPair();
    const b = generateKeyPair();
    const first = await append(c, pb(signedAssertion('cosigned', [a])));
    const cosigned = await append(c, pb(signedAssertion('cosigned', [a, b])));
    expect(cosigned.id).toEqual(first.id);
    expect(Number(cosigned.offset)).toBeGreaterThan(Number(first.offset));
    // Every signer of it has signed the id now: a replay answers with the earliest record holding it.
    expect(await append(c, pb(signedAssertion('cosigned', [b, a])))).toEqual(first);
    expect(await append(c, pb(signedAssertion('cosigned', [b])))).toEqual(first);
    // a paid for 'cosigned' once; b once: both have two of their burst of 3 left.
    for (const k of [a, b]) {
      await append(c, pb(signedAssertion(`more-${k.publicKey.toString('hex')}-1`, [k])));
      await append(c, pb(signedAssertion(`more-${k.publicKey.toString('hex')}-2`, [k])));
      expect((await codeOf(append(c, pb(signedAssertion(`more-${k.publicKey.toString('hex')}-3`, [k]))))).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    }
  });

  it('a restart keeps the answers (the index is on disk); deleting ids/ rebuilds it from the log', async () => {
    const key = generateKeyPair();
    const records = Array.from({ length: 20 }, (_, i) => pb(signedAssertion(`kept-${i}`, [generateKeyPair()])));
    const receipts: Receipt[] = [];
    for (const r of records) receipts.push(await append(c, r));
    const record = pb(signedAssertion('restart', [key]));
    const original = await append(c, record);
    const end = await head();
    await restart();
    expect(existsSync(join(tmp.path, 'ids'))).toBe(true);
    expect(await append(c, record)).toEqual(original);
    expect(await append(c, records[3]!)).toEqual(receipts[3]);
    expect(await head()).toBe(end);
    c.close();
    await writer!.stop();
    rmSync(join(tmp.path, 'ids'), { recursive: true, force: true });
    writer = await startWriterProcess(tmp.path, QUOTA_ARGS);
    c = client(writer.address);
    expect(await append(c, record)).toEqual(original);
    for (const [i, r] of records.entries()) expect(await append(c, r)).toEqual(receipts[i]);
    expect(await head()).toBe(end);
  });
});
