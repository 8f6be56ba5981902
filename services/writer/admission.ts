/**
 * What a record must pass before it may be appended, in order: signed at all
 * (UNAUTHENTICATED) → convert and validate (INVALID_ARGUMENT naming the field) → id → verify every signature
 * on the shared verifier's workers (UNAUTHENTICATED) → admin signature for gold
 * standards, epochs, agent grants and revocations and learned trust packs
 * (PERMISSION_DENIED) → agent admission, when on: every signer admitted
 * (PERMISSION_DENIED, `agent-registry.ts`). Then the append path (append-records.ts) tells
 * replays from new records and charges the quota of every signer new to the
 * record's id (RESOURCE_EXHAUSTED) through `charge`; a replay charges no one.
 * Signatures are verified in batches on worker threads (`SignatureVerifier`).
 * An admitted record comes out as the log payload the WAL stores: framed
 * around the request's own record bytes when they are canonical (the
 * request codec, request-records.ts, decodes each record once straight to
 * the domain, validates it and judges its bytes in the same pass), else
 * around its re-encoding — one decode and one validation per record either way.
 */
import { context, propagation } from '@opentelemetry/api';
import { SignatureError } from '../../shared/domain/errors';
import { recordFromProto } from '../../shared/domain/proto-convert';
import { frameLogPayload } from '../../shared/domain/log-payload';
import { encodeRecordBytes } from '../../shared/domain/proto-convert';
import type { RecordKind, StemeRecord } from '../../shared/domain/types';
import type { Record as PbRecord } from '../../shared/gen/stemedb/v1/records';
import { AdminSignatureRequiredError } from '../../shared/grpc/errors';
import type { AgentRegistry } from './agent-registry';
import type { AgentQuota } from './quota';
import { WireRecord } from './request-records';
import { SignatureVerifier } from '../../shared/verify/signature-verifier';

/** A record that passed every check before the quota. */
export interface Checked {
  readonly record: StemeRecord;
  /** 32-byte BLAKE3 id. */
  readonly id: Buffer;
  /** The record's canonical protobuf bytes as the request carried them, when they were (else it is re-encoded for the log). */
  readonly wire?: Buffer | undefined;
}

/** A record that passed every check, encoded for the log. */
export interface Admitted extends Checked {
  /** The WAL payload: 8-byte header + LogEntry (record, append time, traceparent). */
  readonly payload: Buffer;
}

/** Kinds only a configured admin key may sign (docs/OPERATIONS.md, `--admin-key`); learned trust packs too (checkAdmin). */
const ADMIN_KINDS: ReadonlySet<RecordKind> = new Set<RecordKind>(['gold_standard', 'epoch', 'agent_grant', 'agent_revoke']);

/** The W3C traceparent of the active context ('' when untraced), so ingest spans link to the request. */
export function activeTraceparent(): string {
  const carrier: { traceparent?: string } = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? '';
}

/**
 * An unsigned record carries no credentials at all: UNAUTHENTICATED (as a bad
 * signature is), before its fields are looked at. Everything else converts and
 * validates through the domain layer (INVALID_ARGUMENT naming the field).
 */
function convert(message: PbRecord | undefined, field: string): StemeRecord {
  // The request codec's records: decoded and validated already (or decoded again here, for the error named by `field`).
  if (message instanceof WireRecord) return message.domain(field);
  const kind = message?.kind;
  if (kind !== undefined) {
    const unsigned = kind.$case === 'vote' ? kind.value.signature === undefined : kind.value.signatures.length === 0;
    if (unsigned) throw new SignatureError(`${field}.${PROTO_KIND_NAMES[kind.$case]}.${kind.$case === 'vote' ? 'signature' : 'signatures'}`, 'the record is unsigned');
  }
  return recordFromProto(message as PbRecord, field);
}

/** The request's bytes of a converted record when they are exactly its canonical encoding. */
function canonicalWire(message: PbRecord | undefined): Buffer | undefined {
  return message instanceof WireRecord && message.canonical ? message.wire : undefined;
}

/** The proto field name of each oneof case (ts-proto uses camelCase). */
const PROTO_KIND_NAMES: Readonly<Record<NonNullable<PbRecord['kind']>['$case'], string>> = {
  assertion: 'assertion',
  vote: 'vote',
  epoch: 'epoch',
  goldStandard: 'gold_standard',
  trustPack: 'trust_pack',
  agentGrant: 'agent_grant',
  agentRevoke: 'agent_revoke',
};

export class Admission {
  private readonly adminKeys: ReadonlySet<string>;

  constructor(
    adminKeys: readonly Buffer[],
    private readonly quota: AgentQuota,
    /** @default a verifier with the default worker count (its idle workers do not keep the process alive) */
    readonly verifier: SignatureVerifier = new SignatureVerifier(),
    /** The admission table; `enforce` = admission on (grants and revocations are always checked). @default none */
    private readonly agents?: { readonly registry: AgentRegistry; readonly enforce: boolean },
  ) {
    this.adminKeys = new Set(adminKeys.map((k) => k.toString('latin1')));
  }

