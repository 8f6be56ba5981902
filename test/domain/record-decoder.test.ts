/**
 * The one-pass record decoder (record-decoder.ts) against the two-step path it
 * replaces — `recordFromProto(pb.Record.decode(bytes))` plus
 * canonical-record-wire.ts — on random valid records of every kind and on
 * every way of breaking or respelling their bytes: the same record (deep
 * equal) with the same canonical flag, or the same error class naming the same
 * field with the same words.
 */
import fc from 'fast-check';
import { isCanonicalRecordWire } from '../../shared/domain/canonical-record-wire';
import { DecodeError, SignatureError, ValidationError } from '../../shared/domain/errors';
import { encodeRecordBytes, recordFromProto } from '../../shared/domain/proto-convert';
import { decodeRecord } from '../../shared/domain/record-decoder';
import type { StemeRecord } from '../../shared/domain/types';
import * as pb from '../../shared/gen/stemedb/v1/records';
import { editKind, fieldBytes, fieldsOf, join, longer, varint, type WireField } from '../writer/wire-spelling';
import { anyRecord, publicKey, recordTimestamp, signatures } from './arbitraries';

type Outcome = { ok: true; record: StemeRecord; canonical: boolean } | { ok: false; error: string; field: string | undefined; message: string };

function failed(err: unknown): Outcome {
  if (!(err instanceof Error)) throw err;
  const field = err instanceof ValidationError || err instanceof SignatureError || err instanceof DecodeError ? err.field : undefined;
  // A wire failure's words are the reader's own (premature EOF, invalid UTF-8...): class and field must agree.
  const message = err instanceof DecodeError ? 'wire' : err.message;
  return { ok: false, error: err.name, field, message };
}

/** What the writer's admission did before: unsigned first (UNAUTHENTICATED), then convert and validate. */
function reference(bytes: Uint8Array, refuseUnsigned: boolean): Outcome {
  let message: pb.Record;
  try {
    message = pb.Record.decode(bytes);
  } catch (err) {
    return failed(new DecodeError(`not a valid protobuf Record: ${String(err)}`, 'record', err));
  }
  try {
    const kind = message.kind;
    if (refuseUnsigned && kind !== undefined) {
      const unsigned = kind.$case === 'vote' ? kind.value.signature === undefined : kind.value.signatures.length === 0;
      const names: Record<string, string> = { goldStandard: 'gold_standard', trustPack: 'trust_pack', agentGrant: 'agent_grant', agentRevoke: 'agent_revoke' };
      if (unsigned) throw new SignatureError(`record.${names[kind.$case] ?? kind.$case}.${kind.$case === 'vote' ? 'signature' : 'signatures'}`, 'the record is unsigned');
    }
    const record = recordFromProto(message, 'record');
    return { ok: true, record, canonical: isCanonicalRecordWire(bytes) };
  } catch (err) {
    return failed(err);
  }
}

function decoded(bytes: Uint8Array, refuseUnsigned: boolean): Outcome {
  try {
    const { record, canonical } = decodeRecord(bytes, 'record', refuseUnsigned);
    return { ok: true, record, canonical };
  } catch (err) {
    return failed(err);
  }
}

function same(bytes: Uint8Array): void {
  for (const refuseUnsigned of [false, true]) {
    const want = reference(bytes, refuseUnsigned);
    const got = decoded(bytes, refuseUnsigned);
    const [g, w] = [JSON.stringify(sortable(got)), JSON.stringify(sortable(want))];
    if (g !== w) expect(`${Buffer.from(bytes).toString('hex')} ${String(refuseUnsigned)} ${g}`).toBe(`${Buffer.from(bytes).toString('hex')} ${String(refuseUnsigned)} ${w}`);
    if (got.ok && want.ok) expect(got.record).toEqual(want.record);
  }
}

/** An outcome as comparable JSON: bigints and buffers spelled out, -0 kept apart from 0. */
function sortable(o: Outcome): unknown {
  return JSON.parse(
    JSON.stringify(o, (_k, v: unknown) => {
      if (typeof v === 'bigint') return `${v}n`;
      if (typeof v === 'number' && Object.is(v, -0)) return '-0';
      if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
      if (v !== null && typeof v === 'object' && (v as { type?: string }).type === 'Buffer') return Buffer.from((v as { data: number[] }).data).toString('hex');
      return v;
    }),
  );
}

const agentGrant = fc.record({ agent: publicKey, grantedAtMs: recordTimestamp, expiresAtMs: fc.option(recordTimestamp, { nil: null }), signatures: signatures() }).map((g): StemeRecord => ({ kind: 'agent_grant', ...g }));
const agentRevoke = fc.record({ agent: publicKey, reason: fc.string({ maxLength: 20 }), revokedAtMs: recordTimestamp, signatures: signatures() }).map((g): StemeRecord => ({ kind: 'agent_revoke', ...g }));
const record = fc.oneof(anyRecord, agentGrant, agentRevoke);
const recordBytes = record.map((r) => encodeRecordBytes(r));

