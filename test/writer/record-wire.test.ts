/**
 * One decode, one validation, no re-encode (issue 12): the writer frames a
 * log entry around the request's own record bytes only when they are exactly
 * the canonical encoding (canonical-record-wire.ts), and the framing equals
 * what ts-proto's LogEntry encoder writes. Every other spelling of a record —
 * unknown fields, long varints, fields out of order or repeated, explicit
 * zeros, the algorithm left unset, a -0 number — is recognised as such (the
 * writer re-encodes it), while it decodes to the same record with the same id.
 */
import { isCanonicalRecordWire } from '../../shared/domain/canonical-record-wire';
import { recordId } from '../../shared/domain/hash';
import { frameLogPayload, PAYLOAD_HEADER_BYTES } from '../../shared/domain/log-payload';
import { encodeRecordBytes, decodeRecordBytes, recordToProto } from '../../shared/domain/proto-convert';
import { RECORD_TYPE_BYTE, type StemeRecord } from '../../shared/domain/types';
import * as pbr from '../../shared/gen/stemedb/v1/records';
import { assertionWith, epochWith, goldStandardWith, KEY_A, KEY_B, resign, T0, voteWith } from '../domain/fixtures';
import { randomLog } from '../graph/log-builder';
import { Admission, type Checked } from '../../services/writer/admission';
import { AgentQuota } from '../../services/writer/quota';
import { recordWireOf, WRITER_SERVICE_DEFINITION } from '../../services/writer/request-records';
import { SignatureVerifier } from '../../shared/verify/signature-verifier';
import { editKind, fieldBytes, fieldsOf, join, longer, varint } from './wire-spelling';

/** Records of every kind the fast path takes, with zeros, empties and extremes in their fields. */
function variety(): StemeRecord[] {
  const assertions = [
    assertionWith(),
    assertionWith({ confidence: 0, epoch: 'e1', parentHash: Buffer.alloc(32, 7), visualHash: 0n }),
    assertionWith({ visualHash: 2n ** 64n - 1n, subject: 'ü:ñ', assertedAtMs: T0 + 1 }),
    assertionWith({}, { kind: 'number', value: 0 }),
    assertionWith({}, { kind: 'number', value: -1.5e300 }),
    assertionWith({}, { kind: 'integer', value: 0n }),
    assertionWith({}, { kind: 'integer', value: -(2n ** 63n) }),
    assertionWith({}, { kind: 'boolean', value: false }),
    assertionWith({}, { kind: 'boolean', value: true }),
    assertionWith({}, { kind: 'entity', value: 'city:paris' }),
    assertionWith({}, { kind: 'timestamp', value: 0n }),
    assertionWith({}, { kind: 'bytes', value: Buffer.alloc(0) }),
    assertionWith({}, { kind: 'text', value: '' }),
  ];
  const grant: StemeRecord = { kind: 'agent_grant', agent: KEY_B.publicKey, grantedAtMs: T0, expiresAtMs: T0 + 5, signatures: [] };
  const forever: StemeRecord = { kind: 'agent_grant', agent: KEY_B.publicKey, grantedAtMs: T0, expiresAtMs: null, signatures: [] };
  const revoke: StemeRecord = { kind: 'agent_revoke', agent: KEY_B.publicKey, reason: '', revokedAtMs: T0, signatures: [] };
  return [
    ...assertions.map((a) => resign(a, [KEY_A, KEY_B])),
    voteWith(),
    voteWith({ value: -1 }),
    epochWith(),
    epochWith({ parent: 'pre-2020', description: '' }),
    goldStandardWith(),
    ...[grant, forever, revoke, { ...revoke, reason: 'left' }].map((r) => resign(r, [KEY_A])),
  ];
}

const all = (): StemeRecord[] => [...variety(), ...randomLog(11, { records: 400 })];

