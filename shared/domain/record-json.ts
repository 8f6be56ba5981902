/**
 * The JSON form of records: what `stemedb hash` reads and what docs/FORMAT.md's
 * test vectors show. Field names are the proto (snake_case) names; `kind` picks
 * the record kind. Bytes are lowercase hex. 64-bit values that may exceed 2^53
 * (integer and timestamp objects, visual hashes) are decimal strings; numbers
 * are accepted for them when they are safe integers. Record timestamps are
 * numbers (strings accepted). Absent optionals are `null` (or omitted).
 *
 *   {"kind":"assertion","subject":"city:france","predicate":"capital",
 *    "object":{"kind":"text","value":"Paris"},"confidence":0.9,
 *    "source_hash":"ab…","visual_hash":null,"parent_hash":null,"epoch":null,
 *    "asserted_at_ms":1700000000000,
 *    "signatures":[{"public_key":"…","signature":"…"}]}
 *
 * A vote carries `"signature": {…}` (singular), as in the proto. Unknown keys are
 * rejected so a typo cannot silently change an id. Errors are ValidationErrors
 * naming the field by the same dotted proto path the RPCs use.
 */
import { DecodeError, ValidationError } from './errors';
import { sortTrustEntries } from './canonical';
import type { ObjectValue, Signature, StemeRecord, TrustEntry } from './types';
import { validateRecord, type ValidateOptions } from './validate';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Options of `recordFromJson`. */
export interface RecordFromJsonOptions extends ValidateOptions {}

const RECORD_KEYS: Readonly<Record<StemeRecord['kind'], readonly string[]>> = {
  assertion: ['kind', 'subject', 'predicate', 'object', 'confidence', 'source_hash', 'visual_hash', 'parent_hash', 'epoch', 'asserted_at_ms', 'signatures'],
  vote: ['kind', 'assertion_id', 'voter', 'value', 'cast_at_ms', 'signature'],
  epoch: ['kind', 'name', 'description', 'starts_at_ms', 'parent', 'signatures'],
  gold_standard: ['kind', 'subject', 'predicate', 'object', 'created_at_ms', 'signatures'],
  trust_pack: ['kind', 'name', 'entries', 'created_at_ms', 'learned', 'signatures'],
  agent_grant: ['kind', 'agent', 'granted_at_ms', 'expires_at_ms', 'signatures'],
  agent_revoke: ['kind', 'agent', 'reason', 'revoked_at_ms', 'signatures'],
};
const OBJECT_KINDS = ['text', 'number', 'integer', 'boolean', 'entity', 'timestamp', 'bytes'] as const;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const DECIMAL = /^-?(?:0|[1-9][0-9]*)$/;

/** Parse JSON text into a validated record. Throws DecodeError (not JSON) or ValidationError. */
export function parseRecordJson(text: string, field = 'record', options: RecordFromJsonOptions = {}): StemeRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new DecodeError(`not valid JSON: ${err instanceof Error ? err.message : String(err)}`, field, err);
  }
  return recordFromJson(value, field, options);
}

