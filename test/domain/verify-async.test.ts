import { SignatureError } from '../../shared/domain/errors';
import { recordId } from '../../shared/domain/hash';
import { signId, verifyRecord, verifyRecordAsync, verifySignatureAsync } from '../../shared/domain/signing';
import type { RecordKind } from '../../shared/domain/types';
import { assertionWith, epochWith, goldStandardWith, KEY_A, KEY_B, resign, trustPackWith, voteWith } from './fixtures';
import { expectAgreesWithVerifySignature } from './verifier-agreement';

describe('verifySignatureAsync (thread pool)', () => {
  it('gives the same answer as verifySignature for valid, flipped and malformed signatures', async () => {
    await expectAgreesWithVerifySignature(verifySignatureAsync);
  });

  it('resolves false (never rejects) for wrong lengths, garbage keys and an unknown kind', async () => {
    const id = Buffer.alloc(32, 7);
    const good = signId('assertion', id, KEY_A);
    expect(await verifySignatureAsync('assertion', id.subarray(1), good)).toBe(false);
    expect(await verifySignatureAsync('assertion', id, { publicKey: good.publicKey.subarray(1), signature: good.signature })).toBe(false);
    expect(await verifySignatureAsync('assertion', id, { publicKey: good.publicKey, signature: good.signature.subarray(1) })).toBe(false);
    expect(await verifySignatureAsync('assertion', id, { publicKey: Buffer.alloc(32, 0xff), signature: good.signature })).toBe(false);
    expect(await verifySignatureAsync('nope' as RecordKind, id, good)).toBe(false);
    expect(await verifySignatureAsync('assertion', id, { ...good, publicKey: KEY_B.publicKey })).toBe(false);
  });
});

describe('verifyRecordAsync', () => {
  it('returns the id of every record kind, like verifyRecord', async () => {
    for (const record of [assertionWith(), voteWith(), epochWith(), goldStandardWith(), trustPackWith()]) {
      const id = await verifyRecordAsync(record);
      expect(id.equals(recordId(record))).toBe(true);
      expect(id.equals(verifyRecord(record))).toBe(true);
    }
  });

  it('names the lowest-numbered failing co-signature', async () => {
    const signed = resign(assertionWith(), [KEY_A, KEY_B]);
    const broken = { ...signed, signatures: [signed.signatures[0]!, { ...signed.signatures[1]!, signature: Buffer.alloc(64, 1) }] };
    await expect(verifyRecordAsync(broken, 'records[2]')).rejects.toMatchObject({ name: 'SignatureError', field: 'records[2].assertion.signatures[1]' });
  });

  it('names the single vote signature and rejects an unsigned record', async () => {
    const vote = voteWith({ value: -1 }); // overrides after signing: the signature no longer verifies
    await expect(verifyRecordAsync(vote)).rejects.toMatchObject({ field: 'record.vote.signature' });
    await expect(verifyRecordAsync({ ...assertionWith(), signatures: [] })).rejects.toBeInstanceOf(SignatureError);
    await expect(verifyRecordAsync({ ...assertionWith(), signatures: [] })).rejects.toMatchObject({ field: 'record.assertion.signatures', reason: 'the record is unsigned' });
  });
});