/** Every field of a message, recursively: where in the bytes a respelling can go. */
function respell(bytes: Buffer, pick: (n: number) => number, how: number): Buffer {
  let fields: WireField[];
  try {
    fields = fieldsOf(bytes);
  } catch {
    return bytes;
  }
  if (fields.length === 0) return bytes;
  const i = pick(fields.length);
  const f = fields[i]!;
  const deeper = f.wire === 2 && f.value.length > 0 && how % 2 === 0 && pick(3) > 0;
  if (deeper) fields[i] = { ...f, value: respell(f.value, pick, Math.floor(how / 2)) };
  else {
    switch (how % 9) {
      case 0: // the field written twice (the last wins) or a repeated element again
        fields.splice(i, 0, f);
        break;
      case 1: // out of order
        fields.push(fields.splice(i, 1)[0]!);
        break;
      case 2: // an unknown field
        fields.splice(i, 0, { number: 15 + pick(5), wire: [0, 1, 2, 5][pick(4)]!, value: [varint(7), Buffer.alloc(8, 1), Buffer.from('zz'), Buffer.alloc(4)][pick(4)]! });
        break;
      case 3: // a longer varint value
        if (f.wire === 0) fields[i] = { ...f, value: longer(f.value) };
        break;
      case 4: // a longer length
        return Buffer.concat(fields.map((g, k) => (k === i && g.wire === 2 ? fieldBytes(g, (n) => longer(varint(n))) : fieldBytes(g))));
      case 5: // a zero value spelled out
        fields.splice(i, 0, { number: f.number, wire: f.wire, value: f.wire === 0 ? varint(0) : f.wire === 1 ? Buffer.alloc(8) : f.wire === 5 ? Buffer.alloc(4) : Buffer.alloc(0) });
        break;
      case 6: // a special double: NaN, -0, infinity
        if (f.wire === 1) fields[i] = { ...f, value: [Buffer.from([0, 0, 0, 0, 0, 0, 0xf8, 0x7f]), Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x80]), Buffer.from([0, 0, 0, 0, 0, 0, 0xf0, 0x7f])][pick(3)]! };
        break;
      case 7: // a varint of 2, or 10 bytes, or past 64 bits
        if (f.wire === 0) fields[i] = { ...f, value: [varint(2), Buffer.from([0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])][pick(4)]! };
        break;
      default: // dropped
        fields.splice(i, 1);
    }
  }
  return join(fields);
}

/** Bytes broken at random: a byte changed, cut short, bytes inserted or removed. */
function mangle(bytes: Buffer, at: number, byte: number, how: number): Buffer {
  const i = bytes.length === 0 ? 0 : at % bytes.length;
  switch (how % 5) {
    case 0: {
      const out = Buffer.from(bytes);
      if (out.length > 0) out[i] = byte;
      return out;
    }
    case 1:
      return bytes.subarray(0, i);
    case 2:
      return Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]);
    case 3:
      return Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1 + (byte % 4))]);
    default: {
      const out = Buffer.from(bytes);
      if (out.length > 0) out[i] = out[i]! ^ (1 << (byte % 8));
      return out;
    }
  }
}

/** Thousands of records through both decoders: generous under a loaded machine. */
const PROPERTY_TIMEOUT_MS = 120_000;

