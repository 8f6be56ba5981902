/**
 * What `stemedb epoch`, `gold` and `trust-pack` share: flags with repeatable
 * --key files, timestamps as ms or ISO-8601, sign with every key and append.
 */
import { parseArgs } from 'node:util';
import { readKeyFile } from '../../shared/domain/key-file';
import { signRecord } from '../../shared/domain/signing';
import type { StemeRecord } from '../../shared/domain/types';
import { many, required, S, B, type FlagSpec } from './args';
import { UsageError, type Command } from './command';
import { submitAndPrint } from './commands/assert';

export const KEYS_HELP = `  --writer HOST:PORT  the writer's address (required)
  --key FILE          a key file that signs it (required); repeat for more signers`;
export const EXIT_HELP = `Exit status: 0 appended; 1 the writer refused it (PERMISSION_DENIED without an
admin signature) or failed (one line: status code, field, hint); 2 a usage error.`;

/** A timestamp flag: ms since the epoch or an ISO-8601 date; `now` when absent. */
export function timeFlag(flag: string, text: string | undefined): number {
  if (text === undefined) return Date.now();
  if (/^\d+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UsageError(`--${flag}: '${text}' is neither milliseconds nor an ISO-8601 date`);
  return ms;
}

export type Values = Record<string, string | boolean | string[] | undefined>;

export function parseSignedFlags(args: string[], spec: FlagSpec): Values {
  try {
    return parseArgs({ args, options: { writer: S, key: { type: 'string', multiple: true }, json: B, ...spec }, strict: true, allowPositionals: false }).values as Values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function signAndSend(unsigned: StemeRecord, v: Values, io: Parameters<Command['run']>[1]): Promise<number> {
  const keys = many(v, 'key').map((p) => readKeyFile(p));
  if (keys.length === 0) throw new UsageError('--key FILE is required');
  return submitAndPrint(signRecord(unsigned, keys), required(v, 'writer'), v.json === true, io);
}

