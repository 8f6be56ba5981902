/**
 * `stemedb status`: what a running service reports. One section per target
 * flag; each target loads its gRPC client lazily. A new kind of service adds
 * one entry to STATUS_TARGETS (flag, help line, fetch, render).
 */
import { UsageError, type Command } from '../command';
import { parseFlags } from '../args';
import { readerAt, writerAt } from '../clients';
import { headToJson } from '../render';

/** A service `status` can ask. */
export interface StatusTarget {
  /** The flag naming its address, e.g. `writer` for --writer. */
  readonly flag: string;
  /** One help line. */
  readonly help: string;
  /** Ask the service at `address`; the result is printed as JSON with --json. */
  fetch(address: string): Promise<Record<string, unknown>>;
  /** Human-readable lines. */
  render(status: Record<string, unknown>): string;
}

const writerTarget: StatusTarget = {
  flag: 'writer',
  help: '--writer HOST:PORT  a writer: head offset, first offset, segments, log id,\n                      retention, consumers (cursor, lag, expired)',
  async fetch(address) {
    const { writer } = await writerAt(address);
    try {
      const head = await writer.head();
      return { service: 'writer', address, ...headToJson(head) };
    } finally {
      writer.close();
    }
  },
  render(s) {
    const segments = s.segments as Array<{ file_name: string; base_offset: number; end_offset: number }>;
    const consumers = s.consumers as Array<{ consumer_id: string; applied_offset: number; lag_bytes: number; expired: boolean; reported_at: string }>;
    const retention = s.retention as { enabled: boolean; keep_bytes: number; lag_bytes_max: number } | null;
    const setting = retention === null ? 'unknown' : retention.enabled ? `on: keep ${retention.keep_bytes} bytes, consumers expire past ${retention.lag_bytes_max} bytes of lag` : 'off (the log is never trimmed)';
    return [
      `writer ${String(s.address)}`,
      `  head offset:  ${String(s.head_offset)}`,
      `  first offset: ${String(s.first_offset)}`,
      `  segments:     ${segments.length}`,
      ...segments.map((g) => `    ${g.file_name}  ${g.base_offset}..${g.end_offset}`),
      `  log id:       ${String(s.log_id)}`,
      `  retention:    ${setting}; floor ${String(s.retention_floor)}`,
      `  consumers:    ${consumers.length}`,
      ...consumers.map((c) => `    ${c.consumer_id}  applied ${c.applied_offset}  lag ${c.lag_bytes} bytes  reported ${c.reported_at}${c.expired ? '  EXPIRED (must bootstrap)' : ''}`),
    ].join('\n');
  },
};

const readerTarget: StatusTarget = {
  flag: 'reader',
  help: '--reader HOST:PORT  a reader: applied offset, writer head, lag (null/unknown when\n                      the reader cannot reach its writer), records, source, the\n                      first offset of the writer, its consumer registration',
  async fetch(address) {
    const { reader } = await readerAt(address);
    let s;
    try {
      s = await reader.status();
    } finally {
      reader.close();
    }
    return {
      service: 'reader',
      address,
      applied_offset: Number(s.appliedOffset),
      // -1 on the wire: the reader could not learn the head (its writer unreachable); the lag is then unknown, not 0.
      writer_head_offset: s.writerHeadOffset < 0n ? null : Number(s.writerHeadOffset),
      lag_bytes: s.writerHeadOffset < 0n ? null : Number(s.lagBytes),
      records_applied: Number(s.recordsApplied),
      records_rejected: Number(s.recordsRejected),
      source: s.source,
      // -1 on the wire: not learned yet, or the reader reads a WAL directory.
      writer_first_offset: s.writerFirstOffset < 0n ? null : Number(s.writerFirstOffset),
      consumer:
        s.consumer === undefined
          ? null
          : {
              consumer_id: s.consumer.consumerId,
              reported_offset: s.consumer.reportedOffset < 0n ? null : Number(s.consumer.reportedOffset),
              reported_at: s.consumer.reportedAtMs === 0n ? null : new Date(Number(s.consumer.reportedAtMs)).toISOString(),
              expired: s.consumer.expired,
            },
    };
  },
  render(s) {
    const head = s.writer_head_offset as number | null;
    return [
      `reader ${String(s.address)}`,
      `  source:           ${String(s.source)}`,
      `  applied offset:   ${String(s.applied_offset)}`,
      `  log head:         ${head === null ? 'unknown (the reader cannot reach its log source)' : String(head)}`,
      `  lag:              ${head === null ? 'unknown' : `${String(s.lag_bytes)} bytes`}`,
      `  records applied:  ${String(s.records_applied)}`,
      `  records rejected: ${String(s.records_rejected)}`,
      `  writer first:     ${s.writer_first_offset === null ? 'unknown' : String(s.writer_first_offset)}`,
      `  consumer:         ${consumerLine(s.consumer as ReaderConsumer | null)}`,
    ].join('\n');
  },
};

interface ReaderConsumer {
  consumer_id: string;
  reported_offset: number | null;
  reported_at: string | null;
  expired: boolean;
}

function consumerLine(c: ReaderConsumer | null): string {
  if (c === null) return 'none (reads a WAL directory: holds no retention)';
  const reported = c.reported_offset === null ? 'not yet acknowledged by the writer' : `reported ${c.reported_offset} at ${String(c.reported_at)}`;
  return `${c.consumer_id}, ${reported}${c.expired ? ', EXPIRED: the writer no longer keeps its log; it must bootstrap' : ''}`;
}

/** Every service `status` knows, in the order their sections print. */
export const STATUS_TARGETS: StatusTarget[] = [writerTarget, readerTarget];

function helpText(): string {
  return `usage: stemedb status ${STATUS_TARGETS.map((t) => `[--${t.flag} HOST:PORT]`).join(' ')} [--json]

Ask running services how they are. At least one address is required. Every
service named is asked, even when an earlier one fails; a failure prints one
line on stderr (status code, hint) and makes the exit status 1.

options:
${STATUS_TARGETS.map((t) => `  ${t.help}`).join('\n')}
  --json              print one JSON object per service, one per line
  -h, --help          show this help`;
}

export const status: Command = {
  path: ['status'],
  summary: 'show the state of a running writer or reader',
  telemetry: 'client',
  get help() {
    return helpText();
  },
  async run(args, io) {
    const options: Record<string, { type: 'string' | 'boolean' }> = { json: { type: 'boolean' } };
    for (const t of STATUS_TARGETS) options[t.flag] = { type: 'string' };
    const values = parseFlags<Record<string, string | boolean | undefined>>(args, options);
    const chosen = STATUS_TARGETS.filter((t) => typeof values[t.flag] === 'string');
    if (chosen.length === 0) throw new UsageError(`name a service: ${STATUS_TARGETS.map((t) => `--${t.flag} HOST:PORT`).join(' or ')}`);
    for (const t of chosen) if (values[t.flag] === '') throw new UsageError(`--${t.flag} needs HOST:PORT`);
    let failed = 0;
    for (const t of chosen) {
      const address = values[t.flag] as string;
      try {
        const s = await t.fetch(address);
        io.out(values.json === true ? JSON.stringify(s) : t.render(s));
      } catch (err) {
        if (chosen.length === 1) throw err;
        failed++;
        const e = err as { oneLine?: () => string; message?: string };
        io.err(`stemedb status: ${t.flag} ${address}: ${typeof e.oneLine === 'function' ? e.oneLine() : String(e.message ?? err)}`);
      }
    }
    return failed === 0 ? 0 : 1;
  },
};
