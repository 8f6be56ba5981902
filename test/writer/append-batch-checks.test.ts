/**
 * AppendBatch's own checks over the wire (issue 11 point 7): the admin-key rule
 * for gold standards and epochs names the record in the batch, and the quota
 * counts every record of the batch per agent — all or nothing either way.
 */
import * as grpc from '@grpc/grpc-js';
import { generateKeyPair } from '../../shared/domain/signing';
import { callUnary } from '../../shared/grpc/client';
import { FIELD_METADATA_KEY } from '../../shared/grpc/status';
import { goldStandardWith, KEY_A, KEY_B, resign } from '../domain/fixtures';
import { makeTempDir } from '../helpers/tmp';
import { client, pb, signedAssertion, startWriterProcess, type WriterProcess } from './writer-fixtures';

const BURST = 3;

async function batchOutcome(c: ReturnType<typeof client>, records: ReturnType<typeof pb>[]): Promise<{ code: grpc.status; field?: string; details: string }> {
  try {
    await callUnary(c.appendBatch.bind(c), { records }, { deadlineMs: 10_000 });
    return { code: grpc.status.OK, details: '' };
  } catch (err) {
    const e = err as grpc.ServiceError;
    return { code: e.code, field: e.metadata?.get(FIELD_METADATA_KEY)[0] as string | undefined, details: e.details };
  }
}

describe('AppendBatch checks', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let writer: WriterProcess;
  let c: ReturnType<typeof client>;
  const head = async (): Promise<bigint> => (await callUnary(c.head.bind(c), {}, { deadlineMs: 10_000 })).headOffset;

  beforeAll(async () => {
    tmp = makeTempDir('stemedb-batch-checks-');
    writer = await startWriterProcess(tmp.path, ['--admin-key', KEY_B.publicKey.toString('hex'), '--quota-records-per-sec', '0.0001', '--quota-burst', String(BURST)]);
    c = client(writer.address);
  });
  afterAll(async () => {
    c.close();
    await writer.stop();
    tmp.cleanup();
  });

  it('a gold standard without an admin signature is PERMISSION_DENIED naming it; nothing of the batch is appended', async () => {
    const before = await head();
    const o = await batchOutcome(c, [pb(signedAssertion('batch-admin-ok', [generateKeyPair()])), pb(resign(goldStandardWith(), [KEY_A]))]);
    expect(o).toMatchObject({ code: grpc.status.PERMISSION_DENIED, field: 'records[1].gold_standard.signatures' });
    expect(await head()).toBe(before);
    expect((await batchOutcome(c, [pb(resign(goldStandardWith(), [KEY_B]))])).code).toBe(grpc.status.OK);
  });

  it(`the quota counts every record of the batch per agent: ${BURST + 1} by one agent is RESOURCE_EXHAUSTED, ${BURST} pass`, async () => {
    const agent = generateKeyPair();
    const before = await head();
    const over = await batchOutcome(c, Array.from({ length: BURST + 1 }, (_, i) => pb(signedAssertion(`batch-q-${i}`, [agent]))));
    expect(over.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(over.details).toContain(agent.publicKey.toString('hex'));
    expect(await head()).toBe(before);
    expect((await batchOutcome(c, Array.from({ length: BURST }, (_, i) => pb(signedAssertion(`batch-q-${i}`, [agent]))))).code).toBe(grpc.status.OK);
    expect((await batchOutcome(c, [pb(signedAssertion('batch-q-more', [agent]))])).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    // Two agents with BURST each in one batch: counted per agent, so it passes.
    const [x, y] = [generateKeyPair(), generateKeyPair()];
    const mixed = Array.from({ length: 2 * BURST }, (_, i) => pb(signedAssertion(`batch-mixed-${i}`, [i % 2 === 0 ? x : y])));
    expect((await batchOutcome(c, mixed)).code).toBe(grpc.status.OK);
  });
});
