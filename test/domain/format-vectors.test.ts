/**
 * docs/FORMAT.md's test vectors, checked against the code, so the document and
 * the implementation cannot drift apart. Blocks are fenced ```json test-vector,
 * ```json signature-vector and ```json payload-vector.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalBytes } from '../../shared/domain/canonical';
import { recordId } from '../../shared/domain/hash';
import { decodeLogPayload, encodeLogPayload } from '../../shared/domain/log-payload';
import { recordFromJson, recordToJson } from '../../shared/domain/record-json';
import { keyPairFromSeed, signId, signingMessage, verifyRecord, verifySignature } from '../../shared/domain/signing';
import type { RecordKind, StemeRecord } from '../../shared/domain/types';
import { REPO_ROOT } from '../helpers/process';

const DOC = readFileSync(join(REPO_ROOT, 'docs', 'FORMAT.md'), 'utf8');

function blocks(label: string): unknown[] {
  const re = new RegExp('^```json ' + label + '\\n([\\s\\S]*?)^```$', 'gm');
  return [...DOC.matchAll(re)].map((m) => JSON.parse(m[1]!) as unknown);
}

interface RecordVector {
  name: string;
  record: Record<string, unknown>;
  canonical: string;
  id: string;
}

const vectors = blocks('test-vector') as RecordVector[];
const [signatureVector] = blocks('signature-vector') as Array<{ seed: string; public_key: string; kind: RecordKind; id: string; message: string; signature: string }>;
const [payloadVector] = blocks('payload-vector') as Array<{ record: Record<string, unknown>; appended_at_ms: number; traceparent: string; payload: string }>;

describe('docs/FORMAT.md test vectors', () => {
  it('cover every record kind and every object kind', () => {
    const records = vectors.map((v) => recordFromJson(v.record));
    expect(new Set(records.map((r) => r.kind))).toEqual(new Set(['assertion', 'vote', 'epoch', 'gold_standard', 'trust_pack']));
    const objectKinds = records.flatMap((r) => (r.kind === 'assertion' || r.kind === 'gold_standard' ? [r.object.kind] : []));
    expect(new Set(objectKinds)).toEqual(new Set(['text', 'number', 'integer', 'boolean', 'entity', 'timestamp', 'bytes']));
    expect(signatureVector).toBeDefined();
    expect(payloadVector).toBeDefined();
  });

  it.each(vectors.map((v) => [v.name, v] as const))('%s: canonical bytes, id, signatures and JSON form match the code', (_name, v) => {
    const record: StemeRecord = recordFromJson(v.record);
    expect(canonicalBytes(record).toString('hex')).toBe(v.canonical);
    expect(recordId(record).toString('hex')).toBe(v.id);
    expect(verifyRecord(record).toString('hex')).toBe(v.id);
    expect(recordToJson(record)).toEqual(v.record);
  });

  it('signature vector: seed → public key → deterministic signature over the domain-tagged id', () => {
    const v = signatureVector!;
    const pair = keyPairFromSeed(Buffer.from(v.seed, 'hex'));
    expect(pair.publicKey.toString('hex')).toBe(v.public_key);
    const id = Buffer.from(v.id, 'hex');
    expect(signingMessage(v.kind, id).toString('hex')).toBe(v.message);
    const sig = signId(v.kind, id, pair);
    expect(sig.signature.toString('hex')).toBe(v.signature);
    expect(verifySignature(v.kind, id, { publicKey: pair.publicKey, signature: Buffer.from(v.signature, 'hex') })).toBe(true);
    expect(v.id).toBe(vectors[0]!.id);
  });

  it('payload vector: the log payload of the first record', () => {
    const v = payloadVector!;
    const entry = { record: recordFromJson(v.record), appendedAtMs: v.appended_at_ms, traceparent: v.traceparent };
    expect(encodeLogPayload(entry).toString('hex')).toBe(v.payload);
    expect(decodeLogPayload(Buffer.from(v.payload, 'hex'))).toEqual(entry);
  });
});
