/**
 * Converters between the generated protobuf messages (shared/gen) and domain
 * records, at the protocol edge. `*FromProto` validates fully and throws a
 * ValidationError naming the field by its proto path; `*ToProto` expects a valid
 * record. 64-bit record timestamps become numbers only after their range check,
 * so no precision is ever lost silently.
 */
import * as pb from '../gen/stemedb/v1/records';
import { ValidationError } from './errors';
import { decodeRecord } from './record-decoder';
import { sortTrustEntries } from './canonical';
import { objectKindMissing, recordTimestampFrom, signatureAlgorithmOk, unknownAlgorithm } from './proto-rules';
import { installStrictUtf8Decoding } from './strict-utf8';
import { validateObject, validateRecord } from './validate';
import type { AgentGrant, AgentRevoke, Assertion, Epoch, GoldStandard, ObjectValue, Signature, StemeRecord, TrustPack, Vote } from './types';

installStrictUtf8Decoding();

/** A domain record from a protobuf `Record`; validates everything. */
export function recordFromProto(message: pb.Record, field = 'record'): StemeRecord {
  const kind = message?.kind;
  let record: StemeRecord;
  switch (kind?.$case) {
    case 'assertion':
      record = assertionFromProto(kind.value, `${field}.assertion`);
      break;
    case 'vote':
      record = voteFromProto(kind.value, `${field}.vote`);
      break;
    case 'epoch':
      record = epochFromProto(kind.value, `${field}.epoch`);
      break;
    case 'goldStandard':
      record = goldStandardFromProto(kind.value, `${field}.gold_standard`);
      break;
    case 'trustPack':
      record = trustPackFromProto(kind.value, `${field}.trust_pack`);
      break;
    case 'agentGrant':
      record = agentGrantFromProto(kind.value, `${field}.agent_grant`);
      break;
    case 'agentRevoke':
      record = agentRevokeFromProto(kind.value, `${field}.agent_revoke`);
      break;
    default:
      throw new ValidationError(field, 'no record kind set');
  }
  validateRecord(record, field);
  return record;
}

/** A protobuf `Record` from a (valid) domain record. */
export function recordToProto(record: StemeRecord): pb.Record {
  switch (record.kind) {
    case 'assertion':
      return { kind: { $case: 'assertion', value: assertionToProto(record) } };
    case 'vote':
      return { kind: { $case: 'vote', value: voteToProto(record) } };
    case 'epoch':
      return { kind: { $case: 'epoch', value: epochToProto(record) } };
    case 'gold_standard':
      return { kind: { $case: 'goldStandard', value: goldStandardToProto(record) } };
    case 'trust_pack':
      return { kind: { $case: 'trustPack', value: trustPackToProto(record) } };
    case 'agent_grant':
      return { kind: { $case: 'agentGrant', value: { agent: Buffer.from(record.agent), grantedAtMs: BigInt(record.grantedAtMs), ...(record.expiresAtMs === null ? {} : { expiresAtMs: BigInt(record.expiresAtMs) }), signatures: record.signatures.map(signatureToProto) } } };
    case 'agent_revoke':
      return { kind: { $case: 'agentRevoke', value: { agent: Buffer.from(record.agent), reason: record.reason, revokedAtMs: BigInt(record.revokedAtMs), signatures: record.signatures.map(signatureToProto) } } };
  }
}

/**
 * Decode protobuf `Record` bytes (strict UTF-8) and convert them; throws
 * DecodeError or ValidationError. One pass straight to the domain record
 * (record-decoder.ts): the same answers as `recordFromProto(pb.Record.decode(bytes))`.
 */
export function decodeRecordBytes(bytes: Uint8Array, field = 'record'): StemeRecord {
  return decodeRecord(bytes, field).record;
}

/** Encode a (valid) domain record as protobuf `Record` bytes. */
export function encodeRecordBytes(record: StemeRecord): Buffer {
  return Buffer.from(pb.Record.encode(recordToProto(record)).finish());
}

