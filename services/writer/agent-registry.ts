/**
 * The writer's admission table: which agent keys hold a grant (and until
 * when) and which are revoked, as the log's AgentGrant and AgentRevoke
 * records say. With admission on, `check` refuses a record unless every
 * signer is an admin key or holds an unexpired grant and is not revoked.
 *
 * The table follows the log: every appended grant or revocation is observed
 * (`observingLog`) once durable. It survives restarts as `agents/table.json`
 * in the WAL directory (docs/SECURITY.md has the format): at open it is read,
 * and the log from its `through_offset` to the head is scanned for grants and
 * revocations; then it is saved again, and once more at a clean shutdown. A
 * missing or unreadable table is rebuilt from the whole log. A later grant of
 * the same key replaces an earlier one by log offset, whatever order the
 * appends complete in; a revocation is final.
 */
import { mkdir, readFile, rename, stat, writeFile, open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeLogPayload } from '../../shared/domain/log-payload';
import { RECORD_TYPE_BYTE, type StemeRecord } from '../../shared/domain/types';
import { AgentNotAdmittedError, SizeLimitError } from '../../shared/grpc/errors';
import type { Logger } from '../../shared/telemetry/logger';
import { withSpan } from '../../shared/telemetry/tracing';
import type { AppendBatchResult, AppendResult } from '../../shared/wal';
import { AGENT_SCAN_BYTES_MAX, AGENT_TABLE_BYTES_MAX, AGENTS_ADMITTED_MAX } from './limits';
import type { WriterLog } from './writer-log';

/** Directory of the table inside the WAL directory. */
export const AGENT_TABLE_DIR = 'agents';
export const AGENT_TABLE_FILE = 'table.json';
const TABLE_VERSION = 1;

interface Grant {
  readonly offset: number;
  readonly expiresAtMs: number | null;
}

/** One agent's state in `list()`. */
export interface AgentState {
  readonly agent: string;
  readonly state: 'granted' | 'expired' | 'revoked';
  readonly grantOffset: number | null;
  readonly expiresAtMs: number | null;
  readonly revokeOffset: number | null;
}

export interface RegistryOptions {
  /** @default Date.now */
  readonly now?: () => number;
  /** @default AGENTS_ADMITTED_MAX */
  readonly agentsMax?: number;
  /** Do not write the table (`stemedb agent list` beside a running writer). @default false */
  readonly readOnly?: boolean;
}

const GRANT = RECORD_TYPE_BYTE.agent_grant;
const REVOKE = RECORD_TYPE_BYTE.agent_revoke;

export class AgentRegistry {
  private readonly grants = new Map<string, Grant>();
  /** Revoked key (hex) → offset of its first revocation. */
  private readonly revoked = new Map<string, number>();
  private throughOffset = 0;

  private constructor(
    private readonly dir: string,
    private readonly adminKeys: ReadonlySet<string>,
    private readonly logger: Logger,
    private readonly now: () => number,
    private readonly agentsMax: number,
  ) {}

  /** Load the table beside the log and catch up with the log's head. */
  static async open(walDir: string, log: Pick<WriterLog, 'readFrom' | 'headOffset' | 'firstOffset'>, adminKeys: readonly Buffer[], logger: Logger, options: RegistryOptions = {}): Promise<AgentRegistry> {
    const { now = Date.now, agentsMax = AGENTS_ADMITTED_MAX, readOnly = false } = options;
    const r = new AgentRegistry(join(walDir, AGENT_TABLE_DIR), new Set(adminKeys.map((k) => k.toString('hex'))), logger, now, agentsMax);
    return withSpan('writer.agents.open', {}, async (span) => {
      const loaded = await r.load();
      const from = loaded ? Math.max(r.throughOffset, log.firstOffset) : log.firstOffset;
      if (!loaded) r.throughOffset = from;
      const scanned = await r.scan(log, from);
      span.setAttributes({ loaded, from_offset: from, scanned_records: scanned, agents: r.grants.size, revoked: r.revoked.size });
      logger.info('agent admission table ready', { loaded_table: loaded, scanned_from: from, scanned_records: scanned, granted: r.grants.size, revoked: r.revoked.size });
      if (!readOnly) await r.save();
      return r;
    });
  }

