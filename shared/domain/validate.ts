/**
 * Record validation: every rule and limit of docs/FORMAT.md, checked on domain
 * records. Converters call it at the edge (protobuf, JSON, log payloads) and the
 * writer calls it before hashing; a record that passes can be encoded, hashed
 * and stored without further checks.
 *
 * Errors are `ValidationError`s naming the field by its dotted proto path.
 */
import { ValidationError } from './errors';
import { publicKeyProblem } from './public-key';
import {
  BYTES_VALUE_BYTES_MAX,
  CONFIDENCE_MAX,
  CONFIDENCE_MIN,
  HASH_BYTES,
  INT64_MAX,
  INT64_MIN,
  OBJECT_TIMESTAMP_MS_ABS_MAX,
  PREDICATE_BYTES_MAX,
  PUBLIC_KEY_BYTES,
  REVOKE_REASON_BYTES_MAX,
  RECORD_TIMESTAMP_MS_MAX,
  RECORD_TIMESTAMP_MS_MIN,
  SIGNATURES_MAX,
  SIGNATURE_BYTES,
  SUBJECT_BYTES_MAX,
  TEXT_BYTES_MAX,
  TRUST_ENTRIES_MAX,
  UINT64_MAX,
  VOTE_VALUE_MAX,
  VOTE_VALUE_MIN,
} from './limits';
import type { AgentGrant, AgentRevoke, Assertion, Epoch, GoldStandard, ObjectValue, Signature, StemeRecord, TrustPack, Vote } from './types';

/** A lone UTF-16 surrogate cannot be encoded as UTF-8 (in `u` mode pairs match as one code point). */
const LONE_SURROGATE = /\p{Cs}/u;
const NUL = /\u0000/;
/** Unicode general category Cc: C0 controls, DEL and C1 controls. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Options of `validateRecord`. */
export interface ValidateOptions {
  /**
   * Accept a record with no signatures at all (any present are still checked).
   * For computing the id a signer will sign (`stemedb hash`); never for storage.
   * @default false
   */
  readonly allowUnsigned?: boolean;
}

/** Throws unless `record` satisfies every rule of its kind. */
export function validateRecord(record: StemeRecord, field = 'record', options: ValidateOptions = {}): void {
  if (record === null || typeof record !== 'object') throw new ValidationError(field, 'must be a record');
  const unsignedOk = options.allowUnsigned === true && Array.isArray(record.signatures) && record.signatures.length === 0;
  // Each check gets its field as (the record kind's path, the field's name) and
  // joins the two only when it throws: no string per field of every valid record.
  switch (record.kind) {
    case 'assertion':
      return validateAssertion(record, `${field}.assertion`, unsignedOk);
    case 'vote':
      return validateVote(record, `${field}.vote`, unsignedOk);
    case 'epoch':
      return validateEpoch(record, `${field}.epoch`, unsignedOk);
    case 'gold_standard':
      return validateGoldStandard(record, `${field}.gold_standard`, unsignedOk);
    case 'trust_pack':
      return validateTrustPack(record, `${field}.trust_pack`, unsignedOk);
    case 'agent_grant':
      return validateAgentGrant(record, `${field}.agent_grant`, unsignedOk);
    case 'agent_revoke':
      return validateAgentRevoke(record, `${field}.agent_revoke`, unsignedOk);
    default:
      throw new ValidationError(field, `unknown record kind '${String((record as { kind: unknown }).kind)}'`);
  }
}

/** The dotted path of field `name` under `field` (`name` undefined: `field` itself). */
function at(field: string, name: string | undefined): string {
  return name === undefined ? field : `${field}.${name}`;
}

function validateAgentGrant(g: AgentGrant, field: string, unsignedOk: boolean): void {
  checkPublicKey(g.agent, field, 'agent');
  checkRecordTimestamp(g.grantedAtMs, field, 'granted_at_ms');
  if (g.expiresAtMs !== null) {
    checkRecordTimestamp(g.expiresAtMs, field, 'expires_at_ms');
    if (g.expiresAtMs <= g.grantedAtMs) throw new ValidationError(`${field}.expires_at_ms`, 'must be after granted_at_ms');
  }
  if (!unsignedOk) checkSignatures(g.signatures, field, 'signatures');
}