/** A domain object value from a protobuf `ObjectValue`; validates it. */
export function objectFromProto(message: pb.ObjectValue | undefined, field: string): ObjectValue {
  const value = message?.value;
  let object: ObjectValue;
  switch (value?.$case) {
    case 'text':
      object = { kind: 'text', value: value.value };
      break;
    case 'number':
      object = { kind: 'number', value: value.value };
      break;
    case 'integer':
      object = { kind: 'integer', value: value.value };
      break;
    case 'boolean':
      object = { kind: 'boolean', value: value.value };
      break;
    case 'entity':
      object = { kind: 'entity', value: value.value };
      break;
    case 'timestampMs':
      object = { kind: 'timestamp', value: value.value };
      break;
    case 'bytes':
      object = { kind: 'bytes', value: Buffer.from(value.value) };
      break;
    default:
      throw objectKindMissing(field);
  }
  validateObject(object, field);
  return object;
}

/** A protobuf `ObjectValue` from a domain object value. */
export function objectToProto(object: ObjectValue): pb.ObjectValue {
  switch (object.kind) {
    case 'text':
      return { value: { $case: 'text', value: object.value } };
    case 'number':
      // -0 is stored as +0 (docs/FORMAT.md): both have one id.
      return { value: { $case: 'number', value: object.value === 0 ? 0 : object.value } };
    case 'integer':
      return { value: { $case: 'integer', value: object.value } };
    case 'boolean':
      return { value: { $case: 'boolean', value: object.value } };
    case 'entity':
      return { value: { $case: 'entity', value: object.value } };
    case 'timestamp':
      return { value: { $case: 'timestampMs', value: object.value } };
    case 'bytes':
      return { value: { $case: 'bytes', value: Buffer.from(object.value) } };
  }
}

function assertionFromProto(a: pb.Assertion, field: string): Assertion {
  return {
    kind: 'assertion',
    subject: a.subject,
    predicate: a.predicate,
    object: objectFromProto(a.object, `${field}.object`),
    confidence: a.confidence,
    sourceHash: Buffer.from(a.sourceHash),
    visualHash: a.visualHash === undefined ? null : a.visualHash,
    // proto3 has no presence for bytes and strings: empty means absent.
    parentHash: a.parentHash.length === 0 ? null : Buffer.from(a.parentHash),
    epoch: a.epoch === '' ? null : a.epoch,
    assertedAtMs: timestampFromProto(a.assertedAtMs, `${field}.asserted_at_ms`),
    signatures: signaturesFromProto(a.signatures, `${field}.signatures`),
  };
}

function assertionToProto(a: Assertion): pb.Assertion {
  return {
    subject: a.subject,
    predicate: a.predicate,
    object: objectToProto(a.object),
    confidence: a.confidence,
    sourceHash: Buffer.from(a.sourceHash),
    visualHash: a.visualHash === null ? undefined : a.visualHash,
    parentHash: a.parentHash === null ? Buffer.alloc(0) : Buffer.from(a.parentHash),
    epoch: a.epoch ?? '',
    assertedAtMs: BigInt(a.assertedAtMs),
    signatures: a.signatures.map(signatureToProto),
  };
}

function voteFromProto(v: pb.Vote, field: string): Vote {
  return {
    kind: 'vote',
    assertionId: Buffer.from(v.assertionId),
    voter: Buffer.from(v.voter),
    value: v.value,
    castAtMs: timestampFromProto(v.castAtMs, `${field}.cast_at_ms`),
    signatures: v.signature === undefined ? [] : [signatureFromProto(v.signature, `${field}.signature`)],
  };
}

function voteToProto(v: Vote): pb.Vote {
  const sig = v.signatures[0];
  return {
    assertionId: Buffer.from(v.assertionId),
    voter: Buffer.from(v.voter),
    value: v.value,
    castAtMs: BigInt(v.castAtMs),
    signature: sig === undefined ? undefined : signatureToProto(sig),
  };
}

