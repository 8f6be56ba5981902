import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyFileError } from '../../shared/domain/errors';
import { keyFileJson, parseKeyFile, readKeyFile, writeKeyFile } from '../../shared/domain/key-file';
import { KEY_FILE_BYTES_MAX } from '../../shared/domain/limits';
import { generateKeyPair, signId, verifySignature } from '../../shared/domain/signing';
import { useTempDir } from '../helpers/tmp';

const tmp = useTempDir();

function keyFileError(fn: () => unknown): KeyFileError {
  try {
    fn();
  } catch (err) {
    if (err instanceof KeyFileError) return err;
    throw err;
  }
  throw new Error('expected a KeyFileError');
}

describe('key files', () => {
  it('round-trip a key pair that still signs and verifies, with mode 0600', () => {
    const pair = generateKeyPair();
    const path = join(tmp.path, 'agent.key');
    writeKeyFile(path, pair);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const read = readKeyFile(path);
    expect(read.publicKey.equals(pair.publicKey)).toBe(true);
    expect(verifySignature('vote', Buffer.alloc(32), signId('vote', Buffer.alloc(32), read))).toBe(true);
  });

  it('are never overwritten', () => {
    const path = join(tmp.path, 'agent.key');
    writeKeyFile(path, generateKeyPair());
    const err = keyFileError(() => writeKeyFile(path, generateKeyPair()));
    expect(err.path).toBe(path);
    expect(err.reason).toMatch(/already exists/);
  });

  it.each<[string, string, RegExp]>([
    ['not JSON', '{', /not JSON/],
    ['an array', '[]', /not a JSON object/],
    ['a wrong algorithm', JSON.stringify({ algorithm: 'rsa', public_key: '00', private_key: '00' }), /algorithm must be "ed25519"/],
    ['a short private key', JSON.stringify({ algorithm: 'ed25519', public_key: 'aa'.repeat(32), private_key: 'bb'.repeat(31) }), /private_key must be 64 hex/],
    ['a non-hex public key', JSON.stringify({ algorithm: 'ed25519', public_key: 'zz'.repeat(32), private_key: 'bb'.repeat(32) }), /public_key must be 64 hex/],
  ])('with %s are rejected clearly', (_what, text, reason) => {
    expect(keyFileError(() => parseKeyFile(text, 'k.json')).reason).toMatch(reason);
  });

  it('whose public key does not match the seed are rejected', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    const text = keyFileJson({ publicKey: b.publicKey, privateKey: a.privateKey });
    expect(keyFileError(() => parseKeyFile(text, 'k.json')).reason).toMatch(/does not belong/);
  });

  it('that are missing or oversized are rejected with the path', () => {
    expect(keyFileError(() => readKeyFile(join(tmp.path, 'none'))).reason).toMatch(/cannot read/);
    const big = join(tmp.path, 'big');
    writeFileSync(big, ' '.repeat(KEY_FILE_BYTES_MAX + 1));
    expect(keyFileError(() => readKeyFile(big)).reason).toMatch(/larger than/);
    const exact = join(tmp.path, 'exact');
    writeFileSync(exact, keyFileJson(generateKeyPair()).padEnd(KEY_FILE_BYTES_MAX, ' '));
    expect(() => readKeyFile(exact)).not.toThrow();
  });
});
