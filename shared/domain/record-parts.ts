/**
 * The parts record-decoder.ts reads inside a record's kind: object values,
 * signatures and trust entries, each straight from the wire into its domain
 * shape (docs/FORMAT.md, "The record decoder"). Same loop as the generated
 * decoder: a tag 0 or an end-group stops the message, a field seen twice is
 * replaced (a oneof member too), unknown fields are skipped; and the same
 * canonical-spelling rules as canonical-record-wire.ts, judged on the way.
 */
import type { ObjectValue, Signature, TrustEntry } from './types';
import { WireReader } from './wire-reader';

/** The reader of one record: the wire reader plus what the last signature read said. */
export class RecordReader extends WireReader {
  /** The algorithm number of the last signature read (the domain keeps only the key and the bytes). */
  algorithm = 0;
  /** Whether the last kind read carried any signature (a vote: its `signature` field at all). */
  signed = false;
}

/** A zero-length buffer for bytes fields left out (the domain copies none). */
export const NO_BYTES: Buffer = Buffer.alloc(0);

/**
 * One field's tag read at `at`: canonical only when it was one byte and
 * came in ascending field order (a repeated field's elements together, any
 * other field once). Returns the field number, the next call's `last`.
 */
export function step(r: WireReader, at: number, tag: number, last: number, repeated: number): number {
  const number = tag >>> 3;
  if (r.canonical && (r.pos !== at + 1 || number < last || (number === last && number !== repeated))) r.canonical = false;
  return number;
}

/** Whether `tag` ends the message as the generated decoder's loop does (0, or an end-group). */
export function stops(r: WireReader, tag: number): boolean {
  if ((tag & 7) === 4 || tag === 0) {
    r.canonical = false;
    return true;
  }
  return false;
}

/** A nested message's length prefix: where it ends (not bounded by it: reads stop at the buffer's end, as generated code's do). */
export function messageEnd(r: WireReader): number {
  const len = r.length();
  return r.pos + len;
}

/** After a message's loop: canonical only when it ended exactly where its length said. */
export function ended(r: WireReader, end: number): void {
  if (r.pos !== end) r.canonical = false;
}

/** An `ObjectValue` (a oneof: the last member wins), or undefined when no member is set. */
export function objectValue(r: WireReader, end: number): ObjectValue | undefined {
  let object: ObjectValue | undefined;
  let count = 0;
  let last = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.uint32();
    last = step(r, at, tag, last, 0);
    if (count++ > 0) r.canonical = false;
    switch (tag) {
      case 10:
        object = { kind: 'text', value: r.string(false) };
        continue;
      case 17:
        object = { kind: 'number', value: r.double(false) };
        continue;
      case 24:
        r.varint64(false);
        object = { kind: 'integer', value: r.sint64() };
        continue;
      case 32:
        object = { kind: 'boolean', value: r.bool(true) };
        continue;
      case 42:
        object = { kind: 'entity', value: r.string(false) };
        continue;
      case 48:
        r.varint64(false);
        object = { kind: 'timestamp', value: r.int64() };
        continue;
      case 58:
        object = { kind: 'bytes', value: r.bytes(false) };
        continue;
    }
    if (stops(r, tag)) break;
    r.skip(tag & 7);
  }
  ended(r, end);
  return object;
}

/** A `Signature`; its algorithm number is left in `r.algorithm` (canonical only when written, as 1). */
export function signature(r: RecordReader, end: number): Signature {
  let algorithm = 0;
  let written = false;
  let publicKey = NO_BYTES;
  let bytes = NO_BYTES;
  let last = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.uint32();
    last = step(r, at, tag, last, 0);
    switch (tag) {
      case 8: {
        const first = r.buf[r.pos];
        algorithm = r.uint32() | 0;
        written = true;
        if (r.canonical && (r.pos !== at + 2 || first !== 1)) r.canonical = false;
        continue;
      }
      case 18:
        publicKey = r.bytes(true);
        continue;
      case 26:
        bytes = r.bytes(true);
        continue;
    }
    if (stops(r, tag)) break;
    r.skip(tag & 7);
  }
  ended(r, end);
  if (!written) r.canonical = false;
  r.algorithm = algorithm;
  return { publicKey, signature: bytes };
}

/** A `TrustEntry` (trust packs are never canonical: the domain re-sorts their entries). */
export function trustEntry(r: WireReader, end: number): TrustEntry {
  let agent = NO_BYTES;
  let weight = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10:
        agent = r.bytes(true);
        continue;
      case 17:
        weight = r.double(true);
        continue;
    }
    if (stops(r, tag)) break;
    r.skip(tag & 7);
  }
  return { agent, weight };
}
