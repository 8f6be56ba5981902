/**
 * Reading records in their JSON form (docs/FORMAT.md §7) for `stemedb append`:
 * from files or stdin ('-'), one pretty-printed object or many, one per line
 * (JSON lines). Streamed line by line, so a long JSON-lines file never sits in
 * memory; a record's text is bounded by RECORD_JSON_BYTES_MAX.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseRecordJson } from '../../shared/domain/record-json';
import type { StemeRecord } from '../../shared/domain/types';
import { RECORD_JSON_BYTES_MAX } from './limits';

/** A record and where it came from, e.g. `records.jsonl:3`. */
export interface SourcedRecord {
  readonly record: StemeRecord;
  readonly where: string;
}

/** A record's text could not be read: names the input and line. */
export class RecordInputError extends Error {
  override readonly name = 'RecordInputError';
  constructor(
    readonly where: string,
    readonly reason: string,
  ) {
    super(`${where}: ${reason}`);
  }
}

/** Records of one input in order. Unsigned records are accepted (`append --key` signs them). */
export async function* readRecords(source: string, stdin: Readable): AsyncGenerator<SourcedRecord> {
  const name = source === '-' ? 'stdin' : source;
  const input = source === '-' ? stdin : createReadStream(source);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let buffer = '';
  let startLine = 0;
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      if (buffer === '' && line.trim() === '') continue;
      if (buffer === '') startLine = lineNo;
      buffer += buffer === '' ? line : `\n${line}`;
      if (Buffer.byteLength(buffer) > RECORD_JSON_BYTES_MAX) throw new RecordInputError(`${name}:${startLine}`, `a record's JSON is larger than ${RECORD_JSON_BYTES_MAX} bytes`);
      if (!line.trimEnd().endsWith('}')) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(buffer);
      } catch {
        continue; // an object spanning more lines
      }
      const where = `${name}:${startLine}`;
      buffer = '';
      try {
        yield { record: parseRecordJson(JSON.stringify(parsed), 'record', { allowUnsigned: true }), where };
      } catch (err) {
        throw new RecordInputError(where, err instanceof Error ? err.message : String(err));
      }
    }
  } finally {
    lines.close();
  }
  if (buffer.trim() !== '') throw new RecordInputError(`${name}:${startLine}`, 'not valid JSON (an unfinished object?)');
}
