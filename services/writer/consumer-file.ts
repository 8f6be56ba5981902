/**
 * The durable consumer registry: `consumers.json` beside the WAL's segments
 * (docs/OPERATIONS.md, "Retention"). One JSON object, written atomically
 * (`consumers.json.tmp` written and fsynced, renamed, directory fsynced), so a
 * crash leaves the old file or the new one, never a mix:
 *
 *   {"version":1,"log_id":"<32 hex>","consumers":[
 *     {"consumer_id":"reader-0","applied_offset":4096,"registered_at_ms":1764585600000,"reported_at_ms":1764585660000}]}
 *
 * Consumers are sorted by id. The log id binds the file to its log: a file
 * copied from another log is refused, as is anything malformed — forgetting a
 * registered consumer would let retention delete what it still needs, so the
 * writer does not start on a registry it cannot read (`stemedb writer
 * consumers --wal DIR` shows it; move it aside to start without registrations).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../../shared/domain/errors';
import { NODE_FILE_IO, writeFileAtomicSync, type WalFs } from '../../shared/wal/file-io';
import { CONSUMER_ID_BYTES_MAX, CONSUMERS_FILE_BYTES_MAX, CONSUMERS_FILE_NAME, CONSUMERS_MAX } from './limits';

export const CONSUMERS_FILE_VERSION = 1;

const CONSUMER_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** One registered consumer as stored. */
export interface ConsumerEntry {
  readonly consumerId: string;
  /** Every record below this offset has been applied by the consumer. */
  readonly appliedOffset: number;
  readonly registeredAtMs: number;
  readonly reportedAtMs: number;
}

/** The registry file exists but cannot be used. */
export class ConsumerFileError extends Error {
  override readonly name = 'ConsumerFileError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`consumer registry ${path}: ${reason}`);
  }
}

/** Why `id` is not a valid consumer id, or null when it is. */
export function consumerIdProblem(id: string): string | null {
  if (id === '') return 'is required';
  const bytes = Buffer.byteLength(id, 'utf8');
  if (bytes > CONSUMER_ID_BYTES_MAX) return `is ${bytes} bytes, more than ${CONSUMER_ID_BYTES_MAX}`;
  if (!CONSUMER_ID_RE.test(id)) return `'${id}' must be letters, digits, '.', '_', ':' or '-', starting with a letter or digit`;
  return null;
}

/** `id` if valid; ValidationError naming `field` otherwise. */
export function checkConsumerId(id: string, field: string): string {
  const problem = consumerIdProblem(id);
  if (problem !== null) throw new ValidationError(field, problem);
  return id;
}

export function consumersFilePath(walDir: string): string {
  return join(walDir, CONSUMERS_FILE_NAME);
}

export function encodeConsumers(logId: string, entries: Iterable<ConsumerEntry>): Buffer {
  const consumers = [...entries]
    .sort((a, b) => (a.consumerId < b.consumerId ? -1 : a.consumerId > b.consumerId ? 1 : 0))
    .map((e) => ({ consumer_id: e.consumerId, applied_offset: e.appliedOffset, registered_at_ms: e.registeredAtMs, reported_at_ms: e.reportedAtMs }));
  return Buffer.from(`${JSON.stringify({ version: CONSUMERS_FILE_VERSION, log_id: logId, consumers })}\n`, 'utf8');
}

function offsetField(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new Error(`${what} must be a non-negative integer`);
  return v;
}

function entryOf(raw: unknown, i: number): ConsumerEntry {
  if (typeof raw !== 'object' || raw === null) throw new Error(`consumers[${i}] is not an object`);
  const r = raw as Record<string, unknown>;
  const id = r.consumer_id;
  if (typeof id !== 'string') throw new Error(`consumers[${i}].consumer_id is not a string`);
  const problem = consumerIdProblem(id);
  if (problem !== null) throw new Error(`consumers[${i}].consumer_id ${problem}`);
  return {
    consumerId: id,
    appliedOffset: offsetField(r.applied_offset, `consumers[${i}].applied_offset`),
    registeredAtMs: offsetField(r.registered_at_ms, `consumers[${i}].registered_at_ms`),
    reportedAtMs: offsetField(r.reported_at_ms, `consumers[${i}].reported_at_ms`),
  };
}

/** The entries of `bytes`; throws Error with the reason. */
export function decodeConsumers(bytes: Buffer, logId: string): ConsumerEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new Error(`not JSON (${(err as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null) throw new Error('not a JSON object');
  const d = doc as Record<string, unknown>;
  if (d.version !== CONSUMERS_FILE_VERSION) throw new Error(`unsupported version ${JSON.stringify(d.version)} (expected ${CONSUMERS_FILE_VERSION})`);
  if (d.log_id !== logId) throw new Error(`belongs to log ${JSON.stringify(d.log_id)}, not to this log ${logId}`);
  if (!Array.isArray(d.consumers)) throw new Error('consumers is not an array');
  if (d.consumers.length > CONSUMERS_MAX) throw new Error(`${d.consumers.length} consumers, more than ${CONSUMERS_MAX}`);
  const entries = d.consumers.map(entryOf);
  const ids = new Set(entries.map((e) => e.consumerId));
  if (ids.size !== entries.length) throw new Error('a consumer id appears twice');
  return entries;
}

/** The registry of `walDir` (empty when there is no file); ConsumerFileError when it cannot be used. */
export function readConsumersFile(walDir: string, logId: string): ConsumerEntry[] {
  const path = consumersFilePath(walDir);
  if (!existsSync(path)) return [];
  const size = statSync(path).size;
  if (size > CONSUMERS_FILE_BYTES_MAX) throw new ConsumerFileError(path, `${size} bytes, more than ${CONSUMERS_FILE_BYTES_MAX}`);
  try {
    return decodeConsumers(readFileSync(path), logId);
  } catch (err) {
    throw new ConsumerFileError(path, (err as Error).message);
  }
}

/** Replace the registry atomically (temp file, fsync, rename, directory fsync). */
export function writeConsumersFile(walDir: string, logId: string, entries: Iterable<ConsumerEntry>, io: WalFs = NODE_FILE_IO): void {
  writeFileAtomicSync(io, walDir, CONSUMERS_FILE_NAME, encodeConsumers(logId, entries));
}
