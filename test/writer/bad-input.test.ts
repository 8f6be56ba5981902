/**
 * Bad input over the wire: each gets its status code (and the field it
 * concerns), and the writer keeps serving — a good append succeeds after each.
 */
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { generateKeyPair, signRecord } from '../../shared/domain/signing';
import type { Assertion } from '../../shared/domain/types';
import { SignatureAlgorithm, type Record as PbRecord } from '../../shared/gen/stemedb/v1/records';
import { AppendRequest, AppendResponse } from '../../shared/gen/stemedb/v1/writer';
import { callUnary, fieldOf } from '../../shared/grpc/client';
import { MESSAGE_BYTES_MAX } from '../../shared/grpc/limits';
import { RETRY_AFTER_METADATA_KEY } from '../../shared/grpc/status';
import { assertionWith, epochWith, goldStandardWith, KEY_A, KEY_B, KEY_C, resign, trustPackWith, voteWith } from '../domain/fixtures';
import { makeTempDir } from '../helpers/tmp';
import { append, client, pb, signedAssertion, startWriterProcess, type WriterProcess } from './writer-fixtures';

const QUOTA_RATE_PER_SEC = 1;
const QUOTA_BURST = 40;

const identity = (b: Buffer): Buffer => b;
const RawClient = grpc.makeGenericClientConstructor(
  { append: { path: '/stemedb.v1.WriterService/Append', requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity } },
  'RawWriter',
);

interface Outcome {
  code: grpc.status;
  field: string | undefined;
  details: string;
  metadata: grpc.Metadata | undefined;
}

async function outcome(p: Promise<unknown>): Promise<Outcome> {
  try {
    await p;
    return { code: grpc.status.OK, field: undefined, details: '', metadata: undefined };
  } catch (err) {
    const e = err as grpc.ServiceError;
    return { code: e.code, field: fieldOf(e), details: e.details, metadata: e.metadata };
  }
}

