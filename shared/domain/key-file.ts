/**
 * Key pair files, as `stemedb keygen` writes them and commands that sign read:
 *
 *   {"algorithm":"ed25519","public_key":"<64 hex>","private_key":"<64 hex seed>"}
 *
 * Written with mode 0600 and never over an existing file. Reading checks the
 * shape and that the public key is the one the seed derives.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { KeyFileError } from './errors';
import { KEY_FILE_BYTES_MAX, PRIVATE_KEY_BYTES, PUBLIC_KEY_BYTES } from './limits';
import { keyPairFromSeed, type KeyPair } from './signing';

const KEY_FILE_MODE = 0o600;

/** The JSON text of a key file (with a trailing newline). */
export function keyFileJson(keyPair: KeyPair): string {
  return JSON.stringify({ algorithm: 'ed25519', public_key: keyPair.publicKey.toString('hex'), private_key: keyPair.privateKey.toString('hex') }) + '\n';
}

/** Write a key file with mode 0600; throws KeyFileError if `path` exists. */
export function writeKeyFile(path: string, keyPair: KeyPair): void {
  try {
    writeFileSync(path, keyFileJson(keyPair), { mode: KEY_FILE_MODE, flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new KeyFileError(path, 'already exists; refusing to overwrite a key file');
    throw new KeyFileError(path, `cannot write: ${(err as Error).message}`);
  }
}

/** Parse key file text; `path` only labels errors. */
export function parseKeyFile(text: string, path: string): KeyPair {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KeyFileError(path, 'not JSON (expected {"algorithm":"ed25519","public_key":…,"private_key":…})');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new KeyFileError(path, 'not a JSON object');
  const o = json as { [key: string]: unknown };
  if (o.algorithm !== 'ed25519') throw new KeyFileError(path, `algorithm must be "ed25519" (got ${JSON.stringify(o.algorithm)})`);
  const seed = hexField(o, 'private_key', PRIVATE_KEY_BYTES, path);
  const publicKey = hexField(o, 'public_key', PUBLIC_KEY_BYTES, path);
  const pair = keyPairFromSeed(seed);
  if (!pair.publicKey.equals(publicKey)) throw new KeyFileError(path, 'public_key does not belong to private_key');
  return pair;
}

/** Read and check a key file. Throws KeyFileError with the path and what is wrong. */
export function readKeyFile(path: string): KeyPair {
  let text: string;
  try {
    if (statSync(path).size > KEY_FILE_BYTES_MAX) throw new KeyFileError(path, `larger than ${KEY_FILE_BYTES_MAX} bytes: not a key file`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof KeyFileError) throw err;
    throw new KeyFileError(path, `cannot read: ${(err as Error).message}`);
  }
  return parseKeyFile(text, path);
}

function hexField(o: { [key: string]: unknown }, key: string, bytes: number, path: string): Buffer {
  const v = o[key];
  if (typeof v !== 'string' || !new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(v)) {
    throw new KeyFileError(path, `${key} must be ${bytes * 2} hex characters (${bytes} bytes)`);
  }
  return Buffer.from(v, 'hex');
}