  /** Throws AgentNotAdmittedError unless every signer of `record` may write now. */
  check(record: StemeRecord, field: string): void {
    const nowMs = this.now();
    const base = `${field}.${record.kind}`;
    record.signatures.forEach((sig, i) => {
      const key = sig.publicKey.toString('hex');
      if (this.adminKeys.has(key)) return;
      const state = this.stateOf(key, nowMs);
      if (state !== 'granted') throw new AgentNotAdmittedError(record.kind === 'vote' ? `${base}.signature.public_key` : `${base}.signatures[${i}].public_key`, key, state === 'expired' ? 'expired' : state === 'revoked' ? 'revoked' : 'not_granted');
    });
  }

  /** Checks a grant or revocation may be appended (always on: the table is bounded and revocation final). */
  checkAdminRecord(record: StemeRecord, field: string): void {
    if (record.kind !== 'agent_grant') return;
    const key = record.agent.toString('hex');
    if (this.revoked.has(key)) throw new AgentNotAdmittedError(`${field}.agent_grant.agent`, key, 'revoked');
    if (!this.grants.has(key) && this.size() >= this.agentsMax) {
      this.dropExpired();
      if (this.size() >= this.agentsMax) throw new SizeLimitError(`${field}.agent_grant.agent`, this.size() + 1, this.agentsMax, 'agents');
    }
  }

  /** Every agent the table knows, sorted by key. */
  list(): AgentState[] {
    const nowMs = this.now();
    const keys = [...new Set([...this.grants.keys(), ...this.revoked.keys()])].sort();
    return keys.map((agent) => {
      const g = this.grants.get(agent);
      const state = this.stateOf(agent, nowMs);
      return { agent, state: state === 'not_granted' ? 'expired' : state, grantOffset: g?.offset ?? null, expiresAtMs: g?.expiresAtMs ?? null, revokeOffset: this.revoked.get(agent) ?? null };
    });
  }

  /** A durable payload at `offset`: grants and revocations update the table. */
  observe(payload: Uint8Array, offset: number, nextOffset: number): void {
    this.observeRecord(payload, offset);
    this.throughOffset = Math.max(this.throughOffset, nextOffset);
  }

  /**
   * Applies a grant or revocation; other payloads are not looked at. A grant or
   * revocation that does not decode cannot have been admitted by a writer: it
   * is logged and skipped, as ingest skips it, rather than stopping the writer.
   */
  private observeRecord(payload: Uint8Array, offset: number): boolean {
    const type = payload[0];
    if (type !== GRANT && type !== REVOKE) return false;
    try {
      this.apply(decodeLogPayload(payload).record, offset);
      return true;
    } catch (err) {
      this.logger.warn('the admission table skipped an undecodable grant or revocation', { offset, error: err instanceof Error ? err.message : String(err) });
      return false;
    }
  }

  /** Save the table (clean shutdown). */
  async close(): Promise<void> {
    await this.save();
  }

  private stateOf(key: string, nowMs: number): 'granted' | 'expired' | 'revoked' | 'not_granted' {
    if (this.revoked.has(key)) return 'revoked';
    const g = this.grants.get(key);
    if (g === undefined) return 'not_granted';
    return g.expiresAtMs !== null && nowMs >= g.expiresAtMs ? 'expired' : 'granted';
  }

  private size(): number {
    return this.grants.size + this.revoked.size;
  }

  private dropExpired(): void {
    const nowMs = this.now();
    for (const [k, g] of this.grants) if (g.expiresAtMs !== null && nowMs >= g.expiresAtMs) this.grants.delete(k);
  }

  private apply(record: StemeRecord, offset: number): void {
    if (record.kind === 'agent_grant') {
      const key = record.agent.toString('hex');
      const prev = this.grants.get(key);
      if (prev === undefined || prev.offset < offset) this.grants.set(key, { offset, expiresAtMs: record.expiresAtMs });
    } else if (record.kind === 'agent_revoke') {
      const key = record.agent.toString('hex');
      const prev = this.revoked.get(key);
      if (prev === undefined || offset < prev) this.revoked.set(key, offset);
    }
  }

