/** `stemedb append`'s input reader: pretty-printed and JSON-lines records, bounded, errors naming the line. */
import { Readable } from 'node:stream';
import { RECORD_JSON_BYTES_MAX } from '../../services/cli/limits';
import { readRecords, RecordInputError } from '../../services/cli/record-input';

const record = (value: string): Record<string, unknown> => ({
  kind: 'assertion',
  subject: 's',
  predicate: 'p',
  object: { kind: 'text', value },
  confidence: 1,
  source_hash: 'ab'.repeat(32),
  asserted_at_ms: 1_700_000_000_000,
});

async function read(text: string): Promise<string[]> {
  const out: string[] = [];
  for await (const r of readRecords('-', Readable.from([text]))) out.push(`${r.where} ${r.record.kind === 'assertion' && r.record.object.kind === 'text' ? r.record.object.value : ''}`);
  return out;
}

describe('readRecords', () => {
  it('reads a pretty-printed record and JSON lines, naming where each starts', async () => {
    const text = `${JSON.stringify(record('a'), null, 2)}\n\n${JSON.stringify(record('b'))}\n${JSON.stringify(record('c'))}\n`;
    expect(await read(text)).toEqual(['stdin:1 a', `stdin:${JSON.stringify(record('a'), null, 2).split('\n').length + 2} b`, `stdin:${JSON.stringify(record('a'), null, 2).split('\n').length + 3} c`]);
  });

  it('refuses a record larger than RECORD_JSON_BYTES_MAX and accepts one at the limit', async () => {
    const base = JSON.stringify(record(''));
    const fill = (n: number): string => JSON.stringify(record('x'.repeat(n - base.length)));
    // The text limit of a text object (4096 bytes) does not matter here: the size check comes first.
    await expect(read(fill(RECORD_JSON_BYTES_MAX + 1))).rejects.toThrow(new RecordInputError('stdin:1', `a record's JSON is larger than ${RECORD_JSON_BYTES_MAX} bytes`));
    await expect(read(fill(RECORD_JSON_BYTES_MAX))).rejects.toMatchObject({ name: 'RecordInputError', where: 'stdin:1', reason: expect.stringContaining('record.assertion.object') });
  });

  it('names the line of an invalid record and of unfinished JSON', async () => {
    await expect(read(`${JSON.stringify(record('a'))}\n${JSON.stringify({ ...record('b'), confidence: 2 })}\n`)).rejects.toMatchObject({ where: 'stdin:2', reason: expect.stringContaining('record.assertion.confidence') });
    await expect(read('{"kind": "assertion",\n"subject": "s"\n')).rejects.toMatchObject({ where: 'stdin:1', reason: expect.stringContaining('not valid JSON') });
  });
});