/** A validated record from its parsed JSON form. */
export function recordFromJson(json: unknown, field = 'record', options: RecordFromJsonOptions = {}): StemeRecord {
  const o = asObject(json, field);
  const kind = o.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(RECORD_KEYS, kind)) {
    throw new ValidationError(`${field}.kind`, `must be one of ${Object.keys(RECORD_KEYS).join(', ')}`);
  }
  const k = kind as StemeRecord['kind'];
  const at = `${field}.${k}`;
  for (const key of Object.keys(o)) if (!RECORD_KEYS[k].includes(key)) throw new ValidationError(`${at}.${key}`, 'unknown field');
  let record: StemeRecord;
  switch (k) {
    case 'assertion':
      record = {
        kind: k,
        subject: str(o, 'subject', at),
        predicate: str(o, 'predicate', at),
        object: objectFromJson(o.object, `${at}.object`),
        confidence: num(o, 'confidence', at),
        sourceHash: hex(o, 'source_hash', at),
        visualHash: o.visual_hash == null ? null : int64(o.visual_hash, `${at}.visual_hash`),
        parentHash: o.parent_hash == null ? null : hex(o, 'parent_hash', at),
        epoch: o.epoch == null ? null : str(o, 'epoch', at),
        assertedAtMs: timestamp(o, 'asserted_at_ms', at),
        signatures: signatures(o.signatures, `${at}.signatures`),
      };
      break;
    case 'vote':
      record = {
        kind: k,
        assertionId: hex(o, 'assertion_id', at),
        voter: hex(o, 'voter', at),
        value: num(o, 'value', at),
        castAtMs: timestamp(o, 'cast_at_ms', at),
        signatures: o.signature == null ? [] : [signature(o.signature, `${at}.signature`)],
      };
      break;
    case 'epoch':
      record = {
        kind: k,
        name: str(o, 'name', at),
        description: o.description == null ? '' : str(o, 'description', at),
        startsAtMs: timestamp(o, 'starts_at_ms', at),
        parent: o.parent == null ? null : str(o, 'parent', at),
        signatures: signatures(o.signatures, `${at}.signatures`),
      };
      break;
    case 'gold_standard':
      record = {
        kind: k,
        subject: str(o, 'subject', at),
        predicate: str(o, 'predicate', at),
        object: objectFromJson(o.object, `${at}.object`),
        createdAtMs: timestamp(o, 'created_at_ms', at),
        signatures: signatures(o.signatures, `${at}.signatures`),
      };
      break;
    case 'trust_pack':
      record = {
        kind: k,
        name: str(o, 'name', at),
        entries: sortTrustEntries(entries(o.entries, `${at}.entries`)),
        createdAtMs: timestamp(o, 'created_at_ms', at),
        ...learnedFlag(o, at),
        signatures: signatures(o.signatures, `${at}.signatures`),
      };
      break;
    case 'agent_grant':
      record = {
        kind: k,
        agent: hex(o, 'agent', at),
        grantedAtMs: timestamp(o, 'granted_at_ms', at),
        expiresAtMs: o.expires_at_ms == null ? null : timestamp(o, 'expires_at_ms', at),
        signatures: signatures(o.signatures, `${at}.signatures`),
      };
      break;
    case 'agent_revoke':
      record = { kind: k, agent: hex(o, 'agent', at), reason: str(o, 'reason', at), revokedAtMs: timestamp(o, 'revoked_at_ms', at), signatures: signatures(o.signatures, `${at}.signatures`) };
      break;
  }
  validateRecord(record, field, options);
  return record;
}

/** The JSON form of a record (a plain object ready for JSON.stringify). */
export function recordToJson(record: StemeRecord): JsonObject {
  const sigs = record.signatures.map(signatureToJson);
  switch (record.kind) {
    case 'assertion':
      return {
        kind: record.kind,
        subject: record.subject,
        predicate: record.predicate,
        object: objectToJson(record.object),
        confidence: record.confidence,
        source_hash: record.sourceHash.toString('hex'),
        visual_hash: record.visualHash === null ? null : record.visualHash.toString(),
        parent_hash: record.parentHash === null ? null : record.parentHash.toString('hex'),
        epoch: record.epoch,
        asserted_at_ms: record.assertedAtMs,
        signatures: sigs,
      };
    case 'vote':
      return {
        kind: record.kind,
        assertion_id: record.assertionId.toString('hex'),
        voter: record.voter.toString('hex'),
        value: record.value,
        cast_at_ms: record.castAtMs,
        signature: sigs[0] ?? null,
      };
    case 'epoch':
      return { kind: record.kind, name: record.name, description: record.description, starts_at_ms: record.startsAtMs, parent: record.parent, signatures: sigs };
    case 'gold_standard':
      return { kind: record.kind, subject: record.subject, predicate: record.predicate, object: objectToJson(record.object), created_at_ms: record.createdAtMs, signatures: sigs };
    case 'trust_pack':
      return {
        kind: record.kind,
        name: record.name,
        entries: record.entries.map((e) => ({ agent: e.agent.toString('hex'), weight: e.weight })),
        created_at_ms: record.createdAtMs,
        ...(record.learned === true ? { learned: true } : {}),
        signatures: sigs,
      };
    case 'agent_grant':
      return { kind: record.kind, agent: record.agent.toString('hex'), granted_at_ms: record.grantedAtMs, expires_at_ms: record.expiresAtMs, signatures: sigs };
    case 'agent_revoke':
      return { kind: record.kind, agent: record.agent.toString('hex'), reason: record.reason, revoked_at_ms: record.revokedAtMs, signatures: sigs };
  }
}

/** `learned` is optional and only ever `true` when present (absent = false, as the canonical bytes encode it). */
function learnedFlag(o: JsonObject, at: string): { learned?: true } {
  if (o.learned === undefined || o.learned === false) return {};
  if (o.learned !== true) throw new ValidationError(`${at}.learned`, 'must be a boolean');
  return { learned: true };
}