describe('bad input over the wire', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let writer: WriterProcess;
  let typed: ReturnType<typeof client>;
  let raw: grpc.Client & { append: (req: Buffer, md: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: Buffer) => void) => void };

  beforeAll(async () => {
    tmp = makeTempDir('stemedb-writer-bad-');
    writer = await startWriterProcess(tmp.path, ['--admin-key', KEY_B.publicKey.toString('hex'), '--quota-records-per-sec', String(QUOTA_RATE_PER_SEC), '--quota-burst', String(QUOTA_BURST)]);
    typed = client(writer.address);
    raw = new RawClient(writer.address, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': -1 }) as unknown as typeof raw;
  });
  afterAll(async () => {
    typed?.close();
    raw?.close();
    await writer?.stop();
    tmp?.cleanup();
  });

  /** The quota is per agent: each good append is by a fresh key so the checks do not spend each other's tokens. */
  afterEach(async () => {
    const receipt = await append(typed, pb(signedAssertion(`good-${Math.random()}`, [generateKeyPair()])));
    expect(receipt.id).toHaveLength(32);
  });

  const sendRaw = (bytes: Buffer): Promise<Buffer> =>
    new Promise((resolve, reject) => raw.append(bytes, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (e, r) => (e ? reject(e) : resolve(r))));

  it('accepts every record kind, with gold standards and epochs signed by the admin key', async () => {
    for (const r of [assertionWith(), voteWith(), trustPackWith(), resign(epochWith(), [KEY_A, KEY_B]), resign(goldStandardWith(), [KEY_B])]) {
      expect((await outcome(append(typed, pb(r)))).code).toBe(grpc.status.OK);
    }
  });

  it('an unsigned record is UNAUTHENTICATED', async () => {
    const o = await outcome(append(typed, pb({ ...assertionWith(), signatures: [] })));
    expect(o).toMatchObject({ code: grpc.status.UNAUTHENTICATED, field: 'record.assertion.signatures' });
    const v = await outcome(append(typed, pb({ ...voteWith(), signatures: [] })));
    expect(v).toMatchObject({ code: grpc.status.UNAUTHENTICATED, field: 'record.vote.signature' });
  });

  it('a wrong signature is UNAUTHENTICATED naming it', async () => {
    const a = assertionWith();
    const o = await outcome(append(typed, pb({ ...a, signatures: [{ publicKey: a.signatures[0]!.publicKey, signature: Buffer.alloc(64, 7) }] })));
    expect(o).toMatchObject({ code: grpc.status.UNAUTHENTICATED, field: 'record.assertion.signatures[0]' });
  });

  it('a signature made for another id is UNAUTHENTICATED', async () => {
    const other = signedAssertion('other');
    const o = await outcome(append(typed, pb({ ...assertionWith(), signatures: other.signatures })));
    expect(o).toMatchObject({ code: grpc.status.UNAUTHENTICATED, field: 'record.assertion.signatures[0]' });
  });

  it.each([NaN, -0.1, 1.1, Infinity])('confidence %p is INVALID_ARGUMENT naming record.assertion.confidence', async (confidence) => {
    const o = await outcome(append(typed, pb(resign(assertionWith({ confidence })))));
    expect(o).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, field: 'record.assertion.confidence' });
  });

  it('a NUL in the subject is INVALID_ARGUMENT naming record.assertion.subject', async () => {
    const bad: Assertion = { ...assertionWith(), subject: 'city\u0000france' };
    const o = await outcome(append(typed, pb(signRecord({ ...bad, signatures: [] }, [KEY_A]))));
    expect(o).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, field: 'record.assertion.subject' });
  });

  it('invalid UTF-8 in a string field (raw protobuf bytes) is INVALID_ARGUMENT naming the request', async () => {
    const good = AppendRequest.encode({ record: pb(signedAssertion('XXXX')) }).finish();
    const bytes = Buffer.from(good);
    const at = bytes.indexOf('s:XXXX');
    expect(at).toBeGreaterThan(0);
    bytes[at + 3] = 0xff; // 'X' → a lone continuation-less byte: not UTF-8
    bytes[at + 4] = 0xfe;
    const o = await outcome(sendRaw(bytes));
    expect(o).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, field: 'request' });
    // The same bytes before the damage decode and append fine.
    expect(AppendResponse.decode(await sendRaw(Buffer.from(good))).receipt?.id).toHaveLength(32);
  });

  it('a message over the size limit is RESOURCE_EXHAUSTED; one just under it reaches validation', async () => {
    const over = await outcome(sendRaw(Buffer.alloc(MESSAGE_BYTES_MAX + 1, 0)));
    expect(over.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    // MESSAGE_BYTES_MAX bytes of zeros: accepted by the transport, then not a valid request.
    const at = await outcome(sendRaw(Buffer.alloc(MESSAGE_BYTES_MAX, 0)));
    expect(at.code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('an unknown enum value is INVALID_ARGUMENT naming the field', async () => {
    const record = pb(assertionWith());
    const a = record.kind!.$case === 'assertion' ? record.kind!.value : undefined;
    a!.signatures[0]!.algorithm = 7 as SignatureAlgorithm;
    const o = await outcome(append(typed, record as PbRecord));
    expect(o).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, field: 'record.assertion.signatures[0].algorithm' });
  });

  it('random bytes as the request body are INVALID_ARGUMENT', async () => {
    for (let i = 0; i < 20; i++) {
      const o = await outcome(sendRaw(randomBytes(1 + (i * 37) % 300)));
      expect(o.code).toBe(grpc.status.INVALID_ARGUMENT);
    }
  });

  it('a record with no kind is INVALID_ARGUMENT naming record', async () => {
    const o = await outcome(callUnary(typed.append.bind(typed), { record: undefined }));
    expect(o).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, field: 'record' });
  });

  it('a gold standard or epoch not signed by an admin key is PERMISSION_DENIED', async () => {
    const gold = await outcome(append(typed, pb(goldStandardWith())));
    expect(gold).toMatchObject({ code: grpc.status.PERMISSION_DENIED, field: 'record.gold_standard.signatures' });
    const epoch = await outcome(append(typed, pb(resign(epochWith(), [KEY_A, KEY_C]))));
    expect(epoch).toMatchObject({ code: grpc.status.PERMISSION_DENIED, field: 'record.epoch.signatures' });
  });

  it(`past the quota burst (${QUOTA_BURST}) an agent gets RESOURCE_EXHAUSTED with a retry hint`, async () => {
    const agent = generateKeyPair();
    for (let i = 0; i < QUOTA_BURST; i++) expect((await outcome(append(typed, pb(signedAssertion(`q${i}`, [agent]))))).code).toBe(grpc.status.OK);
    const o = await outcome(append(typed, pb(signedAssertion('q-over', [agent]))));
    expect(o.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(o.details).toMatch(/records_per_second/);
    expect(Number(o.metadata?.get(RETRY_AFTER_METADATA_KEY)[0])).toBeGreaterThan(0);
  });
});
