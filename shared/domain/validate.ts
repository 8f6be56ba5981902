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

/**
 * Throws `problem` (a rule's answer: null when the value passes) as a
 * ValidationError naming field `name` of `field`, and below it `sub` (an object
 * value's case); the path is built only then.
 */
function check(problem: string | null, field: string, name?: string, sub?: string): void {
  if (problem === null) return;
  const path = name === undefined ? field : `${field}.${name}`;
  throw new ValidationError(sub === undefined ? path : `${path}.${sub}`, problem);
}

function validateAgentGrant(g: AgentGrant, field: string, unsignedOk: boolean): void {
  check(publicKeyRuleProblem(g.agent), field, 'agent');
  check(timestampProblem(g.grantedAtMs), field, 'granted_at_ms');
  if (g.expiresAtMs !== null) {
    check(timestampProblem(g.expiresAtMs), field, 'expires_at_ms');
    if (g.expiresAtMs <= g.grantedAtMs) throw new ValidationError(`${field}.expires_at_ms`, 'must be after granted_at_ms');
  }
  if (!unsignedOk) checkSignatures(g.signatures, field, 'signatures');
}

function validateAgentRevoke(r: AgentRevoke, field: string, unsignedOk: boolean): void {
  check(publicKeyRuleProblem(r.agent), field, 'agent');
  check(textProblem(r.reason, REVOKE_REASON_BYTES_MAX), field, 'reason');
  check(timestampProblem(r.revokedAtMs), field, 'revoked_at_ms');
  if (!unsignedOk) checkSignatures(r.signatures, field, 'signatures');
}

function validateAssertion(a: Assertion, field: string, unsignedOk: boolean): void {
  check(nameProblem(a.subject, SUBJECT_BYTES_MAX), field, 'subject');
  check(nameProblem(a.predicate, PREDICATE_BYTES_MAX), field, 'predicate');
  validateObject(a.object, field, 'object');
  check(unitProblem(a.confidence, CONFIDENCE_MIN, CONFIDENCE_MAX), field, 'confidence');
  check(fixedBytesProblem(a.sourceHash, HASH_BYTES), field, 'source_hash');
  if (a.visualHash !== null) check(bigIntProblem(a.visualHash, 0n, UINT64_MAX), field, 'visual_hash');
  if (a.parentHash !== null) check(fixedBytesProblem(a.parentHash, HASH_BYTES), field, 'parent_hash');
  if (a.epoch !== null) check(nameProblem(a.epoch, PREDICATE_BYTES_MAX), field, 'epoch');
  check(timestampProblem(a.assertedAtMs), field, 'asserted_at_ms');
  if (!unsignedOk) checkSignatures(a.signatures, field, 'signatures');
}

function validateVote(v: Vote, field: string, unsignedOk: boolean): void {
  check(fixedBytesProblem(v.assertionId, HASH_BYTES), field, 'assertion_id');
  check(publicKeyRuleProblem(v.voter), field, 'voter');
  check(unitProblem(v.value, VOTE_VALUE_MIN, VOTE_VALUE_MAX), field, 'value');
  check(timestampProblem(v.castAtMs), field, 'cast_at_ms');
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
  check(nameProblem(e.name, PREDICATE_BYTES_MAX), field, 'name');
  check(textProblem(e.description, TEXT_BYTES_MAX), field, 'description');
  check(timestampProblem(e.startsAtMs), field, 'starts_at_ms');
  if (e.parent !== null) check(nameProblem(e.parent, PREDICATE_BYTES_MAX), field, 'parent');
  if (!unsignedOk) checkSignatures(e.signatures, field, 'signatures');
}

function validateGoldStandard(g: GoldStandard, field: string, unsignedOk: boolean): void {
  check(nameProblem(g.subject, SUBJECT_BYTES_MAX), field, 'subject');
  check(nameProblem(g.predicate, PREDICATE_BYTES_MAX), field, 'predicate');
  validateObject(g.object, field, 'object');
  check(timestampProblem(g.createdAtMs), field, 'created_at_ms');
  if (!unsignedOk) checkSignatures(g.signatures, field, 'signatures');
}

function validateTrustPack(t: TrustPack, field: string, unsignedOk: boolean): void {
  check(nameProblem(t.name, PREDICATE_BYTES_MAX), field, 'name');
  if (!Array.isArray(t.entries) || t.entries.length < 1 || t.entries.length > TRUST_ENTRIES_MAX) {
    throw new ValidationError(`${field}.entries`, `must hold 1..${TRUST_ENTRIES_MAX} entries (got ${Array.isArray(t.entries) ? t.entries.length : 'none'})`);
  }
  const seen = new Set<string>();
  t.entries.forEach((entry, i) => {
    const entryField = `${field}.entries[${i}]`;
    if (entry === null || typeof entry !== 'object') throw new ValidationError(entryField, 'must be an entry');
    check(publicKeyRuleProblem(entry.agent), entryField, 'agent');
    check(unitProblem(entry.weight, CONFIDENCE_MIN, CONFIDENCE_MAX), entryField, 'weight');
    const key = entry.agent.toString('hex');
    if (seen.has(key)) throw new ValidationError(`${entryField}.agent`, 'duplicate agent');
    seen.add(key);
  });
  check(timestampProblem(t.createdAtMs), field, 'created_at_ms');
  if (t.learned !== undefined && typeof t.learned !== 'boolean') throw new ValidationError(`${field}.learned`, 'must be a boolean');
  if (!unsignedOk) checkSignatures(t.signatures, field, 'signatures');
}

