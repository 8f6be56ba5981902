/**
 * Ed25519 signatures with domain separation: signing through node:crypto,
 * verification through libsodium (`ed25519.ts`).
 *
 * A signer signs `"stemedb/v1/" + kind ‖ id` (ASCII tag, then the 32-byte record
 * id), so a signature over an assertion can never be replayed as a vote or an
 * epoch with the same id bytes.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { ed25519Verify } from './ed25519';
import { SignatureError, ValidationError } from './errors';
import { recordId } from './hash';
import { HASH_BYTES, PRIVATE_KEY_BYTES, PUBLIC_KEY_BYTES, SIGNATURES_MAX, SIGNATURE_BYTES } from './limits';
import type { RecordKind, Signature, StemeRecord } from './types';

/** An Ed25519 key pair as raw bytes: the public key is the agent id. */
export interface KeyPair {
  /** 32-byte raw public key. */
  readonly publicKey: Buffer;
  /** 32-byte private seed (RFC 8032). */
  readonly privateKey: Buffer;
}

/** DER PKCS#8 prefix for a raw Ed25519 seed (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

const TAG_PREFIX = 'stemedb/v1/';
const DOMAIN_TAGS: Readonly<Record<RecordKind, Buffer>> = {
  assertion: Buffer.from(TAG_PREFIX + 'assertion', 'ascii'),
  vote: Buffer.from(TAG_PREFIX + 'vote', 'ascii'),
  epoch: Buffer.from(TAG_PREFIX + 'epoch', 'ascii'),
  gold_standard: Buffer.from(TAG_PREFIX + 'gold_standard', 'ascii'),
  trust_pack: Buffer.from(TAG_PREFIX + 'trust_pack', 'ascii'),
  agent_grant: Buffer.from(TAG_PREFIX + 'agent_grant', 'ascii'),
  agent_revoke: Buffer.from(TAG_PREFIX + 'agent_revoke', 'ascii'),
};

/** The bytes a signer signs: the ASCII domain tag of `kind`, then the 32-byte id. */
export function signingMessage(kind: RecordKind, id: Buffer): Buffer {
  const tag = Object.hasOwn(DOMAIN_TAGS, kind) ? DOMAIN_TAGS[kind] : undefined;
  if (tag === undefined) throw new TypeError(`unknown record kind '${String(kind)}'`);
  if (id.length !== HASH_BYTES) throw new RangeError(`a record id is ${HASH_BYTES} bytes (got ${id.length})`);
  return Buffer.concat([tag, id]);
}

/** A fresh random key pair. */
export function generateKeyPair(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  return {
    publicKey: Buffer.from(spki.subarray(spki.length - PUBLIC_KEY_BYTES)),
    privateKey: Buffer.from(pkcs8.subarray(pkcs8.length - PRIVATE_KEY_BYTES)),
  };
}

/** The key pair of a 32-byte seed (deterministic). */
export function keyPairFromSeed(seed: Buffer): KeyPair {
  const privateKey = privateKeyObject(seed);
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { publicKey: Buffer.from(spki.subarray(spki.length - PUBLIC_KEY_BYTES)), privateKey: Buffer.from(seed) };
}

/**
 * The parsed private key of each key pair in use, so signing many records with
 * one pair parses its seed once, not per signature (parsing costs about as much
 * as signing). Held only as long as the KeyPair object itself; the seed is
 * compared on every use, so a pair whose bytes changed is parsed again.
 */
const privateKeys = new WeakMap<KeyPair, { readonly seed: Buffer; readonly key: KeyObject }>();

function privateKeyOf(keyPair: KeyPair): KeyObject {
  const cached = privateKeys.get(keyPair);
  if (cached !== undefined && cached.seed.equals(keyPair.privateKey)) return cached.key;
  const key = privateKeyObject(keyPair.privateKey);
  privateKeys.set(keyPair, { seed: Buffer.from(keyPair.privateKey), key });
  return key;
}

/** Sign a record id of the given kind. Ed25519 is deterministic: same inputs, same signature. */
export function signId(kind: RecordKind, id: Buffer, keyPair: KeyPair): Signature {
  const signature = sign(null, signingMessage(kind, id), privateKeyOf(keyPair));
  return { publicKey: Buffer.from(keyPair.publicKey), signature };
}