/** The JSON form of an object value. */
export function objectToJson(object: ObjectValue): JsonObject {
  switch (object.kind) {
    case 'integer':
    case 'timestamp':
      return { kind: object.kind, value: object.value.toString() };
    case 'bytes':
      return { kind: object.kind, value: object.value.toString('hex') };
    case 'number':
      return { kind: object.kind, value: object.value === 0 ? 0 : object.value };
    default:
      return { kind: object.kind, value: object.value };
  }
}

/** An object value from JSON (checked for shape; `validateRecord` checks ranges). */
export function objectFromJson(json: unknown, field: string): ObjectValue {
  const o = asObject(json, field);
  for (const key of Object.keys(o)) if (key !== 'kind' && key !== 'value') throw new ValidationError(`${field}.${key}`, 'unknown field');
  const kind = o.kind;
  if (typeof kind !== 'string' || !(OBJECT_KINDS as readonly string[]).includes(kind)) {
    throw new ValidationError(`${field}.kind`, `must be one of ${OBJECT_KINDS.join(', ')}`);
  }
  switch (kind as ObjectValue['kind']) {
    case 'text':
      return { kind: 'text', value: str(o, 'value', field) };
    case 'entity':
      return { kind: 'entity', value: str(o, 'value', field) };
    case 'number':
      return { kind: 'number', value: num(o, 'value', field) };
    case 'integer':
      return { kind: 'integer', value: int64(o.value, `${field}.value`) };
    case 'timestamp':
      return { kind: 'timestamp', value: int64(o.value, `${field}.value`) };
    case 'boolean':
      if (typeof o.value !== 'boolean') throw new ValidationError(`${field}.value`, 'must be true or false');
      return { kind: 'boolean', value: o.value };
    case 'bytes':
      return { kind: 'bytes', value: hex(o, 'value', field) };
  }
}

function signatureToJson(s: Signature): JsonObject {
  return { public_key: s.publicKey.toString('hex'), signature: s.signature.toString('hex') };
}

function signatures(json: unknown, field: string): Signature[] {
  if (json == null) return [];
  if (!Array.isArray(json)) throw new ValidationError(field, 'must be an array');
  return json.map((s, i) => signature(s, `${field}[${i}]`));
}

function signature(json: unknown, field: string): Signature {
  const o = asObject(json, field);
  for (const key of Object.keys(o)) {
    if (key !== 'public_key' && key !== 'signature' && key !== 'algorithm') throw new ValidationError(`${field}.${key}`, 'unknown field');
  }
  if (o.algorithm !== undefined && o.algorithm !== 'ed25519') throw new ValidationError(`${field}.algorithm`, "only 'ed25519' is supported");
  return { publicKey: hex(o, 'public_key', field), signature: hex(o, 'signature', field) };
}

function entries(json: unknown, field: string): TrustEntry[] {
  if (!Array.isArray(json)) throw new ValidationError(field, 'must be an array');
  return json.map((e, i) => {
    const at = `${field}[${i}]`;
    const o = asObject(e, at);
    for (const key of Object.keys(o)) if (key !== 'agent' && key !== 'weight') throw new ValidationError(`${at}.${key}`, 'unknown field');
    return { agent: hex(o, 'agent', at), weight: num(o, 'weight', at) };
  });
}

function asObject(json: unknown, field: string): JsonObject {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new ValidationError(field, 'must be a JSON object');
  return json as JsonObject;
}

function str(o: JsonObject, key: string, at: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new ValidationError(`${at}.${key}`, v === undefined ? 'required' : 'must be a string');
  return v;
}

function num(o: JsonObject, key: string, at: string): number {
  const v = o[key];
  if (typeof v !== 'number') throw new ValidationError(`${at}.${key}`, v === undefined ? 'required' : 'must be a number');
  return v;
}

function hex(o: JsonObject, key: string, at: string): Buffer {
  const v = o[key];
  if (typeof v !== 'string' || !HEX.test(v)) throw new ValidationError(`${at}.${key}`, v === undefined ? 'required' : 'must be a hex string');
  return Buffer.from(v, 'hex');
}

/** A 64-bit value: a decimal string, or a number that is a safe integer. */
function int64(v: unknown, field: string): bigint {
  if (typeof v === 'string' && DECIMAL.test(v)) return BigInt(v);
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  throw new ValidationError(field, v === undefined ? 'required' : 'must be a decimal string (or a safe integer number)');
}

/** A record timestamp: a safe integer number, or a decimal string. */
function timestamp(o: JsonObject, key: string, at: string): number {
  const v = o[key];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && DECIMAL.test(v) && v.length <= 16) return Number(v);
  throw new ValidationError(`${at}.${key}`, v === undefined ? 'required' : 'must be an integer number of milliseconds');
}
