/**
 * Agent admission with real processes: with `--admission on` an unadmitted
 * key is refused (PERMISSION_DENIED naming the signature), accepted after an
 * admin-signed AgentGrant, refused again after an AgentRevoke; every signer of
 * a co-signed record must be admitted; expired grants and grants of revoked
 * keys are refused; the table survives a restart and is rebuilt from the log
 * when missing; and answers as of an offset before the revocation do not
 * change once it is applied.
 */
import { rmSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type { AgentGrant, AgentRevoke, StemeRecord } from '../../shared/domain/types';
import { Lens } from '../../shared/gen/stemedb/v1/reader';
import { fieldOf } from '../../shared/grpc/client';
import { KEY_B, KEY_C, resign, seedKey } from '../domain/fixtures';
import { makeTempDir } from '../helpers/tmp';
import { claimBy, readerClient, resolve, startReaderProcess, write } from '../reader/reader-fixtures';
import { signedAssertion, startWriterProcess, type WriterProcess } from '../writer/writer-fixtures';
import { agent } from '../graph/log-builder';

const ADMIN = seedKey(9);
const NOW = Date.now();

function grant(who: Buffer, expiresAtMs: number | null = null, grantedAtMs = NOW): AgentGrant {
  return resign<AgentGrant>({ kind: 'agent_grant', agent: who, grantedAtMs, expiresAtMs, signatures: [] }, [ADMIN]);
}

function revoke(who: Buffer, reason = 'key leaked'): AgentRevoke {
  return resign<AgentRevoke>({ kind: 'agent_revoke', agent: who, reason, revokedAtMs: NOW, signatures: [] }, [ADMIN]);
}

async function refusal(address: string, record: StemeRecord): Promise<{ code: grpc.status; field: string | undefined; details: string }> {
  try {
    await write(address, record);
  } catch (err) {
    const e = err as grpc.ServiceError;
    return { code: e.code, field: fieldOf(e), details: e.details };
  }
  throw new Error('expected the append to be refused');
}

describe('agent admission', () => {
  const dir = makeTempDir('stemedb-admission-');
  const wal = `${dir.path}/wal`;
  const args = ['--durability', 'none', '--admission', 'on', '--admin-key', ADMIN.publicKey.toString('hex')];
  let writer: WriterProcess;

  beforeAll(async () => {
    writer = await startWriterProcess(wal, args);
  });
  afterAll(async () => {
    await writer?.stop();
    dir.cleanup();
  });

  it('refuses an unadmitted key, accepts it after a grant, refuses it again after a revocation', async () => {
    const first = await refusal(writer.address, signedAssertion('before-grant', [KEY_B]));
    expect(first).toMatchObject({ code: grpc.status.PERMISSION_DENIED, field: 'record.assertion.signatures[0].public_key' });
    expect(first.details).toMatch(/not admitted to write \(not granted\)/);

    await write(writer.address, grant(KEY_B.publicKey));
    await write(writer.address, signedAssertion('after-grant', [KEY_B]));

    // Every signer must be admitted: KEY_C is not.
    const cosigned = await refusal(writer.address, signedAssertion('cosigned', [KEY_B, KEY_C]));
    expect(cosigned).toMatchObject({ code: grpc.status.PERMISSION_DENIED, field: 'record.assertion.signatures[1].public_key' });

    await write(writer.address, revoke(KEY_B.publicKey));
    const after = await refusal(writer.address, signedAssertion('after-revoke', [KEY_B]));
    expect(after).toMatchObject({ code: grpc.status.PERMISSION_DENIED, field: 'record.assertion.signatures[0].public_key' });
    expect(after.details).toMatch(/revoked/);
    // A revocation is final: granting the key again is refused.
    expect(await refusal(writer.address, grant(KEY_B.publicKey))).toMatchObject({ code: grpc.status.PERMISSION_DENIED, field: 'record.agent_grant.agent' });
  });

  it('refuses a key whose grant expired, and grants or revocations not signed by an admin', async () => {
    await write(writer.address, grant(KEY_C.publicKey, NOW - 1_000, NOW - 2_000));
    expect(await refusal(writer.address, signedAssertion('expired', [KEY_C]))).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    const selfGranted = resign<AgentGrant>({ kind: 'agent_grant', agent: KEY_C.publicKey, grantedAtMs: NOW, expiresAtMs: null, signatures: [] }, [KEY_C]);
    expect(await refusal(writer.address, selfGranted)).toMatchObject({ code: grpc.status.PERMISSION_DENIED, field: 'record.agent_grant.signatures' });
  });

  it('keeps the table across a restart, and rebuilds it from the log when it is missing', async () => {
    const d = seedKey(21);
    await write(writer.address, grant(d.publicKey));
    for (const removeTable of [false, true]) {
      await writer.stop();
      if (removeTable) rmSync(`${wal}/agents`, { recursive: true, force: true });
      writer = await startWriterProcess(wal, args);
      await write(writer.address, signedAssertion(`after-restart-${removeTable}`, [d]));
      expect(await refusal(writer.address, signedAssertion(`revoked-after-restart-${removeTable}`, [KEY_B]))).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    }
  });
});

describe('revocation and time travel', () => {
  it('answers as of an offset before the revocation do not change once the revocation is applied', async () => {
    const dir = makeTempDir('stemedb-revoke-asof-');
    const writer = await startWriterProcess(`${dir.path}/wal`, ['--durability', 'none', '--admission', 'on', '--admin-key', ADMIN.publicKey.toString('hex')]);
    const reader = await startReaderProcess(`${dir.path}/data`, ['--writer', writer.address]);
    const r = readerClient(reader.address);
    try {
      for (const who of [1, 2, 3]) await write(writer.address, grant(agent(who).publicKey));
      await write(writer.address, claimBy(1, 'tea', 'origin', 'china'));
      await write(writer.address, claimBy(2, 'tea', 'origin', 'india'));
      const last = await write(writer.address, claimBy(3, 'tea', 'origin', 'india', { source: 77 }));
      const revocation = await write(writer.address, revoke(agent(2).publicKey));
      expect(revocation.at).toBeGreaterThan(last.at);
      const asOf = { lens: Lens.LENS_AUTHORITY, asOfOffset: revocation.offset };
      const before = await resolve(r, 'tea', 'origin', { ...asOf, minOffset: last.offset });
      await write(writer.address, claimBy(3, 'tea', 'origin', 'china', { source: 79 }));
      const tip = await resolve(r, 'tea', 'origin', { lens: Lens.LENS_AUTHORITY, minOffset: revocation.offset });
      expect(tip.servedAtOffset).toBeGreaterThan(revocation.offset);
      const again = await resolve(r, 'tea', 'origin', asOf);
      expect(again.resolution).toEqual(before.resolution);
      expect(again.servedAtOffset).toBe(before.servedAtOffset);
      // The revoked key's later records are refused.
      expect(await refusal(writer.address, claimBy(2, 'tea', 'origin', 'kenya', { source: 80 }))).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    } finally {
      r.close();
      await reader.stop();
      await writer.stop();
      dir.cleanup();
    }
  });
});