/**
 * The record with signatures by `keyPairs` added to the ones it has. A key that
 * has already signed is not added twice. The id does not change (signatures are
 * not hashed). Throws a ValidationError past SIGNATURES_MAX.
 */
export function signRecord<R extends StemeRecord>(record: R, keyPairs: readonly KeyPair[]): R {
  const id = recordId(record);
  const signatures: Signature[] = [...record.signatures];
  const have = new Set(signatures.map((s) => s.publicKey.toString('hex')));
  for (const keyPair of keyPairs) {
    const key = keyPair.publicKey.toString('hex');
    if (have.has(key)) continue;
    have.add(key);
    signatures.push(signId(record.kind, id, keyPair));
  }
  if (signatures.length > SIGNATURES_MAX) throw new ValidationError(`record.${record.kind === 'vote' ? 'vote.signature' : record.kind + '.signatures'}`, `at most ${SIGNATURES_MAX} signatures (got ${signatures.length})`);
  return { ...record, signatures };
}

/**
 * True when `sig` is a valid Ed25519 signature over the signing message of
 * (`kind`, `id`). Never throws on malformed input: wrong lengths, keys that are
 * not curve points, small-order keys and garbage bytes all give false.
 */
export function verifySignature(kind: RecordKind, id: Buffer, sig: Signature): boolean {
  const message = signedMessage(kind, id, sig);
  return message !== null && ed25519Verify(message, sig.publicKey, sig.signature);
}

/**
 * The message `sig` must sign, or null when the inputs are malformed (a wrong
 * id length, an unknown kind, a signature that is not two byte strings of the
 * right sizes): such a signature can never verify.
 */
export function signedMessage(kind: RecordKind, id: Buffer, sig: Signature): Buffer | null {
  if (!Buffer.isBuffer(id) || id.length !== HASH_BYTES || !Object.hasOwn(DOMAIN_TAGS, kind)) return null;
  if (sig === null || typeof sig !== 'object') return null;
  if (!Buffer.isBuffer(sig.publicKey) || sig.publicKey.length !== PUBLIC_KEY_BYTES) return null;
  if (!Buffer.isBuffer(sig.signature) || sig.signature.length !== SIGNATURE_BYTES) return null;
  return signingMessage(kind, id);
}

/**
 * Verify every signature of a record; returns its id. Throws a SignatureError
 * naming the first signature that fails, e.g. `record.assertion.signatures[1]`
 * (a vote's single signature is `record.vote.signature`).
 */
export function verifyRecord(record: StemeRecord, field = 'record'): Buffer {
  const id = recordId(record);
  const verified: boolean[] = [];
  for (const sig of record.signatures) {
    const ok = verifySignature(record.kind, id, sig);
    verified.push(ok);
    if (!ok) break;
  }
  const failure = signatureFailure(record, verified, field);
  if (failure !== null) throw failure;
  return id;
}

/**
 * The SignatureError for the first failing signature of a record, given which
 * signatures verified (in signature order); null when all did. One naming rule
 * for every verifier: `record.assertion.signatures[1]`, `record.vote.signature`.
 */
export function signatureFailure(record: StemeRecord, verified: readonly boolean[], field = 'record'): SignatureError | null {
  if (record.signatures.length === 0) return new SignatureError(`${field}.${signaturesField(record)}`, 'the record is unsigned');
  const bad = verified.indexOf(false);
  if (bad < 0) return null;
  const at = record.kind === 'vote' ? `${field}.vote.signature` : `${field}.${record.kind}.signatures[${bad}]`;
  return new SignatureError(at, 'signature does not verify');
}

function signaturesField(record: StemeRecord): string {
  return record.kind === 'vote' ? 'vote.signature' : `${record.kind}.signatures`;
}

function privateKeyObject(seed: Buffer): KeyObject {
  if (!Buffer.isBuffer(seed) || seed.length !== PRIVATE_KEY_BYTES) throw new RangeError(`an Ed25519 private key is a ${PRIVATE_KEY_BYTES}-byte seed`);
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}