describe('isCanonicalRecordWire', () => {
  it('accepts the encoding of every record of every kind but trust packs, which the domain re-sorts and the writer always re-encodes', () => {
    let packs = 0;
    for (const record of all()) {
      const bytes = encodeRecordBytes(record);
      expect({ kind: record.kind, canonical: isCanonicalRecordWire(bytes) }).toEqual({ kind: record.kind, canonical: record.kind !== 'trust_pack' });
      if (record.kind === 'trust_pack') packs += 1;
    }
    expect(packs).toBeGreaterThan(0);
  });

  const base = resign(assertionWith({ confidence: 0 }, { kind: 'number', value: 0 }), [KEY_A]);
  const canonical = encodeRecordBytes(base);
  const respellings: [string, Buffer][] = [
    ['an unknown field in the record', Buffer.concat([canonical, fieldBytes({ number: 9, wire: 0, value: varint(1) })])],
    ['an unknown field in the assertion', editKind(canonical, (fs) => [...fs, { number: 15, wire: 0, value: varint(3) }])],
    ['an unknown field of another wire type in the signature', editKind(canonical, (fs) => fs.map((f) => (f.number === 10 ? { ...f, value: join([...fieldsOf(f.value), { number: 4, wire: 2, value: Buffer.from('x') }]) } : f)))],
    ['a longer length of the assertion', Buffer.concat([varint(10), longer(varint(fieldsOf(canonical)[0]!.value.length)), fieldsOf(canonical)[0]!.value])],
    ['a longer varint for asserted_at_ms', editKind(canonical, (fs) => fs.map((f) => (f.number === 9 ? { ...f, value: longer(f.value) } : f)))],
    ['a longer tag', Buffer.concat([longer(varint(10)), varint(fieldsOf(canonical)[0]!.value.length), fieldsOf(canonical)[0]!.value])],
    ['fields out of order', editKind(canonical, (fs) => [fs[1]!, fs[0]!, ...fs.slice(2)])],
    ['a field written twice (the last wins)', editKind(canonical, (fs) => [fs[0]!, ...fs])],
    ['an explicit zero confidence', editKind(canonical, (fs) => [...fs.filter((f) => f.number < 4), { number: 4, wire: 1, value: Buffer.alloc(8) }, ...fs.filter((f) => f.number > 4)])],
    ['an explicit empty epoch', editKind(canonical, (fs) => [...fs.filter((f) => f.number < 8), { number: 8, wire: 2, value: Buffer.alloc(0) }, ...fs.filter((f) => f.number > 8)])],
    ['the signature algorithm left unset', editKind(canonical, (fs) => fs.map((f) => (f.number === 10 ? { ...f, value: join(fieldsOf(f.value).filter((g) => g.number !== 1)) } : f)))],
    ['a -0 number object', editKind(canonical, (fs) => fs.map((f) => (f.number === 3 ? { ...f, value: join([{ number: 2, wire: 1, value: Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x80]) }]) } : f)))],
    ['two members of the object oneof (the last wins)', editKind(canonical, (fs) => fs.map((f) => (f.number === 3 ? { ...f, value: join([{ number: 1, wire: 2, value: Buffer.from('t') }, ...fieldsOf(f.value)]) } : f)))],
  ];
  expect(respellings.filter(([, b]) => b.equals(canonical))).toEqual([]);

  it.each(respellings)('refuses %s, which decodes to the same record and id', (_what, bytes) => {
    expect(isCanonicalRecordWire(canonical)).toBe(true);
    const decoded = decodeRecordBytes(bytes);
    expect(recordId(decoded).equals(recordId(base))).toBe(true);
    expect(encodeRecordBytes(decoded).equals(canonical)).toBe(true);
    expect(isCanonicalRecordWire(bytes)).toBe(false);
  });

  it('refuses a bool object spelled 2 and a 10-byte varint past 64 bits', () => {
    const yes = encodeRecordBytes(resign(assertionWith({}, { kind: 'boolean', value: true }), [KEY_A]));
    expect(isCanonicalRecordWire(yes)).toBe(true);
    const two = editKind(yes, (fs) => fs.map((f) => (f.number === 3 ? { ...f, value: join([{ number: 4, wire: 0, value: varint(2) }]) } : f)));
    expect(decodeRecordBytes(two)).toEqual(decodeRecordBytes(yes));
    expect(isCanonicalRecordWire(two)).toBe(false);
    const past64 = editKind(yes, (fs) => fs.map((f) => (f.number === 9 ? { ...f, value: Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]) } : f)));
    expect(isCanonicalRecordWire(past64)).toBe(false);
  });
});