function validateAgentRevoke(r: AgentRevoke, field: string, unsignedOk: boolean): void {
  checkPublicKey(r.agent, field, 'agent');
  checkText(r.reason, field, 'reason', REVOKE_REASON_BYTES_MAX);
  checkRecordTimestamp(r.revokedAtMs, field, 'revoked_at_ms');
  if (!unsignedOk) checkSignatures(r.signatures, field, 'signatures');
}

function validateAssertion(a: Assertion, field: string, unsignedOk: boolean): void {
  checkName(a.subject, field, 'subject', SUBJECT_BYTES_MAX);
  checkName(a.predicate, field, 'predicate', PREDICATE_BYTES_MAX);
  validateObject(a.object, field, 'object');
  checkUnit(a.confidence, field, 'confidence', CONFIDENCE_MIN, CONFIDENCE_MAX);
  checkFixedBytes(a.sourceHash, field, 'source_hash', HASH_BYTES);
  if (a.visualHash !== null) checkBigInt(a.visualHash, field, 'visual_hash', 0n, UINT64_MAX);
  if (a.parentHash !== null) checkFixedBytes(a.parentHash, field, 'parent_hash', HASH_BYTES);
  if (a.epoch !== null) checkName(a.epoch, field, 'epoch', PREDICATE_BYTES_MAX);
  checkRecordTimestamp(a.assertedAtMs, field, 'asserted_at_ms');
  if (!unsignedOk) checkSignatures(a.signatures, field, 'signatures');
}

function validateVote(v: Vote, field: string, unsignedOk: boolean): void {
  checkFixedBytes(v.assertionId, field, 'assertion_id', HASH_BYTES);
  checkPublicKey(v.voter, field, 'voter');
  checkUnit(v.value, field, 'value', VOTE_VALUE_MIN, VOTE_VALUE_MAX);
  checkRecordTimestamp(v.castAtMs, field, 'cast_at_ms');
  if (unsignedOk) return;
  // The proto carries one `signature`, so errors name it in the singular.
  if (!Array.isArray(v.signatures) || v.signatures.length !== 1) {
    throw new ValidationError(`${field}.signature`, 'a vote carries exactly one signature, by the voter');
  }
  const sig = v.signatures[0]!;
  checkSignature(sig, field, 'signature');
  if (!sig.publicKey.equals(v.voter)) throw new ValidationError(`${field}.signature.public_key`, 'must equal voter');
}

function validateEpoch(e: Epoch, field: string, unsignedOk: boolean): void {
  checkName(e.name, field, 'name', PREDICATE_BYTES_MAX);
  checkText(e.description, field, 'description', TEXT_BYTES_MAX);
  checkRecordTimestamp(e.startsAtMs, field, 'starts_at_ms');
  if (e.parent !== null) checkName(e.parent, field, 'parent', PREDICATE_BYTES_MAX);
  if (!unsignedOk) checkSignatures(e.signatures, field, 'signatures');
}

function validateGoldStandard(g: GoldStandard, field: string, unsignedOk: boolean): void {
  checkName(g.subject, field, 'subject', SUBJECT_BYTES_MAX);
  checkName(g.predicate, field, 'predicate', PREDICATE_BYTES_MAX);
  validateObject(g.object, field, 'object');
  checkRecordTimestamp(g.createdAtMs, field, 'created_at_ms');
  if (!unsignedOk) checkSignatures(g.signatures, field, 'signatures');
}

function validateTrustPack(t: TrustPack, field: string, unsignedOk: boolean): void {
  checkName(t.name, field, 'name', PREDICATE_BYTES_MAX);
  if (!Array.isArray(t.entries) || t.entries.length < 1 || t.entries.length > TRUST_ENTRIES_MAX) {
    throw new ValidationError(`${field}.entries`, `must hold 1..${TRUST_ENTRIES_MAX} entries (got ${Array.isArray(t.entries) ? t.entries.length : 'none'})`);
  }
  const seen = new Set<string>();
  t.entries.forEach((entry, i) => {
    const entryField = `${field}.entries[${i}]`;
    if (entry === null || typeof entry !== 'object') throw new ValidationError(entryField, 'must be an entry');
    checkPublicKey(entry.agent, entryField, 'agent');
    checkUnit(entry.weight, entryField, 'weight', CONFIDENCE_MIN, CONFIDENCE_MAX);
    const key = entry.agent.toString('hex');
    if (seen.has(key)) throw new ValidationError(`${entryField}.agent`, 'duplicate agent');
    seen.add(key);
  });
  checkRecordTimestamp(t.createdAtMs, field, 'created_at_ms');
  if (t.learned !== undefined && typeof t.learned !== 'boolean') throw new ValidationError(`${field}.learned`, 'must be a boolean');
  if (!unsignedOk) checkSignatures(t.signatures, field, 'signatures');
}

