/**
 * The value of every signed record the store keeps by id or name: H
 * (assertions), GS (gold standards), TP (trust packs), E (epochs).
 *
 *   [version u8 = 1][flags u8][offset u64][supersededAt u64][coSigners u16]
 *   coSigners × ([offset u64][publicKey 32][signature 64])
 *   only when flags bit 1: [withdrawals u32] withdrawals × ([offset u64][agent 32][childId 32])
 *   protobuf `Record` bytes of the record as first seen (with its own signatures)
 *
 * `offset` is where the id was first seen; the record's own signatures count
 * from there. A later record with the same id and new signers (a
 * co-signature) appends those signers with the offset they signed at, so the
 * signer set as of any offset can be read back. Withdrawals (H only, see
 * withdrawals.ts) are one per agent: a signer of this assertion that also
 * signed an assertion naming it as parent, with that child's id and the
 * offset from which the withdrawal holds; in (offset, agent) order. `flags`
 * bit 0 says `supersededAt` holds the offset from which every signer has
 * withdrawn (H only; 0 otherwise); bit 1 says the withdrawal list follows the
 * co-signers (a record without withdrawals omits it). Numbers are big-endian.
 */
import { decodeRecordBytes, encodeRecordBytes } from '../domain/proto-convert';
import type { Signature, StemeRecord } from '../domain/types';
import { HASH_BYTES, PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from '../domain/limits';
import { GraphValueError } from './errors';
import { writeU64BE } from '../domain/u64';

const VERSION = 1;
const FLAG_SUPERSEDED = 0x01;
const FLAG_WITHDRAWALS = 0x02;
const HEADER_BYTES = 1 + 1 + 8 + 8 + 2;
const CO_SIGNER_BYTES = 8 + PUBLIC_KEY_BYTES + SIGNATURE_BYTES;
const WITHDRAWAL_BYTES = 8 + PUBLIC_KEY_BYTES + HASH_BYTES;
/** Most co-signers one value can carry (the u16 count). */
export const CO_SIGNERS_MAX = 0xffff;

/** A signer of a record and the log offset of the record that carried its signature. */
export interface SignerAt extends Signature {
  readonly offset: number;
}

/** A signed record as stored. */
/** The co-signers of a record nobody co-signed (shared: a StoredRecord's arrays are never changed in place). */
export const NO_CO_SIGNERS: readonly SignerAt[] = Object.freeze([]);

export interface StoredRecord<R extends StemeRecord = StemeRecord> {
  /** The record as first seen, with the signatures it carried then. */
  readonly record: R;
  /** Log offset where the id was first seen. */
  readonly offset: number;
  /** Signers added later by co-signatures, in log order. */
  readonly coSigners: readonly SignerAt[];
  /** Offset from which every signer has withdrawn (assertions only), or null while some signer still supports it. */
  readonly supersededAtOffset: number | null;
  /** Signers that withdrew their support (assertions only), one per agent, in (offset, agent) order. @default none */
  readonly withdrawals?: readonly Withdrawal[];
}

/** A signer's support withdrawn from an assertion by a child assertion the signer also signed. */
export interface Withdrawal {
  /** 32-byte public key of the signer that withdrew. */
  readonly agent: Buffer;
  /** Id of the child (an assertion with `parent_hash` = this id) that withdrew it. */
  readonly childId: Buffer;
  /** Offset from which it holds: the later of the agent's signature on the parent and on the child. */
  readonly offset: number;
}

/**
 * The stored value of `s`. `recordBytes`, when given, are the protobuf
 * `Record` bytes of `s.record` as the log carried them (ingest cuts them out of
 * the payload): they are kept as they are instead of re-encoding the record.
 */
export function encodeStoredRecord(s: StoredRecord, recordBytes?: Uint8Array): Buffer {
  if (s.coSigners.length > CO_SIGNERS_MAX) throw new RangeError(`at most ${CO_SIGNERS_MAX} co-signers per record`);
  const withdrawals = s.withdrawals ?? [];
  const body = recordBytes ?? encodeRecordBytes(s.record);
  const section = withdrawals.length === 0 ? 0 : 4 + withdrawals.length * WITHDRAWAL_BYTES;
  // Every byte is written below.
  const out = Buffer.allocUnsafe(HEADER_BYTES + s.coSigners.length * CO_SIGNER_BYTES + section + body.length);
  out[0] = VERSION;
  out[1] = (s.supersededAtOffset === null ? 0 : FLAG_SUPERSEDED) | (section === 0 ? 0 : FLAG_WITHDRAWALS);
  writeU64BE(out, s.offset, 2);
  writeU64BE(out, s.supersededAtOffset ?? 0, 10);
  out.writeUInt16BE(s.coSigners.length, 18);
  let pos = HEADER_BYTES;
  for (const c of s.coSigners) {
    writeU64BE(out, c.offset, pos);
    c.publicKey.copy(out, pos + 8);
    c.signature.copy(out, pos + 8 + PUBLIC_KEY_BYTES);
    pos += CO_SIGNER_BYTES;
  }
  if (section !== 0) {
    out.writeUInt32BE(withdrawals.length, pos);
    pos += 4;
    for (const w of withdrawals) {
      if (w.agent.length !== PUBLIC_KEY_BYTES || w.childId.length !== HASH_BYTES) throw new RangeError('a withdrawal names a 32-byte agent and a 32-byte child id');
      writeU64BE(out, w.offset, pos);
      w.agent.copy(out, pos + 8);
      w.childId.copy(out, pos + 8 + PUBLIC_KEY_BYTES);
      pos += WITHDRAWAL_BYTES;
    }
  }
  out.set(body, pos);
  return out;
}

/** Decodes (and validates the record of) a stored value; `tag` names it in errors. */
export function decodeStoredRecord<R extends StemeRecord = StemeRecord>(bytes: Buffer, tag: string): StoredRecord<R> {
  if (bytes.length < HEADER_BYTES) throw new GraphValueError(tag, `${bytes.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  if (bytes[0] !== VERSION) throw new GraphValueError(tag, `unknown version ${bytes[0]}`);
  const flags = bytes[1]!;
  if ((flags & ~(FLAG_SUPERSEDED | FLAG_WITHDRAWALS)) !== 0) throw new GraphValueError(tag, `unknown flags 0x${flags.toString(16)}`);
  const offset = safe(bytes.readBigUInt64BE(2), tag);
  const supersededAt = safe(bytes.readBigUInt64BE(10), tag);
  const count = bytes.readUInt16BE(18);
  const coSignersEnd = HEADER_BYTES + count * CO_SIGNER_BYTES;
  if (bytes.length < coSignersEnd) throw new GraphValueError(tag, `${count} co-signers do not fit in ${bytes.length} bytes`);
  const coSigners: SignerAt[] = [];
  for (let pos = HEADER_BYTES; pos < coSignersEnd; pos += CO_SIGNER_BYTES) {
    coSigners.push({
      offset: safe(bytes.readBigUInt64BE(pos), tag),
      publicKey: Buffer.from(bytes.subarray(pos + 8, pos + 8 + PUBLIC_KEY_BYTES)),
      signature: Buffer.from(bytes.subarray(pos + 8 + PUBLIC_KEY_BYTES, pos + CO_SIGNER_BYTES)),
    });
  }
  const { withdrawals, bodyStart } = (flags & FLAG_WITHDRAWALS) !== 0 ? decodeWithdrawals(bytes, coSignersEnd, tag) : { withdrawals: undefined, bodyStart: coSignersEnd };
  let record: StemeRecord;
  try {
    record = decodeRecordBytes(bytes.subarray(bodyStart), tag);
  } catch (err) {
    throw new GraphValueError(tag, `record body: ${err instanceof Error ? err.message : String(err)}`);
  }
  const base = { record: record as R, offset, coSigners, supersededAtOffset: (flags & FLAG_SUPERSEDED) !== 0 ? supersededAt : null };
  return withdrawals === undefined ? base : { ...base, withdrawals };
}

function decodeWithdrawals(bytes: Buffer, start: number, tag: string): { withdrawals: Withdrawal[]; bodyStart: number } {
  if (bytes.length < start + 4) throw new GraphValueError(tag, `the withdrawal count does not fit in ${bytes.length} bytes`);
  const count = bytes.readUInt32BE(start);
  const bodyStart = start + 4 + count * WITHDRAWAL_BYTES;
  if (count === 0 || bytes.length < bodyStart) throw new GraphValueError(tag, `${count} withdrawals do not fit in ${bytes.length} bytes (or none with the flag set)`);
  const withdrawals: Withdrawal[] = [];
  for (let pos = start + 4; pos < bodyStart; pos += WITHDRAWAL_BYTES) {
    withdrawals.push({
      offset: safe(bytes.readBigUInt64BE(pos), tag),
      agent: Buffer.from(bytes.subarray(pos + 8, pos + 8 + PUBLIC_KEY_BYTES)),
      childId: Buffer.from(bytes.subarray(pos + 8 + PUBLIC_KEY_BYTES, pos + WITHDRAWAL_BYTES)),
    });
  }
  return { withdrawals, bodyStart };
}

/** Every signer, the record's own first (at its offset), then co-signers in log order; only those before `asOfOffset` when given. */
export function signersOf(s: StoredRecord, asOfOffset?: number): SignerAt[] {
  const own = s.record.signatures.map((sig) => ({ publicKey: sig.publicKey, signature: sig.signature, offset: s.offset }));
  // The record's own signatures all carry its offset: without co-signers, no copy to make or filter to run.
  if (s.coSigners.length === 0) return asOfOffset === undefined || s.offset < asOfOffset ? own : [];
  const all = [...own, ...s.coSigners];
  return asOfOffset === undefined ? all : all.filter((x) => x.offset < asOfOffset);
}

/** The record with every signature merged in (as of `asOfOffset` when given). May hold more than SIGNATURES_MAX. */
export function mergedRecord<R extends StemeRecord>(s: StoredRecord<R>, asOfOffset?: number): R {
  // Now, without co-signers, the merged record is the record as first seen (its own signatures).
  if (asOfOffset === undefined && s.coSigners.length === 0) return s.record;
  return { ...s.record, signatures: signersOf(s, asOfOffset).map((x) => ({ publicKey: x.publicKey, signature: x.signature })) };
}

/** The stored record with the signatures of `record` it lacks added at `offset`; null when it adds nobody. */
export function withCoSigners<R extends StemeRecord>(s: StoredRecord<R>, record: StemeRecord, offset: number): { stored: StoredRecord<R>; added: SignerAt[] } | null {
  const have = new Set(signersOf(s).map((x) => x.publicKey.toString('hex')));
  const added: SignerAt[] = [];
  for (const sig of record.signatures) {
    const hex = sig.publicKey.toString('hex');
    if (have.has(hex)) continue;
    have.add(hex);
    added.push({ publicKey: sig.publicKey, signature: sig.signature, offset });
  }
  if (added.length === 0) return null;
  return { stored: { ...s, coSigners: [...s.coSigners, ...added] }, added };
}

function safe(value: bigint, tag: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new GraphValueError(tag, `offset ${value} is above 2^53-1`);
  return Number(value);
}
