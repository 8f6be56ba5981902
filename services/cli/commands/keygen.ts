/**
 * `stemedb keygen`: a fresh Ed25519 key pair. With --out, writes the key file
 * (mode 0600, never over an existing file) and prints the public key, the agent
 * id; without it, prints the key file JSON to stdout.
 */
import { keyFileJson, writeKeyFile } from '../../../shared/domain/key-file';
import { generateKeyPair } from '../../../shared/domain/signing';
import { parseFlags } from '../args';
import { UsageError, type Command } from '../command';

const HELP = `usage: stemedb keygen [--out FILE] [--json]

Generate an Ed25519 key pair. The public key (hex) is the agent id.

options:
  --out FILE   write the key file to FILE (mode 0600; refuses to overwrite) and
               print the public key; without --out the key file JSON is printed
  --json       print {"public_key": HEX, "path": FILE} instead of the bare key
  -h, --help   show this help

key file: {"algorithm":"ed25519","public_key":HEX,"private_key":HEX} (private_key
is the 32-byte seed); see docs/FORMAT.md.`;

export const keygen: Command = {
  path: ['keygen'],
  summary: 'generate an Ed25519 key pair file; prints the public key',
  help: HELP,
  async run(args, io) {
    const values = parseFlags<{ out?: string; json?: boolean }>(args, { out: { type: 'string' }, json: { type: 'boolean' } });
    if (values.out === '') throw new UsageError('--out needs a file name');
    const pair = generateKeyPair();
    if (values.out === undefined) {
      io.out(keyFileJson(pair));
      return 0;
    }
    writeKeyFile(values.out, pair);
    const publicKey = pair.publicKey.toString('hex');
    io.out(values.json === true ? JSON.stringify({ public_key: publicKey, path: values.out }) : publicKey);
    return 0;
  },
};