describe('decodeRecord agrees with recordFromProto(Record.decode(b)) and canonical-record-wire.ts', () => {
  it('on valid records of every kind (all canonical but trust packs)', () => {
    fc.assert(
      fc.property(recordBytes, (bytes) => same(bytes)),
      { numRuns: 400 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('on respelled records: unknown fields, long varints and lengths, order, repeats, zeros, NaN, -0, bool 2, oneof twice', () => {
    fc.assert(
      fc.property(recordBytes, fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 3 }), fc.infiniteStream(fc.nat()), (bytes, edits, rand) => {
        const it = rand[Symbol.iterator]();
        const pick = (n: number): number => it.next().value % n;
        let out = bytes;
        for (const [how] of edits) out = respell(out, pick, how);
        same(out);
      }),
      { numRuns: 1500 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('on broken bytes: changed, cut short, inserted into, shortened, bit flips; and on garbage', () => {
    fc.assert(
      fc.property(recordBytes, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(), (bytes, at, byte, how) => same(mangle(bytes, at, byte, how))),
      { numRuns: 2000 },
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => same(bytes)), { numRuns: 2000 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 7 }), fc.uint8Array({ maxLength: 12 })), { maxLength: 6 }), (parts) =>
        same(Buffer.concat(parts.map(([n, w, v]) => Buffer.concat([varint(n * 8 + w), w === 2 ? varint(v.length) : Buffer.alloc(0), Buffer.from(v)])))),
      ),
      { numRuns: 2000 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('on two records in one (the last kind wins), a kind field split in two, and a record inside garbage', () => {
    fc.assert(
      fc.property(recordBytes, recordBytes, (a, b) => {
        same(Buffer.concat([a, b]));
        const [ka] = fieldsOf(a);
        if (ka !== undefined && ka.value.length > 2) {
          const cut = Math.floor(ka.value.length / 2);
          same(join([{ ...ka, value: ka.value.subarray(0, cut) }, { ...ka, value: ka.value.subarray(cut) }]));
        }
      }),
      { numRuns: 300 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('on the edge cases by name', () => {
    const cases = [
      '', // no kind
      '0a00', // an empty assertion
      '0a0100', // a tag 0 inside the assertion: the rest is read as the record's
      '0a021a00', // an assertion with an empty object
      '0a03' + '0c' + '0000', // an end-group inside the assertion
      '0b0c', // a group at the record level
      '0a05' + 'ff'.repeat(5), // a varint past the buffer
      '0a0a' + '4a' + 'ff'.repeat(9) + '7f', // asserted_at_ms negative in 10 bytes
      '12020a', // a vote whose field overruns
      '0a0232', // a 6-byte-tag... truncated length
      '0a021a0a0a08ffffffffffffffff', // invalid UTF-8 text object
      '0a04' + '1a0208' + '01', // object field of the wrong wire type
      '07', // wire type 7
      '0f', // wire type 7, field 1
      '03f3080800840174', // a group in a group whose end tag names another field
      '03f3080800f4087401', // a group in a group whose end tag names its own field, then the outer group's
    ];
    for (const hex of cases) same(Buffer.from(hex, 'hex'));
    // A number object of -0 and NaN, a bool object of 2, a signature algorithm of 0 and of 2: each decodes, none canonical.
    const signed = { kind: 'assertion', subject: 's', predicate: 'p', confidence: 0.5, sourceHash: Buffer.alloc(32, 1), visualHash: null, parentHash: null, epoch: null, assertedAtMs: 1_700_000_000_000, signatures: [{ publicKey: Buffer.alloc(32, 0x22), signature: Buffer.alloc(64, 3) }] } as const;
    const withObject = (object: Buffer): Buffer => editKind(encodeRecordBytes({ ...signed, object: { kind: 'number', value: 1 } }), (fs) => fs.map((f) => (f.number === 3 ? { ...f, value: object } : f)));
    for (const object of ['110000000000000080', '11000000000000f87f', '2002', '2001']) same(withObject(Buffer.from(object, 'hex')));
    const withAlgorithm = (alg: number): Buffer => editKind(encodeRecordBytes({ ...signed, object: { kind: 'boolean', value: true } }), (fs) => fs.map((f) => (f.number === 10 ? { ...f, value: join(fieldsOf(f.value).map((g) => (g.number === 1 ? { ...g, value: varint(alg) } : g))) } : f)));
    for (const alg of [0, 1, 2]) same(withAlgorithm(alg));
  });

  it('on the worked example of docs/FORMAT.md ("The record decoder")', () => {
    const key = '22'.repeat(32);
    const sig = '33'.repeat(64);
    const body = (at: string, alg: string): string => `0a20${'11'.repeat(32)}12046c656674${at}22${alg === '' ? '64' : '66'}${alg}1220${key}1a40${sig}`;
    const canonical = Buffer.from(`3a9701${body('1880d095ffbc31', '0801')}`, 'hex');
    expect(canonical.length).toBe(154);
    const want: StemeRecord = { kind: 'agent_revoke', agent: Buffer.alloc(32, 0x11), reason: 'left', revokedAtMs: 1_700_000_000_000, signatures: [{ publicKey: Buffer.alloc(32, 0x22), signature: Buffer.alloc(64, 0x33) }] };
    expect(encodeRecordBytes(want).equals(canonical)).toBe(true);
    expect(decodeRecord(canonical)).toEqual({ record: want, canonical: true });
    expect(decodeRecord(Buffer.from(`3a9801${body('1880d095ffbcb100', '0801')}`, 'hex'))).toEqual({ record: want, canonical: false });
    expect(decodeRecord(Buffer.from(`3a9501${body('1880d095ffbc31', '')}`, 'hex'))).toEqual({ record: want, canonical: false });
    expect(() => decodeRecord(canonical.subarray(0, 100))).toThrow('record: not a valid protobuf Record: premature EOF');
    for (const b of [canonical, canonical.subarray(0, 100)]) same(b);
  });
});