  /** Checks one record up to the quota (`field` names it in errors, e.g. `record`). */
  async check(message: PbRecord | undefined, field: string): Promise<Checked> {
    return this.verified(message, field);
  }

  /**
   * Checks a batch all or nothing: every record is converted first (the first
   * bad one, in order, is the error), then all signatures are verified
   * concurrently, then the admin rule.
   */
  async checkBatch(messages: readonly (PbRecord | undefined)[], field: string): Promise<Checked[]> {
    const records = messages.map((m, i) => convert(m, `${field}[${i}]`));
    const fieldOf = (i: number): string => `${field}[${i}]`;
    const ids = await this.verifier.verifyRecords(records, fieldOf);
    for (const id of ids) if (!Buffer.isBuffer(id)) throw id;
    // The admin rule for every record first, then agent admission (the first failure of the first rule wins).
    for (let i = 0; i < records.length; i++) if (this.needsAdmin(records[i]!)) this.checkAdmin(records[i]!, fieldOf(i));
    if (this.agents !== undefined) for (let i = 0; i < records.length; i++) this.checkAgents(records[i]!, fieldOf(i));
    return records.map((record, i) => ({ record, id: ids[i] as Buffer, wire: canonicalWire(messages[i]) }));
  }

  /**
   * Checks each record on its own (AppendStream's multi-record messages): the
   * result at i is record i's Checked, or the error that record alone earns
   * (INVALID_ARGUMENT, UNAUTHENTICATED or PERMISSION_DENIED naming
   * `${field}[i]`, or `field(i)`). All signatures that need verifying are verified
   * concurrently, as checkBatch does: one verification round for the message.
   */
  async checkEach(messages: readonly (PbRecord | undefined)[], field: string | ((i: number) => string)): Promise<(Checked | Error)[]> {
    const fieldOf = typeof field === 'string' ? (i: number): string => `${field}[${i}]` : field;
    const records = messages.map((m, i): StemeRecord | Error => attempt(() => convert(m, fieldOf(i))));
    const converted: StemeRecord[] = [];
    const at: number[] = []; // the request index of each converted record
    records.forEach((r, i) => {
      if (r instanceof Error) return;
      converted.push(r);
      at.push(i);
    });
    const verified = await this.verifier.verifyRecords(converted, (k) => fieldOf(at[k]!));
    let k = 0;
    return records.map((record, i) => {
      if (record instanceof Error) return record;
      const id = verified[k++]!;
      if (!Buffer.isBuffer(id)) return id;
      return attempt(() => {
        this.checkAdmin(record, fieldOf(i));
        this.checkAgents(record, fieldOf(i));
        return { record, id, wire: canonicalWire(messages[i]) };
      });
    });
  }

  /**
   * Charges one record's worth to each listed agent (raw public keys as
   * latin1; an agent listed k times pays k), all at once or not at all:
   * QuotaExceededError names the first agent short of tokens.
   */
  charge(agents: readonly string[]): void {
    if (!this.quota.enabled || agents.length === 0) return;
    const costs = new Map<string, number>();
    for (const agent of agents) costs.set(agent, (costs.get(agent) ?? 0) + 1);
    this.quota.take(costs);
  }

  /** The log payload of a checked record (validated at admission: not again here). */
  encode(checked: Checked, traceparent: string = activeTraceparent(), appendedAtMs: number = Date.now()): Admitted {
    return { ...checked, payload: this.payloadOf(checked, traceparent, appendedAtMs) };
  }

  /** The log payload alone: framed around the request's canonical bytes, or around the record's encoding. */
  payloadOf(checked: Checked, traceparent: string, appendedAtMs: number): Buffer {
    return frameLogPayload(checked.record.kind, checked.wire ?? encodeRecordBytes(checked.record), appendedAtMs, traceparent);
  }

  private async verified(message: PbRecord | undefined, field: string): Promise<Checked> {
    const record = convert(message, field);
    const id = await this.verifier.verifyRecord(record, field);
    this.checkAdmin(record, field);
    this.checkAgents(record, field);
    return { record, id, wire: canonicalWire(message) };
  }

  private checkAgents(record: StemeRecord, field: string): void {
    if (this.agents === undefined) return;
    this.agents.registry.checkAdminRecord(record, field);
    if (this.agents.enforce) this.agents.registry.check(record, field);
  }

  private needsAdmin(record: StemeRecord): boolean {
    return ADMIN_KINDS.has(record.kind) || (record.kind === 'trust_pack' && record.learned === true);
  }

  private checkAdmin(record: StemeRecord, field: string): void {
    if (!this.needsAdmin(record)) return;
    if (record.signatures.some((s) => this.adminKeys.has(s.publicKey.toString('latin1')))) return;
    const reason = this.adminKeys.size === 0 ? 'requires a signature by an admin key, and this writer has none configured (--admin-key)' : undefined;
    throw new AdminSignatureRequiredError(`${field}.${record.kind}.signatures`, reason);
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** `fn()`, or the error it threw. */
function attempt<T>(fn: () => T): T | Error {
  try {
    return fn();
  } catch (err) {
    return asError(err);
  }
}

