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

/** A non-negative integer log offset flag (undefined when absent). */
export function offsetFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`--${flag}: expected a non-negative integer offset (got '${text}')`);
  return Number(text);
}

/** A positive integer flag within 1..max (undefined when absent). */
export function countFlag(flag: string, text: string | undefined, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max) throw new UsageError(`--${flag}: expected an integer 1..${max} (got '${text}')`);
  return n;
}

/** The values of a repeatable string flag (`--key A --key B`). */
export function many(values: Record<string, unknown>, flag: string): string[] {
  const v = values[flag];
  if (v === undefined) return [];
  const list = Array.isArray(v) ? (v as string[]) : [v as string];
  for (const item of list) if (item === '') throw new UsageError(`--${flag} needs a value`);
  return list;
}

/** Flags every reader query command shares (resolve's set): see QUERY_FLAGS_HELP in commands/resolve.ts. */
export const S = { type: 'string' } as const;
export const B = { type: 'boolean' } as const;
