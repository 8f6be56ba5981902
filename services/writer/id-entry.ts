/**
 * One entry of the writer's id index (id-index.ts; docs/WAL.md, "The id
 * index"): where an id was first seen in the log and every key that has
 * signed it, and the entry's byte encoding.
 */

/** Where an id was first seen and who has signed it in the log. */
export interface IdEntry {
  readonly offset: number;
  readonly nextOffset: number;
  /** Raw 32-byte public keys as latin1 strings. */
  readonly signers: ReadonlySet<string>;
}

export const ID_ENTRY_VERSION = 1;
const ENTRY_HEADER_BYTES = 1 + 8 + 8 + 2;
const KEY_BYTES = 32;

/** An id index entry or its meta value is not what this module writes. */
export class IdIndexError extends Error {
  override readonly name = 'IdIndexError';
  constructor(
    readonly dir: string,
    readonly reason: string,
  ) {
    super(`id index ${dir}: ${reason}`);
  }
}

/** `[version u8 = 1][offset u64][nextOffset u64][n u16][n × 32-byte public key]`, integers big-endian. */
export function encodeIdEntry(entry: IdEntry): Buffer {
  const out = Buffer.alloc(ENTRY_HEADER_BYTES + KEY_BYTES * entry.signers.size);
  out.writeUInt8(ID_ENTRY_VERSION, 0);
  out.writeBigUInt64BE(BigInt(entry.offset), 1);
  out.writeBigUInt64BE(BigInt(entry.nextOffset), 9);
  out.writeUInt16BE(entry.signers.size, 17);
  let at = ENTRY_HEADER_BYTES;
  for (const s of entry.signers) at += out.write(s, at, 'latin1');
  return out;
}

export function decodeIdEntry(bytes: Buffer, dir = ''): IdEntry {
  if (bytes.length < ENTRY_HEADER_BYTES || bytes[0] !== ID_ENTRY_VERSION) throw new IdIndexError(dir, `entry of ${bytes.length} bytes with version ${bytes[0]} is not a version ${ID_ENTRY_VERSION} entry`);
  const n = bytes.readUInt16BE(17);
  if (bytes.length !== ENTRY_HEADER_BYTES + KEY_BYTES * n) throw new IdIndexError(dir, `entry claims ${n} signers but has ${bytes.length} bytes`);
  const signers = new Set<string>();
  for (let i = 0; i < n; i++) signers.add(bytes.toString('latin1', ENTRY_HEADER_BYTES + KEY_BYTES * i, ENTRY_HEADER_BYTES + KEY_BYTES * (i + 1)));
  return { offset: Number(bytes.readBigUInt64BE(1)), nextOffset: Number(bytes.readBigUInt64BE(9)), signers };
}