describe('frameLogPayload', () => {
  it("equals the header plus ts-proto's LogEntry encoding, for every record and for zero and empty entry fields", () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    for (const [i, record] of all().entries()) {
      for (const [at, tp] of [[T0 + i, traceparent], [0, ''], [1, ''], [2 ** 53 - 1, 'x']] as const) {
        const body = pbr.LogEntry.encode({ appendedAtMs: BigInt(at), traceparent: tp, record: recordToProto(record) }).finish();
        const header = Buffer.from([RECORD_TYPE_BYTE[record.kind], 0, 0, 0, 0, 0, 0, 0]);
        expect(frameLogPayload(record.kind, encodeRecordBytes(record), at, tp).equals(Buffer.concat([header, body]))).toBe(true);
      }
    }
  });

  it('a worked example: a vote appended at 1700000000000 without a traceparent', () => {
    const record = voteWith();
    const bytes = encodeRecordBytes(record);
    const payload = frameLogPayload('vote', bytes, 1_700_000_000_000, '');
    // header (type 1 = vote) | tag 0x08, varint 1700000000000 | tag 0x1a, length, the record's bytes
    expect(payload.subarray(0, PAYLOAD_HEADER_BYTES + 8).toString('hex')).toBe('0100000000000000' + '08' + '80d095ffbc31' + '1a');
    expect(payload[PAYLOAD_HEADER_BYTES + 8]).toBe(bytes.length);
    expect(payload.subarray(payload.length - bytes.length).equals(bytes)).toBe(true);
  });

  it('refuses a negative or fractional append time and an oversized traceparent, naming the field', () => {
    const bytes = encodeRecordBytes(voteWith());
    expect(() => frameLogPayload('vote', bytes, -1, '')).toThrow(/entry.appended_at_ms/);
    expect(() => frameLogPayload('vote', bytes, 1.5, '')).toThrow(/entry.appended_at_ms/);
    expect(() => frameLogPayload('vote', bytes, 1, 'x'.repeat(257))).toThrow(/entry.traceparent/);
  });
});

describe("admission keeps the request's bytes of a canonical record", () => {
  const admission = new Admission([], new AgentQuota({ recordsPerSec: 0, burstRecords: 0 }), new SignatureVerifier({ workers: 1 }));
  afterAll(() => admission.verifier.close());

  it('as views of the request (AppendBatch, Append, AppendStream), none for a respelled one, and the payload framed around them', async () => {
    const records = [resign(assertionWith({ subject: 'wire:0' }), [KEY_A]), resign(assertionWith({ subject: 'wire:1' }), [KEY_B])];
    const canonical = records.map((r) => encodeRecordBytes(r));
    const respelled = editKind(canonical[1]!, (fs) => [...fs, { number: 13, wire: 0, value: varint(1) }]);
    const batchBytes = Buffer.concat([canonical[0]!, respelled].map((value) => fieldBytes({ number: 1, wire: 2, value })));
    const batch = WRITER_SERVICE_DEFINITION.appendBatch.requestDeserialize(batchBytes);
    const checked = await admission.checkBatch(batch.records, 'records');
    expect(checked[0]!.wire?.buffer).toBe(batchBytes.buffer);
    expect(checked[0]!.wire?.equals(canonical[0]!)).toBe(true);
    expect(checked[1]!.wire).toBeUndefined();
    for (const [i, c] of checked.entries()) {
      const payload = admission.payloadOf(c, '', T0);
      expect(payload.equals(frameLogPayload(records[i]!.kind, canonical[i]!, T0, ''))).toBe(true);
    }
    const one = WRITER_SERVICE_DEFINITION.append.requestDeserialize(fieldBytes({ number: 1, wire: 2, value: canonical[0]! }));
    expect((await admission.check(one.record, 'record')).wire?.equals(canonical[0]!)).toBe(true);
    const streamBytes = Buffer.concat([fieldBytes({ number: 1, wire: 0, value: varint(5) }), fieldBytes({ number: 3, wire: 2, value: batchBytes })]);
    const stream = WRITER_SERVICE_DEFINITION.appendStream.requestDeserialize(streamBytes);
    const each = await admission.checkEach(stream.batch!.records, 'batch.records');
    expect((each[0] as Checked).wire?.buffer).toBe(streamBytes.buffer);
    expect((each[1] as Checked).wire).toBeUndefined();
  });

  it('has no bytes for records of a request whose record field is split in two (protobuf merges them)', () => {
    const bytes = fieldBytes({ number: 1, wire: 2, value: encodeRecordBytes(voteWith()) });
    const split = WRITER_SERVICE_DEFINITION.append.requestDeserialize(Buffer.concat([bytes, bytes]));
    expect(recordWireOf(split.record)).toBeUndefined();
  });
});
