/**
 * Argument parsing shared by the `stemedb` subcommands: node:util parseArgs in
 * strict mode, with every parse failure turned into a UsageError (exit code 2
 * and the command's help hint), and the value checks several commands share.
 */
import { parseArgs } from 'node:util';
import { HASH_BYTES } from '../../shared/domain/limits';
import { UsageError } from './command';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

/** Flags only; a positional argument is a usage error. */
export function parseFlags<T>(args: readonly string[], options: FlagSpec): T {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values as T;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Flags plus exactly one positional argument, described by `what` (e.g. 'DIR') in the error. */
export function parseFlagsAndOne<T>(args: readonly string[], options: FlagSpec, what: string): { values: T; positional: string } {
  let parsed: { values: unknown; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.positionals.length !== 1) throw new UsageError(`expected exactly one ${what}`);
  return { values: parsed.values as T, positional: parsed.positionals[0]! };
}

/** The value of a required string flag. */
export function required(values: Record<string, unknown>, flag: string): string {
  const v = values[flag];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${flag} is required`);
  return v;
}

/** A 32-byte hash or id given as 64 hex characters. */
export function parseHash(flag: string, text: string): Buffer {
  if (!new RegExp(`^[0-9a-fA-F]{${HASH_BYTES * 2}}$`).test(text)) throw new UsageError(`--${flag}: expected ${HASH_BYTES * 2} hex characters (got '${text}')`);
  return Buffer.from(text, 'hex');
}

export function parseNumberFlag(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || Number.isNaN(n)) throw new UsageError(`--${flag}: '${text}' is not a number`);
  return n;
}
