/**
 * Ed25519 signatures with domain separation, over node:crypto only.
 *
 * A signer signs `"stemedb/v1/" + kind ‖ id` (ASCII tag, then the 32-byte record
 * id), so a signature over an assertion can never be replayed as a vote or an
 * epoch with the same id bytes. Public KeyObjects are cached per key because
 * verification is the writer's hot path (~10k/s per core).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { SignatureError, ValidationError } from './errors';
import { recordId } from './hash';
import { publicKeyProblem } from './public-key';
import { HASH_BYTES, PRIVATE_KEY_BYTES, PUBLIC_KEY_BYTES, SIGNATURES_MAX, SIGNATURE_BYTES } from './limits';
import type { RecordKind, Signature, StemeRecord } from './types';

/** An Ed25519 key pair as raw bytes: the public key is the agent id. */
export interface KeyPair {
  /** 32-byte raw public key. */
  readonly publicKey: Buffer;
  /** 32-byte private seed (RFC 8032). */
  readonly privateKey: Buffer;
}

/** Public KeyObjects kept for fast verification; the oldest-used is dropped past this. */
export const PUBLIC_KEY_CACHE_ENTRIES_MAX = 4096;

/** DER SubjectPublicKeyInfo prefix for a raw Ed25519 public key (RFC 8410). */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
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
  const input = verifyInput(kind, id, sig);
  if (input === null) return false;
  try {
    return verify(null, input.message, input.key, sig.signature);
  } catch {
    return false;
  }
}

/**
 * `verifySignature` on libuv's thread pool (the callback form of
 * `crypto.verify`), so a server verifying many signatures keeps its event loop
 * free and uses every core. Same answers; never rejects.
 */
export function verifySignatureAsync(kind: RecordKind, id: Buffer, sig: Signature): Promise<boolean> {
  const input = verifyInput(kind, id, sig);
  if (input === null) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      verify(null, input.message, input.key, sig.signature, (err, ok) => resolve(err === null && ok));
    } catch {
      resolve(false);
    }
  });
}

/** The message and key to verify `sig` with, or null when the inputs are malformed or the key unusable. */
function verifyInput(kind: RecordKind, id: Buffer, sig: Signature): { message: Buffer; key: KeyObject } | null {
  if (!Buffer.isBuffer(id) || id.length !== HASH_BYTES || !Object.hasOwn(DOMAIN_TAGS, kind)) return null;
  if (sig === null || typeof sig !== 'object') return null;
  if (!Buffer.isBuffer(sig.publicKey) || sig.publicKey.length !== PUBLIC_KEY_BYTES) return null;
  if (!Buffer.isBuffer(sig.signature) || sig.signature.length !== SIGNATURE_BYTES) return null;
  if (publicKeyProblem(sig.publicKey) !== null) return null;
  try {
    return { message: signingMessage(kind, id), key: publicKeyObject(sig.publicKey) };
  } catch {
    // An unusable key (not a point on the curve) simply does not verify.
    return null;
  }
}

/**
 * Verify every signature of a record; returns its id. Throws a SignatureError
 * naming the first signature that fails, e.g. `record.assertion.signatures[1]`
 * (a vote's single signature is `record.vote.signature`).
 */
export function verifyRecord(record: StemeRecord, field = 'record'): Buffer {
  const id = recordId(record);
  if (record.signatures.length === 0) throw new SignatureError(`${field}.${signaturesField(record)}`, 'the record is unsigned');
  record.signatures.forEach((sig, i) => {
    if (!verifySignature(record.kind, id, sig)) {
      const at = record.kind === 'vote' ? `${field}.vote.signature` : `${field}.${record.kind}.signatures[${i}]`;
      throw new SignatureError(at, 'signature does not verify');
    }
  });
  return id;
}

/**
 * `verifyRecord` with every signature checked concurrently on the thread pool
 * (`verifySignatureAsync`). Resolves with the id; rejects with a SignatureError
 * naming the lowest-numbered signature that fails.
 */
export async function verifyRecordAsync(record: StemeRecord, field = 'record'): Promise<Buffer> {
  const id = recordId(record);
  if (record.signatures.length === 0) throw new SignatureError(`${field}.${signaturesField(record)}`, 'the record is unsigned');
  const results = await Promise.all(record.signatures.map((sig) => verifySignatureAsync(record.kind, id, sig)));
  const bad = results.indexOf(false);
  if (bad >= 0) {
    const at = record.kind === 'vote' ? `${field}.vote.signature` : `${field}.${record.kind}.signatures[${bad}]`;
    throw new SignatureError(at, 'signature does not verify');
  }
  return id;
}

function signaturesField(record: StemeRecord): string {
  return record.kind === 'vote' ? 'vote.signature' : `${record.kind}.signatures`;
}

const publicKeys = new Map<string, KeyObject>();

/** The cached KeyObject of a raw public key; Map order doubles as recency for eviction. */
function publicKeyObject(raw: Buffer): KeyObject {
  const cacheKey = raw.toString('latin1');
  const cached = publicKeys.get(cacheKey);
  if (cached !== undefined) {
    publicKeys.delete(cacheKey);
    publicKeys.set(cacheKey, cached);
    return cached;
  }
  const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
  if (publicKeys.size >= PUBLIC_KEY_CACHE_ENTRIES_MAX) publicKeys.delete(publicKeys.keys().next().value!);
  publicKeys.set(cacheKey, key);
  return key;
}

function privateKeyObject(seed: Buffer): KeyObject {
  if (!Buffer.isBuffer(seed) || seed.length !== PRIVATE_KEY_BYTES) throw new RangeError(`an Ed25519 private key is a ${PRIVATE_KEY_BYTES}-byte seed`);
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** Entries currently in the public key cache (for tests and metrics). */
export function publicKeyCacheSize(): number {
  return publicKeys.size;
}