/** Throws unless `object` (field `name` of `field`; `field` itself when no name is given) is a valid typed object value. */
export function validateObject(object: ObjectValue, field: string, name?: string): void {
  if (object === null || typeof object !== 'object') throw new ValidationError(at(field, name), 'required');
  switch (object.kind) {
    case 'text':
      if (typeof object.value === 'string' && !textProblem(object.value, TEXT_BYTES_MAX)) return;
      return checkText(object.value, at(field, name), 'text', TEXT_BYTES_MAX);
    case 'number':
      if (typeof object.value !== 'number' || !Number.isFinite(object.value)) throw new ValidationError(`${at(field, name)}.number`, 'must be a finite number');
      return;
    case 'integer':
      return checkBigInt(object.value, field, name, INT64_MIN, INT64_MAX, 'integer');
    case 'boolean':
      if (typeof object.value !== 'boolean') throw new ValidationError(`${at(field, name)}.boolean`, 'must be true or false');
      return;
    case 'entity':
      if (typeof object.value === 'string' && !nameProblem(object.value, SUBJECT_BYTES_MAX)) return;
      return checkName(object.value, at(field, name), 'entity', SUBJECT_BYTES_MAX);
    case 'timestamp':
      return checkBigInt(object.value, field, name, -OBJECT_TIMESTAMP_MS_ABS_MAX, OBJECT_TIMESTAMP_MS_ABS_MAX, 'timestamp_ms');
    case 'bytes':
      if (!Buffer.isBuffer(object.value)) throw new ValidationError(`${at(field, name)}.bytes`, 'must be bytes');
      if (object.value.length > BYTES_VALUE_BYTES_MAX) throw new ValidationError(`${at(field, name)}.bytes`, `at most ${BYTES_VALUE_BYTES_MAX} bytes (got ${object.value.length})`);
      return;
    default:
      throw new ValidationError(at(field, name), `unknown object kind '${String((object as { kind: unknown }).kind)}'`);
  }
}

function checkSignatures(signatures: readonly Signature[], field: string, name: string): void {
  if (!Array.isArray(signatures) || signatures.length < 1) throw new ValidationError(at(field, name), 'at least one signature is required');
  if (signatures.length > SIGNATURES_MAX) throw new ValidationError(at(field, name), `at most ${SIGNATURES_MAX} signatures (got ${signatures.length})`);
  // At most SIGNATURES_MAX keys: compared pairwise, without a hex string or a set per record.
  for (let i = 0; i < signatures.length; i++) {
    const sig = signatures[i]!;
    if (signatureProblem(sig)) checkSignature(sig, at(field, name), undefined, i);
    for (let j = 0; j < i; j++) {
      if (signatures[j]!.publicKey.equals(sig.publicKey)) throw new ValidationError(`${at(field, name)}[${i}].public_key`, 'duplicate public key: each signer signs once');
    }
  }
}

/** Whether checkSignature would throw (the check without a field name: checkSignature names the field). */
function signatureProblem(sig: Signature): boolean {
  return sig === null || typeof sig !== 'object' || !isFixedBytes(sig.publicKey, PUBLIC_KEY_BYTES) || publicKeyProblem(sig.publicKey) !== null || !isFixedBytes(sig.signature, SIGNATURE_BYTES);
}

/** A signature: field `name` of `field`, or element `index` of `field`. */
function checkSignature(sig: Signature, field: string, name: string | undefined, index?: number): void {
  const path = index === undefined ? at(field, name) : `${field}[${index}]`;
  if (sig === null || typeof sig !== 'object') throw new ValidationError(path, 'must be a signature');
  checkPublicKey(sig.publicKey, path, 'public_key');
  checkFixedBytes(sig.signature, path, 'signature', SIGNATURE_BYTES);
}

