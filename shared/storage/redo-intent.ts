/**
 * The redo intent: the LMDB half of a hybrid `applyBatch`, stored in RocksDB in
 * the same atomic batch as the RocksDB half, so a crash between the two commits
 * can be finished on the next open (docs/STORAGE.md, "Cursors and the redo
 * intent"). Replaying it is idempotent: its ops are absolute puts and deletes.
 *
 * Layout, all integers big-endian:
 *   [version u8 = 1][fromCursor u64][toCursor u64][opCount u32]
 *   then per op: [type u8: 1 put, 2 delete][keyLen u16][key]
 *                and for a put: [valueLen u32][value]
 */
import { StoreError } from './errors';
import type { BatchOp } from './kv-store';

export const REDO_INTENT_VERSION = 1;

const OP_PUT = 1;
const OP_DELETE = 2;
const HEADER_BYTES = 1 + 8 + 8 + 4;

export interface RedoIntent {
  /** LMDB's cursor before the batch: the intent applies only on top of it. */
  readonly fromCursor: number;
  /** The offset the batch applied the log through. */
  readonly toCursor: number;
  /** LMDB's ops, excluding its cursor key (replay writes that itself). */
  readonly ops: readonly BatchOp[];
}

export function encodeRedoIntent(intent: RedoIntent): Buffer {
  let size = HEADER_BYTES;
  for (const op of intent.ops) size += 1 + 2 + op.key.length + (op.type === 'put' ? 4 + op.value.length : 0);
  const out = Buffer.allocUnsafe(size);
  let pos = out.writeUInt8(REDO_INTENT_VERSION, 0);
  pos = out.writeBigUInt64BE(BigInt(intent.fromCursor), pos);
  pos = out.writeBigUInt64BE(BigInt(intent.toCursor), pos);
  pos = out.writeUInt32BE(intent.ops.length, pos);
  for (const op of intent.ops) {
    pos = out.writeUInt8(op.type === 'put' ? OP_PUT : OP_DELETE, pos);
    pos = out.writeUInt16BE(op.key.length, pos);
    pos += op.key.copy(out, pos);
    if (op.type === 'put') {
      pos = out.writeUInt32BE(op.value.length, pos);
      pos += op.value.copy(out, pos);
    }
  }
  return out;
}

function corrupt(reason: string): StoreError {
  return new StoreError('hybrid', 'decodeRedoIntent', reason);
}

function safeNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(`${what} ${value} is above 2^53-1`);
  return Number(value);
}

export function decodeRedoIntent(bytes: Buffer): RedoIntent {
  if (bytes.length < HEADER_BYTES) throw corrupt(`${bytes.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  if (bytes[0] !== REDO_INTENT_VERSION) throw corrupt(`unknown version ${bytes[0]}`);
  const fromCursor = safeNumber(bytes.readBigUInt64BE(1), 'fromCursor');
  const toCursor = safeNumber(bytes.readBigUInt64BE(9), 'toCursor');
  const count = bytes.readUInt32BE(17);
  const ops: BatchOp[] = [];
  let pos = HEADER_BYTES;
  const need = (n: number, what: string): void => {
    if (pos + n > bytes.length) throw corrupt(`op ${ops.length}: ${what} runs past the end`);
  };
  for (let i = 0; i < count; i++) {
    need(3, 'header');
    const type = bytes[pos]!;
    const keyLen = bytes.readUInt16BE(pos + 1);
    pos += 3;
    need(keyLen, 'key');
    const key = Buffer.from(bytes.subarray(pos, pos + keyLen));
    pos += keyLen;
    if (type === OP_DELETE) {
      ops.push({ type: 'delete', key });
    } else if (type === OP_PUT) {
      need(4, 'value length');
      const valueLen = bytes.readUInt32BE(pos);
      pos += 4;
      need(valueLen, 'value');
      ops.push({ type: 'put', key, value: Buffer.from(bytes.subarray(pos, pos + valueLen)) });
      pos += valueLen;
    } else {
      throw corrupt(`op ${i}: unknown type ${type}`);
    }
  }
  if (pos !== bytes.length) throw corrupt(`${bytes.length - pos} trailing bytes`);
  return { fromCursor, toCursor, ops };
}