function epochFromProto(e: pb.Epoch, field: string): Epoch {
  return {
    kind: 'epoch',
    name: e.name,
    description: e.description,
    startsAtMs: timestampFromProto(e.startsAtMs, `${field}.starts_at_ms`),
    parent: e.parent === '' ? null : e.parent,
    signatures: signaturesFromProto(e.signatures, `${field}.signatures`),
  };
}

function epochToProto(e: Epoch): pb.Epoch {
  return {
    name: e.name,
    description: e.description,
    startsAtMs: BigInt(e.startsAtMs),
    parent: e.parent ?? '',
    signatures: e.signatures.map(signatureToProto),
  };
}

function goldStandardFromProto(g: pb.GoldStandard, field: string): GoldStandard {
  return {
    kind: 'gold_standard',
    subject: g.subject,
    predicate: g.predicate,
    object: objectFromProto(g.object, `${field}.object`),
    createdAtMs: timestampFromProto(g.createdAtMs, `${field}.created_at_ms`),
    signatures: signaturesFromProto(g.signatures, `${field}.signatures`),
  };
}

function goldStandardToProto(g: GoldStandard): pb.GoldStandard {
  return {
    subject: g.subject,
    predicate: g.predicate,
    object: objectToProto(g.object),
    createdAtMs: BigInt(g.createdAtMs),
    signatures: g.signatures.map(signatureToProto),
  };
}

function trustPackFromProto(t: pb.TrustPack, field: string): TrustPack {
  return {
    kind: 'trust_pack',
    name: t.name,
    // Any order on the wire; the domain keeps canonical order (by agent).
    entries: sortTrustEntries(t.entries.map((e) => ({ agent: Buffer.from(e.agent), weight: e.weight }))),
    createdAtMs: timestampFromProto(t.createdAtMs, `${field}.created_at_ms`),
    ...(t.learned ? { learned: true } : {}),
    signatures: signaturesFromProto(t.signatures, `${field}.signatures`),
  };
}

function trustPackToProto(t: TrustPack): pb.TrustPack {
  return {
    name: t.name,
    entries: t.entries.map((e) => ({ agent: Buffer.from(e.agent), weight: e.weight })),
    createdAtMs: BigInt(t.createdAtMs),
    learned: t.learned === true,
    signatures: t.signatures.map(signatureToProto),
  };
}

function agentGrantFromProto(g: pb.AgentGrant, field: string): AgentGrant {
  return {
    kind: 'agent_grant',
    agent: Buffer.from(g.agent),
    grantedAtMs: timestampFromProto(g.grantedAtMs, `${field}.granted_at_ms`),
    expiresAtMs: g.expiresAtMs === undefined ? null : timestampFromProto(g.expiresAtMs, `${field}.expires_at_ms`),
    signatures: signaturesFromProto(g.signatures, `${field}.signatures`),
  };
}

function agentRevokeFromProto(r: pb.AgentRevoke, field: string): AgentRevoke {
  return { kind: 'agent_revoke', agent: Buffer.from(r.agent), reason: r.reason, revokedAtMs: timestampFromProto(r.revokedAtMs, `${field}.revoked_at_ms`), signatures: signaturesFromProto(r.signatures, `${field}.signatures`) };
}

function signaturesFromProto(signatures: readonly pb.Signature[], field: string): Signature[] {
  return signatures.map((s, i) => signatureFromProto(s, `${field}[${i}]`));
}

function signatureFromProto(s: pb.Signature, field: string): Signature {
  if (!signatureAlgorithmOk(s.algorithm)) throw unknownAlgorithm(field, s.algorithm);
  return { publicKey: Buffer.from(s.publicKey), signature: Buffer.from(s.signature) };
}

function signatureToProto(s: Signature): pb.Signature {
  return { algorithm: pb.SignatureAlgorithm.SIGNATURE_ALGORITHM_ED25519, publicKey: Buffer.from(s.publicKey), signature: Buffer.from(s.signature) };
}

/** An int64 record timestamp as a number, range-checked first (so never rounded). */
function timestampFromProto(value: bigint, field: string): number {
  return recordTimestampFrom(value, field);
}