/** Identifiers (subjects, predicates, entity ids, names): non-empty, bounded, no control characters. */
function checkName(value: string, field: string, name: string, bytesMax: number): void {
  checkText(value, field, name, bytesMax);
  if (value.length === 0) throw new ValidationError(at(field, name), 'must not be empty');
  if (CONTROL.test(value)) throw new ValidationError(at(field, name), 'must not contain control characters');
}

/** Whether checkName would throw. */
function nameProblem(value: string, bytesMax: number): boolean {
  return textProblem(value, bytesMax) || value.length === 0 || CONTROL.test(value);
}

/** Free text: valid UTF-8, no NUL, bounded. May be empty. */
function checkText(value: string, field: string, name: string, bytesMax: number): void {
  if (typeof value !== 'string') throw new ValidationError(at(field, name), 'must be a string');
  if (LONE_SURROGATE.test(value)) throw new ValidationError(at(field, name), 'must be valid UTF-8 (lone surrogate)');
  if (NUL.test(value)) throw new ValidationError(at(field, name), 'must not contain NUL');
  if (overBytes(value, bytesMax)) throw new ValidationError(at(field, name), `at most ${bytesMax} bytes of UTF-8 (got ${Buffer.byteLength(value, 'utf8')})`);
}

/** Whether checkText would throw for a string. */
function textProblem(value: string, bytesMax: number): boolean {
  return LONE_SURROGATE.test(value) || NUL.test(value) || overBytes(value, bytesMax);
}

/** Cheap bound first: a string of n UTF-16 units has at most 3n UTF-8 bytes and at least n. */
function overBytes(value: string, bytesMax: number): boolean {
  return value.length > bytesMax || (value.length * 3 > bytesMax && Buffer.byteLength(value, 'utf8') > bytesMax);
}

/** 32 bytes, canonical, not a small-order point (see public-key.ts). */
function checkPublicKey(value: Buffer, field: string, name: string): void {
  checkFixedBytes(value, field, name, PUBLIC_KEY_BYTES);
  const problem = publicKeyProblem(value);
  if (problem !== null) throw new ValidationError(at(field, name), problem);
}

function isFixedBytes(value: Buffer, bytes: number): boolean {
  return Buffer.isBuffer(value) && value.length === bytes;
}

function checkFixedBytes(value: Buffer, field: string, name: string, bytes: number): void {
  if (!Buffer.isBuffer(value)) throw new ValidationError(at(field, name), `must be ${bytes} bytes`);
  if (value.length !== bytes) throw new ValidationError(at(field, name), `must be exactly ${bytes} bytes (got ${value.length})`);
}

function checkUnit(value: number, field: string, name: string, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValidationError(at(field, name), `must be a finite number in [${min}, ${max}]`);
  if (value < min || value > max) throw new ValidationError(at(field, name), `must be in [${min}, ${max}] (got ${value})`);
}

/** A bigint: field `name` of `field`, and below it `sub` (an object value's case) when given. */
function checkBigInt(value: bigint, field: string, name: string | undefined, min: bigint, max: bigint, sub?: string): void {
  if (typeof value === 'bigint' && value >= min && value <= max) return;
  const path = sub === undefined ? at(field, name) : `${at(field, name)}.${sub}`;
  if (typeof value !== 'bigint') throw new ValidationError(path, 'must be an integer (bigint)');
  throw new ValidationError(path, `must be in [${min}, ${max}] (got ${value})`);
}

/** Record timestamps: integer milliseconds, 2000-01-01 .. 2100-01-01 inclusive (field `name` of `field`, or `field` itself). */
export function checkRecordTimestamp(value: number, field: string, name?: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ValidationError(at(field, name), 'must be an integer number of milliseconds');
  if (value < RECORD_TIMESTAMP_MS_MIN || value > RECORD_TIMESTAMP_MS_MAX) {
    throw new ValidationError(at(field, name), `must be in [${RECORD_TIMESTAMP_MS_MIN}, ${RECORD_TIMESTAMP_MS_MAX}] (2000-01-01 .. 2100-01-01 UTC; got ${value})`);
  }
}
