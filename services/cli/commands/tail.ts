/**
 * `stemedb tail`: raw log records from an offset (WriterService Tail), each
 * hash-checked and decoded; up to the head, or following new appends with
 * --follow (reconnecting and resuming by offset).
 */
import { offsetFlag, parseFlags, required, S, B } from '../args';
import { writerAt } from '../clients';
import type { Command } from '../command';
import { logRecordToJson, renderLogRecord } from '../render';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export const tail: Command = {
  path: ['tail'],
  summary: 'print log records from an offset (to the head, or --follow)',
  telemetry: 'client',
  help: `usage: stemedb tail --writer HOST:PORT [--from N] [--follow] [--json]

Print the log's records from offset N (a record boundary: 0, or any receipt's
offset or next offset): offset, kind, what it says, signature count. Each
record's BLAKE3 payload hash is checked. Without --follow the command stops at
the head as it was when it started; with --follow it keeps printing new
records until SIGINT/SIGTERM, reconnecting and resuming from the next offset
when the stream ends.

options:
  --writer HOST:PORT  the writer's address (required)
  --from N            first offset, default 0
  --follow            keep following new appends
  --json              one JSON object per record (JSON lines): offset,
                      next_offset, appended_at_ms, payload_hash, record (JSON form)
  -h, --help          show this help

Exit status: 0 (also when stopped by SIGINT/SIGTERM); 1 the writer refused the
offset (INVALID_ARGUMENT inside a record, OUT_OF_RANGE before the first) or is
unreachable (one line: status code, field, hint); 2 a usage error.`,
  async run(args, io) {
    const v = parseFlags<Record<string, string | boolean | undefined>>(args, { writer: S, from: S, follow: B, json: B });
    const from = offsetFlag('from', v.from as string | undefined) ?? 0;
    const { writer } = await writerAt(required(v, 'writer'));
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    for (const s of STOP_SIGNALS) process.once(s, onSignal);
    try {
      const untilOffset = v.follow === true ? undefined : (await writer.head()).headOffset;
      for await (const r of writer.tail(from, { signal: stop.signal, ...(untilOffset === undefined ? {} : { untilOffset }) })) {
        io.out(v.json === true ? JSON.stringify(logRecordToJson(r)) : renderLogRecord(r));
      }
      return 0;
    } finally {
      for (const s of STOP_SIGNALS) process.removeListener(s, onSignal);
      writer.close();
    }
  },
};
