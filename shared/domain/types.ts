/**
 * Domain types: what every layer above the protocol edge works on.
 *
 * Converters in `proto-convert.ts` turn protobuf messages into these (validating
 * as they go) and back. Byte fields are `Buffer`s of fixed, validated lengths.
 * Record timestamps are `number`s of milliseconds: validation bounds them to
 * 2000..2100, far inside the safe-integer range. Full 64-bit values (integer and
 * timestamp objects, visual hashes) are `bigint`s.
 */

/** A typed object value. Exactly one kind. */
export type ObjectValue =
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'integer'; readonly value: bigint }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'entity'; readonly value: string }
  /** Milliseconds since the Unix epoch, UTC. */
  | { readonly kind: 'timestamp'; readonly value: bigint }
  | { readonly kind: 'bytes'; readonly value: Buffer };

export type ObjectKind = ObjectValue['kind'];

/** An Ed25519 signature. The signer's public key is the agent id. */
export interface Signature {
  /** 32 bytes. */
  readonly publicKey: Buffer;
  /** 64 bytes. */
  readonly signature: Buffer;
}

export interface Assertion {
  readonly kind: 'assertion';
  readonly subject: string;
  readonly predicate: string;
  readonly object: ObjectValue;
  /** Finite, 0..1. */
  readonly confidence: number;
  /** 32 bytes. */
  readonly sourceHash: Buffer;
  /** 64-bit perceptual hash, or null. */
  readonly visualHash: bigint | null;
  /** 32-byte id of the superseded assertion, or null. */
  readonly parentHash: Buffer | null;
  /** Epoch name, or null. */
  readonly epoch: string | null;
  readonly assertedAtMs: number;
  /** 1..MAX_SIGNATURES, distinct public keys. Not part of the id. */
  readonly signatures: readonly Signature[];
}

export interface Vote {
  readonly kind: 'vote';
  /** 32 bytes. */
  readonly assertionId: Buffer;
  /** 32-byte public key; equals signatures[0].publicKey. */
  readonly voter: Buffer;
  /** Finite, -1..1. */
  readonly value: number;
  readonly castAtMs: number;
  /** Exactly one: the voter's. */
  readonly signatures: readonly Signature[];
}

export interface Epoch {
  readonly kind: 'epoch';
  readonly name: string;
  readonly description: string;
  readonly startsAtMs: number;
  readonly parent: string | null;
  readonly signatures: readonly Signature[];
}

export interface GoldStandard {
  readonly kind: 'gold_standard';
  readonly subject: string;
  readonly predicate: string;
  readonly object: ObjectValue;
  readonly createdAtMs: number;
  readonly signatures: readonly Signature[];
}

export interface TrustEntry {
  /** 32-byte public key. */
  readonly agent: Buffer;
  /** Finite, 0..1. */
  readonly weight: number;
}

export interface TrustPack {
  readonly kind: 'trust_pack';
  readonly name: string;
  /** Distinct agents, sorted by agent bytes (canonical order). */
  readonly entries: readonly TrustEntry[];
  readonly createdAtMs: number;
  /**
   * Published by the truth-discovery job (`stemedb trust learn`): the writer
   * admits it only with an admin signature, and Authority uses the newest one
   * when a query names no pack. Absent = false; encoded only when true.
   */
  readonly learned?: boolean;
  readonly signatures: readonly Signature[];
}

/** Admits `agent` to write while the writer runs with admission on (admin-signed). */
export interface AgentGrant {
  readonly kind: 'agent_grant';
  /** 32-byte public key. */
  readonly agent: Buffer;
  readonly grantedAtMs: number;
  /** End of the grant (exclusive), after `grantedAtMs`; null = no end. */
  readonly expiresAtMs: number | null;
  readonly signatures: readonly Signature[];
}

/** Revokes `agent` for good (admin-signed): later records refused, no Authority weight from its offset on. */
export interface AgentRevoke {
  readonly kind: 'agent_revoke';
  /** 32-byte public key. */
  readonly agent: Buffer;
  /** 0..REVOKE_REASON_BYTES_MAX bytes of UTF-8. */
  readonly reason: string;
  readonly revokedAtMs: number;
  readonly signatures: readonly Signature[];
}

export type StemeRecord = Assertion | Vote | Epoch | GoldStandard | TrustPack | AgentGrant | AgentRevoke;
export type RecordKind = StemeRecord['kind'];

/** The one-byte record type of a log payload (docs/FORMAT.md). */
export const RECORD_TYPE_BYTE: Readonly<Record<RecordKind, number>> = {
  assertion: 0,
  vote: 1,
  epoch: 2,
  gold_standard: 3,
  trust_pack: 4,
  agent_grant: 5,
  agent_revoke: 6,
};

/** A record as the log carries it. */
export interface LogEntry {
  readonly record: StemeRecord;
  /** When the writer appended it, ms since the Unix epoch. */
  readonly appendedAtMs: number;
  /** W3C traceparent of the writing request, or '' when untraced. */
  readonly traceparent: string;
}