/** Throws unless `object` (field `name` of `field`; `field` itself when no name is given) is a valid typed object value. */
export function validateObject(object: ObjectValue, field: string, name?: string): void {
  if (object === null || typeof object !== 'object') return check('required', field, name);
  switch (object.kind) {
    case 'text':
      return check(textProblem(object.value, TEXT_BYTES_MAX), field, name, 'text');
    case 'number':
      return check(typeof object.value !== 'number' || !Number.isFinite(object.value) ? 'must be a finite number' : null, field, name, 'number');
    case 'integer':
      return check(bigIntProblem(object.value, INT64_MIN, INT64_MAX), field, name, 'integer');
    case 'boolean':
      return check(typeof object.value !== 'boolean' ? 'must be true or false' : null, field, name, 'boolean');
    case 'entity':
      return check(nameProblem(object.value, SUBJECT_BYTES_MAX), field, name, 'entity');
    case 'timestamp':
      return check(bigIntProblem(object.value, -OBJECT_TIMESTAMP_MS_ABS_MAX, OBJECT_TIMESTAMP_MS_ABS_MAX), field, name, 'timestamp_ms');
    case 'bytes':
      if (!Buffer.isBuffer(object.value)) return check('must be bytes', field, name, 'bytes');
      return check(object.value.length > BYTES_VALUE_BYTES_MAX ? `at most ${BYTES_VALUE_BYTES_MAX} bytes (got ${object.value.length})` : null, field, name, 'bytes');
    default:
      return check(`unknown object kind '${String((object as { kind: unknown }).kind)}'`, field, name);
  }
}

function checkSignatures(signatures: readonly Signature[], field: string, name: string): void {
  if (!Array.isArray(signatures) || signatures.length < 1) return check('at least one signature is required', field, name);
  if (signatures.length > SIGNATURES_MAX) return check(`at most ${SIGNATURES_MAX} signatures (got ${signatures.length})`, field, name);
  // At most SIGNATURES_MAX keys: compared pairwise, without a hex string or a set per record.
  for (let i = 0; i < signatures.length; i++) {
    const sig = signatures[i]!;
    checkSignature(sig, field, name, i);
    for (let j = 0; j < i; j++) {
      if (signatures[j]!.publicKey.equals(sig.publicKey)) throw new ValidationError(`${field}.${name}[${i}].public_key`, 'duplicate public key: each signer signs once');
    }
  }
}

/** A signature: field `name` of `field`, or element `index` of that field. */
function checkSignature(sig: Signature, field: string, name: string, index?: number): void {
  const problem = sig === null || typeof sig !== 'object' ? 'must be a signature' : null;
  const keyProblem = problem ?? publicKeyRuleProblem(sig.publicKey);
  const sigProblem = keyProblem ?? fixedBytesProblem(sig.signature, SIGNATURE_BYTES);
  if (sigProblem === null) return;
  const path = index === undefined ? `${field}.${name}` : `${field}.${name}[${index}]`;
  check(problem, path);
  check(keyProblem, path, 'public_key');
  check(sigProblem, path, 'signature');
}

// Each rule answers what is wrong with a value, or null: the callers name the field (check).

/** Identifiers (subjects, predicates, entity ids, names): non-empty, bounded, no control characters. */
function nameProblem(value: string, bytesMax: number): string | null {
  const problem = textProblem(value, bytesMax);
  if (problem !== null) return problem;
  if (value.length === 0) return 'must not be empty';
  return CONTROL.test(value) ? 'must not contain control characters' : null;
}

/** Free text: valid UTF-8, no NUL, bounded. May be empty. */
function textProblem(value: string, bytesMax: number): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (LONE_SURROGATE.test(value)) return 'must be valid UTF-8 (lone surrogate)';
  if (NUL.test(value)) return 'must not contain NUL';
  // Cheap bound first: a string of n UTF-16 units has at most 3n UTF-8 bytes and at least n.
  if (value.length > bytesMax || (value.length * 3 > bytesMax && Buffer.byteLength(value, 'utf8') > bytesMax)) {
    return `at most ${bytesMax} bytes of UTF-8 (got ${Buffer.byteLength(value, 'utf8')})`;
  }
  return null;
}

/** 32 bytes, canonical, not a small-order point (see public-key.ts). */
function publicKeyRuleProblem(value: Buffer): string | null {
  return fixedBytesProblem(value, PUBLIC_KEY_BYTES) ?? publicKeyProblem(value);
}

function fixedBytesProblem(value: Buffer, bytes: number): string | null {
  if (!Buffer.isBuffer(value)) return `must be ${bytes} bytes`;
  return value.length !== bytes ? `must be exactly ${bytes} bytes (got ${value.length})` : null;
}

function unitProblem(value: number, min: number, max: number): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a finite number in [${min}, ${max}]`;
  return value < min || value > max ? `must be in [${min}, ${max}] (got ${value})` : null;
}

function bigIntProblem(value: bigint, min: bigint, max: bigint): string | null {
  if (typeof value !== 'bigint') return 'must be an integer (bigint)';
  return value < min || value > max ? `must be in [${min}, ${max}] (got ${value})` : null;
}

function timestampProblem(value: number): string | null {
  if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be an integer number of milliseconds';
  if (value < RECORD_TIMESTAMP_MS_MIN || value > RECORD_TIMESTAMP_MS_MAX) {
    return `must be in [${RECORD_TIMESTAMP_MS_MIN}, ${RECORD_TIMESTAMP_MS_MAX}] (2000-01-01 .. 2100-01-01 UTC; got ${value})`;
  }
  return null;
}

/** Record timestamps: integer milliseconds, 2000-01-01 .. 2100-01-01 inclusive (field `name` of `field`, or `field` itself). */
export function checkRecordTimestamp(value: number, field: string, name?: string): void {
  check(timestampProblem(value), field, name);
}
