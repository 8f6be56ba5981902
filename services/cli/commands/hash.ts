/**
 * `stemedb hash FILE.json`: the canonical id of a record given in its JSON form
 * (docs/FORMAT.md). Signatures are optional here — they are not hashed, and the
 * id is what a signer signs — but any present must be well-formed.
 */
import { readFile } from 'node:fs/promises';
import { canonicalBytes } from '../../../shared/domain/canonical';
import { recordId } from '../../../shared/domain/hash';
import { parseRecordJson } from '../../../shared/domain/record-json';
import { parseFlagsAndOne } from '../args';
import type { Command } from '../command';
import { RECORD_JSON_BYTES_MAX } from '../limits';

const HELP = `usage: stemedb hash FILE.json [--json]

Print the id of a record: BLAKE3-256 of its canonical bytes, in hex.
FILE.json holds the record in its JSON form (docs/FORMAT.md); '-' reads stdin.
The record is validated first; errors name the field and exit 1.
Signatures may be omitted (they are not part of the id).

options:
  --json       print {"id": HEX, "kind": KIND, "canonical": HEX}
  -h, --help   show this help`;

async function readInput(source: string): Promise<string> {
  if (source !== '-') {
    const bytes = await readFile(source);
    if (bytes.length > RECORD_JSON_BYTES_MAX) throw new Error(`${source}: larger than ${RECORD_JSON_BYTES_MAX} bytes`);
    return bytes.toString('utf8');
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    total += (chunk as Buffer).length;
    if (total > RECORD_JSON_BYTES_MAX) throw new Error(`stdin: larger than ${RECORD_JSON_BYTES_MAX} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export const hash: Command = {
  path: ['hash'],
  summary: 'print the canonical id of a record given as JSON',
  help: HELP,
  async run(args, io) {
    const parsed = parseFlagsAndOne<{ json?: boolean }>(args, { json: { type: 'boolean' } }, 'FILE.json (or - for stdin)');
    const record = parseRecordJson(await readInput(parsed.positional), 'record', { allowUnsigned: true });
    const id = recordId(record).toString('hex');
    io.out(parsed.values.json === true ? JSON.stringify({ id, kind: record.kind, canonical: canonicalBytes(record).toString('hex') }) : id);
    return 0;
  },
};
