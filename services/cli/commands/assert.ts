/**
 * `stemedb assert`: sign an assertion with a key file and append it through a
 * writer; prints the receipt. gRPC code is loaded only when the command runs.
 */
import { canonicalObjectBytes } from '../../../shared/domain/canonical';
import { ValidationError } from '../../../shared/domain/errors';
import { blake3 } from '../../../shared/domain/hash';
import { readKeyFile } from '../../../shared/domain/key-file';
import { signRecord } from '../../../shared/domain/signing';
import type { Assertion, ObjectValue, StemeRecord } from '../../../shared/domain/types';
import { validateRecord } from '../../../shared/domain/validate';
import { parseFlags, parseHash, parseNumberFlag, required } from '../args';
import { UsageError, type Command, type CommandIo } from '../command';
import { writerAt } from '../clients';
import { receiptToJson, renderReceipt } from '../render';

const HELP = `usage: stemedb assert --writer HOST:PORT --key FILE --subject S --predicate P --object V
                      [--type text|number|integer|boolean|entity|timestamp]
                      [--confidence C] [--source HEX] [--parent HEX] [--epoch NAME] [--json]

Sign an assertion (subject --predicate--> object) with the key file written by
'stemedb keygen' and append it through the writer. Prints the receipt: the
record id and its log offset (pass the offset as min_offset to a reader to
read your own write).

options:
  --writer HOST:PORT  the writer's address (required)
  --key FILE          key file from 'stemedb keygen' (required)
  --subject S         entity id (required)
  --predicate P       (required)
  --object V          the value (required), read as --type
  --type T            text (default), number, integer, boolean (true|false),
                      entity, timestamp (ms since the epoch, or an ISO-8601 date)
  --confidence C      0..1, default 1
  --source HEX        32-byte evidence hash (64 hex); default: BLAKE3 of the
                      object's canonical bytes (docs/FORMAT.md), i.e. "the value
                      itself is the evidence"
  --parent HEX        id of the assertion this one supersedes
  --epoch NAME        the epoch the assertion belongs to
  --json              print {"id","offset","next_offset","kind"} as JSON
  -h, --help          show this help

Exit status: 0 appended; 1 the writer refused it or failed (one line: status
code, field, hint); 2 a usage error.`;

export const OBJECT_TYPES = ['text', 'number', 'integer', 'boolean', 'entity', 'timestamp'] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];

/** Confidence when --confidence is not given. */
export const ASSERT_CONFIDENCE_DEFAULT = 1;

export function parseObject(type: ObjectType, text: string): ObjectValue {
  switch (type) {
    case 'text':
      return { kind: 'text', value: text };
    case 'entity':
      return { kind: 'entity', value: text };
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--object: '${text}' is not a finite number`);
      return { kind: 'number', value: n };
    }
    case 'integer':
      if (!/^-?\d+$/.test(text)) throw new UsageError(`--object: '${text}' is not an integer`);
      return { kind: 'integer', value: BigInt(text) };
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw new UsageError(`--object: a boolean is true or false (got '${text}')`);
      return { kind: 'boolean', value: text === 'true' };
    case 'timestamp': {
      if (/^-?\d+$/.test(text)) return { kind: 'timestamp', value: BigInt(text) };
      const ms = Date.parse(text);
      if (Number.isNaN(ms)) throw new UsageError(`--object: '${text}' is neither milliseconds nor an ISO-8601 date`);
      return { kind: 'timestamp', value: BigInt(ms) };
    }
  }
}

/** Validate locally (a clear usage error beats a round trip), append, print the receipt. */
export async function submitAndPrint(record: StemeRecord, writerAddress: string, json: boolean, io: CommandIo): Promise<number> {
  try {
    validateRecord(record);
  } catch (err) {
    if (err instanceof ValidationError) throw new UsageError(err.message);
    throw err;
  }
  const { writer } = await writerAt(writerAddress);
  try {
    const receipt = await writer.append(record);
    io.out(json ? JSON.stringify(receiptToJson(receipt)) : renderReceipt(receipt));
    return 0;
  } finally {
    writer.close();
  }
}

interface AssertFlags {
  writer?: string;
  key?: string;
  subject?: string;
  predicate?: string;
  object?: string;
  type?: string;
  confidence?: string;
  source?: string;
  parent?: string;
  epoch?: string;
  json?: boolean;
}

const S = { type: 'string' } as const;

export const assert: Command = {
  path: ['assert'],
  summary: 'sign an assertion with a key file and append it through a writer',
  telemetry: 'client',
  help: HELP,
  async run(args, io) {
    const v = parseFlags<AssertFlags>(args, { writer: S, key: S, subject: S, predicate: S, object: S, type: S, confidence: S, source: S, parent: S, epoch: S, json: { type: 'boolean' } });
    const writerAddress = required(v as Record<string, unknown>, 'writer');
    const keyPath = required(v as Record<string, unknown>, 'key');
    const type = (v.type ?? 'text') as ObjectType;
    if (!OBJECT_TYPES.includes(type)) throw new UsageError(`--type must be one of ${OBJECT_TYPES.join(', ')} (got '${v.type}')`);
    if (v.object === undefined) throw new UsageError('--object is required');
    const object = parseObject(type, v.object);
    const unsigned: Assertion = {
      kind: 'assertion',
      subject: required(v as Record<string, unknown>, 'subject'),
      predicate: required(v as Record<string, unknown>, 'predicate'),
      object,
      confidence: v.confidence === undefined ? ASSERT_CONFIDENCE_DEFAULT : parseNumberFlag('confidence', v.confidence),
      sourceHash: v.source === undefined ? blake3(canonicalObjectBytes(object)) : parseHash('source', v.source),
      visualHash: null,
      parentHash: v.parent === undefined ? null : parseHash('parent', v.parent),
      epoch: v.epoch ?? null,
      assertedAtMs: Date.now(),
      signatures: [],
    };
    const record = signRecord(unsigned, [readKeyFile(keyPath)]);
    return submitAndPrint(record, writerAddress, v.json === true, io);
  },
};
