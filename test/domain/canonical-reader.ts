/**
 * An independent reader of the canonical encoding, written from docs/FORMAT.md
 * for the tests: it parses canonical bytes back into an (unsigned) record, so a
 * property can check that the writer follows the layout and loses nothing.
 */
import type { ObjectValue, StemeRecord } from '../../shared/domain/types';

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  u8(): number {
    return this.buf.readUInt8(this.pos++);
  }
  u32(): number {
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  i64(): bigint {
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return v;
  }
  u64(): bigint {
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }
  f64(): number {
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }
  raw(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw new RangeError('past the end');
    const v = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return v;
  }
  bytes(): Buffer {
    return this.raw(this.u32());
  }
  str(): string {
    return new TextDecoder('utf-8', { fatal: true }).decode(this.bytes());
  }
  opt<T>(read: () => T): T | null {
    const flag = this.u8();
    if (flag > 1) throw new Error(`bad option flag ${flag}`);
    return flag === 1 ? read() : null;
  }
  done(): boolean {
    return this.pos === this.buf.length;
  }
}

function readObject(r: Reader): ObjectValue {
  const kind = r.u8();
  switch (kind) {
    case 0:
      return { kind: 'text', value: r.str() };
    case 1:
      return { kind: 'number', value: r.f64() };
    case 2:
      return { kind: 'integer', value: r.i64() };
    case 3: {
      const b = r.u8();
      if (b > 1) throw new Error(`bad boolean ${b}`);
      return { kind: 'boolean', value: b === 1 };
    }
    case 4:
      return { kind: 'entity', value: r.str() };
    case 5:
      return { kind: 'timestamp', value: r.i64() };
    case 6:
      return { kind: 'bytes', value: r.bytes() };
    default:
      throw new Error(`bad object kind ${kind}`);
  }
}

/** Parse canonical bytes; the result has `signatures: []`. Throws on trailing bytes. */
export function readCanonical(bytes: Buffer): StemeRecord {
  const r = new Reader(bytes);
  const version = r.u8();
  if (version !== 1) throw new Error(`bad version ${version}`);
  const type = r.u8();
  let record: StemeRecord;
  switch (type) {
    case 0:
      record = {
        kind: 'assertion',
        subject: r.str(),
        predicate: r.str(),
        object: readObject(r),
        confidence: r.f64(),
        sourceHash: r.raw(32),
        visualHash: r.opt(() => r.u64()),
        parentHash: r.opt(() => r.raw(32)),
        epoch: r.opt(() => r.str()),
        assertedAtMs: Number(r.i64()),
        signatures: [],
      };
      break;
    case 1:
      record = { kind: 'vote', assertionId: r.raw(32), voter: r.raw(32), value: r.f64(), castAtMs: Number(r.i64()), signatures: [] };
      break;
    case 2:
      record = { kind: 'epoch', name: r.str(), description: r.str(), startsAtMs: Number(r.i64()), parent: r.opt(() => r.str()), signatures: [] };
      break;
    case 3:
      record = { kind: 'gold_standard', subject: r.str(), predicate: r.str(), object: readObject(r), createdAtMs: Number(r.i64()), signatures: [] };
      break;
    case 4: {
      const name = r.str();
      const createdAtMs = Number(r.i64());
      const count = r.u32();
      const entries = Array.from({ length: count }, () => ({ agent: r.raw(32), weight: r.f64() }));
      // A learned pack ends with the marker byte 0x01; any other pack ends after its entries.
      const learned = !r.done() && r.u8() === 1;
      record = { kind: 'trust_pack', name, entries, createdAtMs, ...(learned ? { learned: true } : {}), signatures: [] };
      break;
    }
    default:
      throw new Error(`bad record type ${type}`);
  }
  if (!r.done()) throw new Error('trailing bytes');
  return record;
}