  private async scan(log: Pick<WriterLog, 'readFrom' | 'headOffset'>, from: number): Promise<number> {
    let offset = from;
    let records = 0;
    while (offset < log.headOffset) {
      const batch = await log.readFrom(offset, AGENT_SCAN_BYTES_MAX);
      if (batch.length === 0) break;
      for (const r of batch) {
        if (this.observeRecord(r.payload, r.offset)) records += 1;
        offset = r.nextOffset;
      }
    }
    this.throughOffset = Math.max(this.throughOffset, offset);
    return records;
  }

  private async load(): Promise<boolean> {
    const file = join(this.dir, AGENT_TABLE_FILE);
    try {
      if ((await stat(file)).size > AGENT_TABLE_BYTES_MAX) throw new Error(`larger than ${AGENT_TABLE_BYTES_MAX} bytes`);
      const doc = JSON.parse(await readFile(file, 'utf8')) as { version?: unknown; through_offset?: unknown; grants?: unknown; revoked?: unknown };
      if (doc.version !== TABLE_VERSION || !Number.isSafeInteger(doc.through_offset) || !Array.isArray(doc.grants) || !Array.isArray(doc.revoked)) throw new Error('not a version 1 table');
      for (const g of doc.grants as Array<{ agent: string; offset: number; expires_at_ms: number | null }>) this.grants.set(checkedKey(g.agent), { offset: g.offset, expiresAtMs: g.expires_at_ms });
      for (const r of doc.revoked as Array<{ agent: string; offset: number }>) this.revoked.set(checkedKey(r.agent), r.offset);
      this.throughOffset = doc.through_offset as number;
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn('agent admission table unreadable; rebuilding it from the log', { file, error: (err as Error).message });
      this.grants.clear();
      this.revoked.clear();
      return false;
    }
  }

  private async save(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, AGENT_TABLE_FILE);
    const doc = {
      version: TABLE_VERSION,
      through_offset: this.throughOffset,
      grants: [...this.grants].map(([agent, g]) => ({ agent, offset: g.offset, expires_at_ms: g.expiresAtMs })),
      revoked: [...this.revoked].map(([agent, offset]) => ({ agent, offset })),
    };
    const tmp = `${file}.tmp`;
    await writeFile(tmp, JSON.stringify(doc));
    const fh = await openFile(tmp, 'r+');
    await fh.sync();
    await fh.close();
    await rename(tmp, file);
  }
}

function checkedKey(hex: unknown): string {
  if (typeof hex !== 'string' || !/^[0-9a-f]{64}$/.test(hex)) throw new Error(`bad agent key ${JSON.stringify(hex)}`);
  return hex;
}

/** The log with every durable append shown to the registry. */
export function observingLog(log: WriterLog, registry: AgentRegistry): WriterLog {
  return {
    async append(payload: Uint8Array): Promise<AppendResult> {
      const at = await log.append(payload);
      registry.observe(payload, at.offset, at.nextOffset);
      return at;
    },
    async appendBatch(payloads: readonly Uint8Array[]): Promise<AppendBatchResult> {
      const at = await log.appendBatch(payloads);
      payloads.forEach((p, i) => registry.observe(p, at.offsets[i]!, at.offsets[i + 1] ?? at.nextOffset));
      return at;
    },
    readFrom: (offset, bytesMax, checks) => log.readFrom(offset, bytesMax, checks),
    waitFor: (offset, signal) => log.waitFor(offset, signal),
    get headOffset() {
      return log.headOffset;
    },
    get firstOffset() {
      return log.firstOffset;
    },
    get logId() {
      return log.logId;
    },
    get retentionFloor() {
      return log.retentionFloor;
    },
    get segmentBytesMax() {
      return log.segmentBytesMax;
    },
    segments: () => log.segments(),
  };
}
