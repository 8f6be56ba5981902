/**
 * docs/FORMAT.md's admission vectors (```json admission-vector blocks): the
 * canonical bytes, id, signature and JSON form of AgentGrant and AgentRevoke,
 * and the validation rules of both kinds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalBytes } from '../../shared/domain/canonical';
import { ValidationError } from '../../shared/domain/errors';
import { recordId } from '../../shared/domain/hash';
import { decodeLogPayload, encodeLogPayload } from '../../shared/domain/log-payload';
import { recordFromProto, recordToProto } from '../../shared/domain/proto-convert';
import { recordFromJson, recordToJson } from '../../shared/domain/record-json';
import { verifyRecord } from '../../shared/domain/signing';
import { REVOKE_REASON_BYTES_MAX } from '../../shared/domain/limits';
import type { AgentGrant, AgentRevoke, StemeRecord } from '../../shared/domain/types';
import { validateRecord } from '../../shared/domain/validate';
import { KEY_A, KEY_B, resign } from './fixtures';
import { REPO_ROOT } from '../helpers/process';

const DOC = readFileSync(join(REPO_ROOT, 'docs', 'FORMAT.md'), 'utf8');
const vectors = [...DOC.matchAll(/^```json admission-vector\n([\s\S]*?)^```$/gm)].map((m) => JSON.parse(m[1]!) as { name: string; record: Record<string, unknown>; canonical: string; id: string });

/** Signed, then overridden (validation does not verify signatures). */
const grant = (o: Partial<AgentGrant> = {}): AgentGrant => ({ ...resign<AgentGrant>({ kind: 'agent_grant', agent: KEY_B.publicKey, grantedAtMs: 1_700_000_000_000, expiresAtMs: null, signatures: [] }, [KEY_A]), ...o });
const revoke = (o: Partial<AgentRevoke> = {}): AgentRevoke => ({ ...resign<AgentRevoke>({ kind: 'agent_revoke', agent: KEY_B.publicKey, reason: '', revokedAtMs: 1_700_000_000_000, signatures: [] }, [KEY_A]), ...o });

function fieldOf(record: StemeRecord): string {
  try {
    validateRecord(record);
  } catch (err) {
    return (err as ValidationError).field;
  }
  return 'valid';
}

describe('admission records', () => {
  it('docs/FORMAT.md has a vector for each admission kind', () => {
    expect(new Set(vectors.map((v) => v.record.kind))).toEqual(new Set(['agent_grant', 'agent_revoke']));
  });

  it.each(vectors.map((v) => [v.name, v] as const))('%s: canonical bytes, id, signatures and JSON form match the code', (_n, v) => {
    const record = recordFromJson(v.record);
    expect(canonicalBytes(record).toString('hex')).toBe(v.canonical);
    expect(recordId(record).toString('hex')).toBe(v.id);
    expect(verifyRecord(record).toString('hex')).toBe(v.id);
    expect(recordToJson(record)).toEqual(v.record);
  });

  it('round-trip through protobuf and the log payload (type bytes 5 and 6)', () => {
    const expiring = resign(grant({ expiresAtMs: 1_800_000_000_000 }), [KEY_A]);
    for (const [record, type] of [[expiring, 5], [grant(), 5], [resign(revoke({ reason: 'leaked' }), [KEY_A]), 6]] as const) {
      expect(recordFromProto(recordToProto(record))).toEqual(record);
      const payload = encodeLogPayload({ record, appendedAtMs: 1_700_000_000_001, traceparent: '' });
      expect(payload[0]).toBe(type);
      expect(decodeLogPayload(payload).record).toEqual(record);
    }
  });

  it('validation names the field: agent key, expiry after the grant, reason length, timestamps', () => {
    expect(fieldOf(grant())).toBe('valid');
    expect(fieldOf(grant({ agent: Buffer.alloc(31) }))).toBe('record.agent_grant.agent');
    expect(fieldOf(grant({ expiresAtMs: 1_700_000_000_000 }))).toBe('record.agent_grant.expires_at_ms');
    expect(fieldOf(grant({ expiresAtMs: 1_700_000_000_001 }))).toBe('valid');
    expect(fieldOf(grant({ grantedAtMs: 1 }))).toBe('record.agent_grant.granted_at_ms');
    expect(fieldOf(revoke({ reason: 'x'.repeat(REVOKE_REASON_BYTES_MAX) }))).toBe('valid');
    expect(fieldOf(revoke({ reason: 'x'.repeat(REVOKE_REASON_BYTES_MAX + 1) }))).toBe('record.agent_revoke.reason');
    expect(fieldOf(revoke({ reason: 'a\u0000b' }))).toBe('record.agent_revoke.reason');
    expect(fieldOf(revoke({ agent: Buffer.alloc(32) }))).toBe('record.agent_revoke.agent');
    expect(fieldOf({ ...revoke(), signatures: [] })).toBe('record.agent_revoke.signatures');
  });
});
