/** `stemedb vote`: sign a vote on an assertion with a key file and append it through a writer. */
import { readKeyFile } from '../../../shared/domain/key-file';
import { signRecord } from '../../../shared/domain/signing';
import type { Vote } from '../../../shared/domain/types';
import { type Command } from '../command';
import { parseFlags, parseHash, parseNumberFlag, required } from '../args';
import { submitAndPrint } from './assert';

const HELP = `usage: stemedb vote --writer HOST:PORT --key FILE --assertion HEX --value V [--json]

Sign a vote on an assertion with the key file written by 'stemedb keygen' (the
key's public key is the voter) and append it through the writer. An agent's
latest vote on an assertion replaces its earlier ones. Prints the receipt.

options:
  --writer HOST:PORT  the writer's address (required)
  --key FILE          key file from 'stemedb keygen' (required)
  --assertion HEX     id of the assertion voted on, 64 hex (required)
  --value V           -1..1 (required): 1 agrees, -1 disagrees; write a negative
                      value as --value=-0.5 (else it reads as an option)
  --json              print {"id","offset","next_offset","kind"} as JSON
  -h, --help          show this help

Exit status: 0 appended; 1 the writer refused it or failed (one line: status
code, field, hint); 2 a usage error.`;

interface VoteFlags {
  writer?: string;
  key?: string;
  assertion?: string;
  value?: string;
  json?: boolean;
}

const S = { type: 'string' } as const;

export const vote: Command = {
  path: ['vote'],
  summary: 'sign a vote on an assertion and append it through a writer',
  telemetry: 'client',
  help: HELP,
  async run(args, io) {
    const v = parseFlags<VoteFlags>(args, { writer: S, key: S, assertion: S, value: S, json: { type: 'boolean' } });
    const flags = v as Record<string, unknown>;
    const writerAddress = required(flags, 'writer');
    const keyPair = readKeyFile(required(flags, 'key'));
    const unsigned: Vote = {
      kind: 'vote',
      assertionId: parseHash('assertion', required(flags, 'assertion')),
      voter: keyPair.publicKey,
      value: parseNumberFlag('value', required(flags, 'value')),
      castAtMs: Date.now(),
      signatures: [],
    };
    return submitAndPrint(signRecord(unsigned, [keyPair]), writerAddress, v.json === true, io);
  },
};
