/**
 * Encoders and decoders of the components a key is made of. Every component is
 * self-delimiting, so a sequence of them parses back one way only:
 *
 * - fixed binary (ids, agents): exactly N bytes;
 * - offsets: u64 big-endian, so byte order is numeric order;
 * - text: UTF-8 with each 0x00 written as 0x00 0xff, then the terminator
 *   0x00 0x01. Byte order of encodings is byte order of the UTF-8, and no
 *   encoding is a prefix of another (`"a"` → 61 00 01 never prefixes
 *   `"ab"` → 61 62 00 01 nor `"a\0"` → 61 00 ff 00 01), so a text prefix scan
 *   never picks up a longer string.
 *
 * JavaScript strings holding lone surrogates are refused: UTF-8 would turn them
 * into U+FFFD and two different strings into the same bytes.
 */
import { KeyCodecError } from './errors';
import { KEY_NUMBER_BYTES } from './limits';
import { writeU64BE } from '../domain/u64';

const NUL = 0x00;
const ESCAPED_NUL = 0xff;
const TEXT_TERMINATOR = 0x01;

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** UTF-8 bytes of a well-formed string. */
export function utf8Of(value: unknown, what: string): Buffer {
  if (typeof value !== 'string') throw new KeyCodecError(`${what} must be a string, got ${typeof value}`);
  if (LONE_SURROGATE.test(value)) throw new KeyCodecError(`${what} is not well-formed Unicode (lone surrogate)`);
  return Buffer.from(value, 'utf8');
}

/** Decodes UTF-8 strictly: bytes that do not round-trip are refused. */
export function stringOf(bytes: Buffer, what: string): string {
  const value = bytes.toString('utf8');
  if (Buffer.byteLength(value, 'utf8') !== bytes.length || !Buffer.from(value, 'utf8').equals(bytes)) {
    throw new KeyCodecError(`${what} is not valid UTF-8`, bytes.toString('hex'));
  }
  return value;
}

export function encodeText(value: unknown, what: string): Buffer {
  const raw = utf8Of(value, what);
  let nuls = 0;
  for (let i = 0; i < raw.length; i++) if (raw[i] === NUL) nuls++;
  const out = Buffer.allocUnsafe(raw.length + nuls + 2);
  let o = 0;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    out[o++] = b;
    if (b === NUL) out[o++] = ESCAPED_NUL;
  }
  out[o++] = NUL;
  out[o] = TEXT_TERMINATOR;
  return out;
}

/** Decodes an escaped text starting at `pos`; returns it and the position after its terminator. */
export function decodeText(key: Buffer, pos: number, what: string): [string, number] {
  const bytes: number[] = [];
  for (let i = pos; i < key.length; i++) {
    const b = key[i]!;
    if (b !== NUL) {
      bytes.push(b);
      continue;
    }
    const next = key[i + 1];
    if (next === ESCAPED_NUL) {
      bytes.push(NUL);
      i++;
    } else if (next === TEXT_TERMINATOR) {
      return [stringOf(Buffer.from(bytes), what), i + 2];
    } else {
      throw new KeyCodecError(`${what}: 0x00 followed by ${next === undefined ? 'the end' : `0x${next.toString(16)}`}`, key.toString('hex'));
    }
  }
  throw new KeyCodecError(`${what}: unterminated text`, key.toString('hex'));
}

export function encodeFixed(value: unknown, bytes: number, what: string): Buffer {
  if (!Buffer.isBuffer(value)) throw new KeyCodecError(`${what} must be a Buffer`);
  if (value.length !== bytes) throw new KeyCodecError(`${what} must be ${bytes} bytes, got ${value.length}`);
  return value;
}

export function decodeFixed(key: Buffer, pos: number, bytes: number, what: string): [Buffer, number] {
  if (pos + bytes > key.length) throw new KeyCodecError(`${what}: needs ${bytes} bytes, ${key.length - pos} left`, key.toString('hex'));
  return [Buffer.from(key.subarray(pos, pos + bytes)), pos + bytes];
}

/** Refuses an offset that is not an integer 0..2^53-1. */
export function checkOffsetValue(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new KeyCodecError(`${what} must be an integer 0..${Number.MAX_SAFE_INTEGER}, got ${String(value)}`);
  }
}

export function encodeOffset(value: unknown, what: string): Buffer {
  checkOffsetValue(value, what);
  const b = Buffer.allocUnsafe(KEY_NUMBER_BYTES);
  writeU64BE(b, value, 0);
  return b;
}

export function decodeOffset(key: Buffer, pos: number, what: string): [number, number] {
  if (pos + KEY_NUMBER_BYTES > key.length) throw new KeyCodecError(`${what}: needs ${KEY_NUMBER_BYTES} bytes`, key.toString('hex'));
  const value = key.readBigUInt64BE(pos);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new KeyCodecError(`${what} ${value} is above 2^53-1`, key.toString('hex'));
  return [Number(value), pos + KEY_NUMBER_BYTES];
}

/** Subject bytes for a subject-prefixed key: non-empty, well-formed, no NUL. */
export function encodeSubject(value: unknown): Buffer {
  const raw = utf8Of(value, 'subject');
  if (raw.length === 0) throw new KeyCodecError('subject must not be empty');
  if (raw.includes(NUL)) throw new KeyCodecError('subject must not contain NUL (it ends the subject in a key)');
  return raw;
}
