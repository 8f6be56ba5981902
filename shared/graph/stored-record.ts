/**
 * The value of every signed record the store keeps by id or name: H
 * (assertions), GS (gold standards), TP (trust packs), E (epochs).
 *
 *   [version u8 = 1][flags u8][offset u64][supersededAt u64][coSigners u16]
 *   coSigners × ([offset u64][publicKey 32][signature 64])
 *   protobuf `Record` bytes of the record as first seen (with its own signatures)
 *
 * `offset` is where the id was first seen; the record's own signatures count
 * from there. A later record with the same id and new signers (a
 * co-signature) appends those signers with the offset they signed at, so the
 * signer set as of any offset can be read back. `flags` bit 0 says
 * `supersededAt` holds the offset of the first record that made this
 * assertion superseded (H only; 0 otherwise). Numbers are big-endian.
 */
import { decodeRecordBytes, encodeRecordBytes } from '../domain/proto-convert';
import type { Signature, StemeRecord } from '../domain/types';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from '../domain/limits';
import { GraphValueError } from './errors';

const VERSION = 1;
const FLAG_SUPERSEDED = 0x01;
const HEADER_BYTES = 1 + 1 + 8 + 8 + 2;
const CO_SIGNER_BYTES = 8 + PUBLIC_KEY_BYTES + SIGNATURE_BYTES;
/** Most co-signers one value can carry (the u16 count). */
export const CO_SIGNERS_MAX = 0xffff;

/** A signer of a record and the log offset of the record that carried its signature. */
export interface SignerAt extends Signature {
  readonly offset: number;
}

/** A signed record as stored. */
export interface StoredRecord<R extends StemeRecord = StemeRecord> {
  /** The record as first seen, with the signatures it carried then. */
  readonly record: R;
  /** Log offset where the id was first seen. */
  readonly offset: number;
  /** Signers added later by co-signatures, in log order. */
  readonly coSigners: readonly SignerAt[];
  /** Offset of the first record that superseded it (assertions only), or null. */
  readonly supersededAtOffset: number | null;
}

export function encodeStoredRecord(s: StoredRecord): Buffer {
  if (s.coSigners.length > CO_SIGNERS_MAX) throw new RangeError(`at most ${CO_SIGNERS_MAX} co-signers per record`);
  const body = encodeRecordBytes(s.record);
  const out = Buffer.alloc(HEADER_BYTES + s.coSigners.length * CO_SIGNER_BYTES + body.length);
  out[0] = VERSION;
  out[1] = s.supersededAtOffset === null ? 0 : FLAG_SUPERSEDED;
  out.writeBigUInt64BE(BigInt(s.offset), 2);
  out.writeBigUInt64BE(BigInt(s.supersededAtOffset ?? 0), 10);
  out.writeUInt16BE(s.coSigners.length, 18);
  let pos = HEADER_BYTES;
  for (const c of s.coSigners) {
    out.writeBigUInt64BE(BigInt(c.offset), pos);
    c.publicKey.copy(out, pos + 8);
    c.signature.copy(out, pos + 8 + PUBLIC_KEY_BYTES);
    pos += CO_SIGNER_BYTES;
  }
  body.copy(out, pos);
  return out;
}

/** Decodes (and validates the record of) a stored value; `tag` names it in errors. */
export function decodeStoredRecord<R extends StemeRecord = StemeRecord>(bytes: Buffer, tag: string): StoredRecord<R> {
  if (bytes.length < HEADER_BYTES) throw new GraphValueError(tag, `${bytes.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  if (bytes[0] !== VERSION) throw new GraphValueError(tag, `unknown version ${bytes[0]}`);
  const flags = bytes[1]!;
  if ((flags & ~FLAG_SUPERSEDED) !== 0) throw new GraphValueError(tag, `unknown flags 0x${flags.toString(16)}`);
  const offset = safe(bytes.readBigUInt64BE(2), tag);
  const supersededAt = safe(bytes.readBigUInt64BE(10), tag);
  const count = bytes.readUInt16BE(18);
  const bodyStart = HEADER_BYTES + count * CO_SIGNER_BYTES;
  if (bytes.length < bodyStart) throw new GraphValueError(tag, `${count} co-signers do not fit in ${bytes.length} bytes`);
  const coSigners: SignerAt[] = [];
  for (let pos = HEADER_BYTES; pos < bodyStart; pos += CO_SIGNER_BYTES) {
    coSigners.push({
      offset: safe(bytes.readBigUInt64BE(pos), tag),
      publicKey: Buffer.from(bytes.subarray(pos + 8, pos + 8 + PUBLIC_KEY_BYTES)),
      signature: Buffer.from(bytes.subarray(pos + 8 + PUBLIC_KEY_BYTES, pos + CO_SIGNER_BYTES)),
    });
  }
  let record: StemeRecord;
  try {
    record = decodeRecordBytes(bytes.subarray(bodyStart), tag);
  } catch (err) {
    throw new GraphValueError(tag, `record body: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { record: record as R, offset, coSigners, supersededAtOffset: (flags & FLAG_SUPERSEDED) !== 0 ? supersededAt : null };
}

/** Every signer, the record's own first (at its offset), then co-signers in log order; only those before `asOfOffset` when given. */
export function signersOf(s: StoredRecord, asOfOffset?: number): SignerAt[] {
  const own = s.record.signatures.map((sig) => ({ publicKey: sig.publicKey, signature: sig.signature, offset: s.offset }));
  const all = [...own, ...s.coSigners];
  return asOfOffset === undefined ? all : all.filter((x) => x.offset < asOfOffset);
}

/** The record with every signature merged in (as of `asOfOffset` when given). May hold more than SIGNATURES_MAX. */
export function mergedRecord<R extends StemeRecord>(s: StoredRecord<R>, asOfOffset?: number): R {
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
