/**
 * The bytes of a snapshot data file (docs/SNAPSHOTS.md, "Data files"):
 *
 *   header  16 bytes: magic "STEMESNP" | version u16 BE | backend u8 (1 RocksDB, 2 LMDB) | 0 u8 | sequence u32 BE
 *   entries [keyLen u16 BE][key][valueLen u32 BE][value] ..., keys strictly ascending
 *
 * Keys and values are the store's bytes, copied and never decoded, so the
 * format does not change when a value encoding does.
 */
import { KEY_BYTES_MAX } from '../storage/limits';
import { SNAPSHOT_FORMAT_VERSION, SNAPSHOT_VALUE_BYTES_MAX } from './limits';

export const SNAPSHOT_FILE_MAGIC = Buffer.from('STEMESNP', 'ascii');
export const FILE_HEADER_BYTES = 16;
/** keyLen u16 + valueLen u32. */
export const ENTRY_OVERHEAD_BYTES = 6;

export type SnapshotBackend = 'rocksdb' | 'lmdb';
const BACKEND_BYTE: Record<SnapshotBackend, number> = { rocksdb: 1, lmdb: 2 };

/** `rocksdb-000000.kv`: the backend, then the file's sequence number within it. */
export const DATA_FILE_PATTERN = /^(rocksdb|lmdb)-(\d{6})\.kv$/;
export const MANIFEST_FILE = 'MANIFEST.json';

export function dataFileName(backend: SnapshotBackend, sequence: number): string {
  return `${backend}-${String(sequence).padStart(6, '0')}.kv`;
}

export function encodeFileHeader(backend: SnapshotBackend, sequence: number): Buffer {
  const b = Buffer.alloc(FILE_HEADER_BYTES);
  SNAPSHOT_FILE_MAGIC.copy(b, 0);
  b.writeUInt16BE(SNAPSHOT_FORMAT_VERSION, 8);
  b.writeUInt8(BACKEND_BYTE[backend], 10);
  b.writeUInt32BE(sequence, 12);
  return b;
}

export interface FileHeader {
  readonly version: number;
  readonly backend: SnapshotBackend | undefined;
  readonly sequence: number;
}

/** The header's fields, or a reason it is not one. Version is returned as found (the caller refuses a newer one). */
export function decodeFileHeader(b: Buffer): FileHeader | string {
  if (b.length < FILE_HEADER_BYTES) return `${b.length} bytes, shorter than the ${FILE_HEADER_BYTES}-byte header`;
  if (!b.subarray(0, 8).equals(SNAPSHOT_FILE_MAGIC)) return 'bad magic (not a snapshot data file)';
  if (b[11] !== 0) return 'reserved header byte is not 0';
  const code = b[10];
  const backend = (Object.keys(BACKEND_BYTE) as SnapshotBackend[]).find((k) => BACKEND_BYTE[k] === code);
  return { version: b.readUInt16BE(8), backend, sequence: b.readUInt32BE(12) };
}

export function encodeEntry(key: Buffer, value: Buffer): Buffer {
  const b = Buffer.allocUnsafe(ENTRY_OVERHEAD_BYTES + key.length + value.length);
  b.writeUInt16BE(key.length, 0);
  key.copy(b, 2);
  b.writeUInt32BE(value.length, 2 + key.length);
  value.copy(b, ENTRY_OVERHEAD_BYTES + key.length);
  return b;
}

/**
 * Splits a data file's entry bytes, fed in arbitrary pieces, into entries.
 * Throws a plain Error with the reason (the caller names the file) on a
 * length out of bounds; `finish` throws on a partial entry at the end.
 */
export class EntryParser {
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes consumed so far (entries only), for error positions. */
  position = 0;

  *push(piece: Buffer): Generator<[Buffer, Buffer]> {
    let buf = this.pending.length === 0 ? piece : Buffer.concat([this.pending, piece]);
    let at = 0;
    for (;;) {
      if (buf.length - at < 2) break;
      const keyLen = buf.readUInt16BE(at);
      if (keyLen === 0 || keyLen > KEY_BYTES_MAX) throw new Error(`entry at byte ${this.position}: key length ${keyLen} is outside 1..${KEY_BYTES_MAX}`);
      if (buf.length - at < 2 + keyLen + 4) break;
      const valueLen = buf.readUInt32BE(at + 2 + keyLen);
      if (valueLen > SNAPSHOT_VALUE_BYTES_MAX) throw new Error(`entry at byte ${this.position}: value length ${valueLen} is past SNAPSHOT_VALUE_BYTES_MAX (${SNAPSHOT_VALUE_BYTES_MAX})`);
      const size = ENTRY_OVERHEAD_BYTES + keyLen + valueLen;
      if (buf.length - at < size) break;
      const key = Buffer.from(buf.subarray(at + 2, at + 2 + keyLen));
      const value = Buffer.from(buf.subarray(at + 6 + keyLen, at + size));
      at += size;
      this.position += size;
      yield [key, value];
    }
    this.pending = at === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(at));
    buf = Buffer.alloc(0);
  }

  finish(): void {
    if (this.pending.length > 0) throw new Error(`${this.pending.length} bytes at the end are not a whole entry`);
  }
}
