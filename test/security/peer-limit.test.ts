/**
 * The per-peer fresh-key limit over the wire: one peer may bring at most the
 * burst of new signer keys (then RESOURCE_EXHAUSTED with a retry-after), keys
 * it already used cost nothing, a batch is charged all or nothing, and with
 * admission on the limit does not apply.
 */
import * as grpc from '@grpc/grpc-js';
import { callUnary, fieldOf } from '../../shared/grpc/client';
import { RETRY_AFTER_METADATA_KEY } from '../../shared/grpc/status';
import { peerHost } from '../../services/writer/peer-limit';
import type { AgentGrant } from '../../shared/domain/types';
import { resign, seedKey } from '../domain/fixtures';
import { makeTempDir } from '../helpers/tmp';
import { append, client, pb, signedAssertion, startWriterProcess, type WriterProcess } from '../writer/writer-fixtures';

const BURST = 3;
const keys = Array.from({ length: 8 }, (_, i) => seedKey(40 + i));

async function failure(p: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await p;
  } catch (err) {
    return err as grpc.ServiceError;
  }
  throw new Error('expected the call to fail');
}

test('peerHost takes the host of every grpc-js peer form', () => {
  expect(['ipv4:10.0.0.7:5123', '10.0.0.7:5123', '[::1]:80', 'ipv6:[fe80::1]:9'].map(peerHost)).toEqual(['10.0.0.7', '10.0.0.7', '::1', 'fe80::1']);
});

describe('a writer with a per-peer fresh-key limit', () => {
  const dir = makeTempDir('stemedb-peer-limit-');
  let writer: WriterProcess;
  const limit = ['--peer-new-keys-per-sec', '0.001', '--peer-new-keys-burst', String(BURST)];

  beforeAll(async () => {
    writer = await startWriterProcess(`${dir.path}/wal`, ['--durability', 'none', ...limit]);
  });
  afterAll(async () => {
    await writer?.stop();
    dir.cleanup();
  });

  it('refuses the key past the burst, keeps serving known keys, and charges a batch all or nothing', async () => {
    const c = client(writer.address);
    for (let i = 0; i < BURST; i++) await append(c, pb(signedAssertion(`fresh-${i}`, [keys[i]!])));
    const refused = await failure(append(c, pb(signedAssertion('one-too-many', [keys[BURST]!]))));
    expect(refused.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(refused.details).toMatch(/peer 127\.0\.0\.1 exceeded new_keys_per_second_per_peer/);
    expect(fieldOf(refused)).toBe('record');
    expect(Number(refused.metadata.get(RETRY_AFTER_METADATA_KEY)[0])).toBeGreaterThan(0);
    // Known keys cost nothing, also as co-signers of one record.
    await append(c, pb(signedAssertion('known', [keys[0]!, keys[1]!])));
    // A batch with one fresh key among known ones is refused whole.
    const batch = [signedAssertion('b-known', [keys[2]!]), signedAssertion('b-fresh', [keys[5]!])].map(pb);
    const batchRefused = await failure(callUnary(c.appendBatch.bind(c), { records: batch }));
    expect(batchRefused.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(fieldOf(batchRefused)).toBe('records');
    c.close();
  });

  it('does not apply with admission on (keys then need grants instead)', async () => {
    const admin = seedKey(60);
    const w = await startWriterProcess(`${dir.path}/wal-admission`, ['--durability', 'none', ...limit, '--admission', 'on', '--admin-key', admin.publicKey.toString('hex')]);
    try {
      const c = client(w.address);
      // More granted fresh keys than the burst, all from this one peer: none is refused.
      for (let i = 0; i <= BURST; i++) await append(c, pb(resign<AgentGrant>({ kind: 'agent_grant', agent: keys[i]!.publicKey, grantedAtMs: Date.now(), expiresAtMs: null, signatures: [] }, [admin])));
      for (let i = 0; i <= BURST; i++) await append(c, pb(signedAssertion(`granted-${i}`, [keys[i]!])));
      c.close();
    } finally {
      await w.stop();
    }
  });
});
