/**
 * The one-pass log payload decoder (`decodeLogRecord`, log-payload.ts) against
 * the path it replaces: the header checks, `pb.LogEntry.decode`,
 * `recordFromProto` and record-bytes.ts's wire walk. On payloads of every kind,
 * respelled and broken: the same entry and the same record byte range, or the
 * same DecodeError naming the same field with the same words (the generated
 * reader's own words aside).
 */
import fc from 'fast-check';
import { DecodeError, ValidationError } from '../../shared/domain/errors';
import { decodeLogRecord, frameLogPayload, PAYLOAD_HEADER_BYTES, peekRecordType } from '../../shared/domain/log-payload';
import { encodeRecordBytes, recordFromProto } from '../../shared/domain/proto-convert';
import { recordBytesOf } from '../../shared/domain/record-bytes';
import type { LogEntry } from '../../shared/domain/types';
import * as pb from '../../shared/gen/stemedb/v1/records';
import { fieldBytes, fieldsOf, join, longer, varint } from '../writer/wire-spelling';
import { anyRecord } from './arbitraries';

type Outcome = { ok: true; entry: LogEntry; bytes: string | undefined } | { ok: false; field: string | undefined; message: string };

/** The decoder before this one, step by step (log-payload.ts at cdaeb5b). */
function reference(payload: Buffer): Outcome {
  try {
    const kind = peekRecordType(payload);
    if (payload[1] !== 0) throw new DecodeError(`unknown flags 0x${payload[1]!.toString(16)}`, 'payload.flags');
    for (let i = 2; i < PAYLOAD_HEADER_BYTES; i++) if (payload[i] !== 0) throw new DecodeError(`reserved header byte ${i} is 0x${payload[i]!.toString(16)}, not zero`, 'payload.reserved');
    let body: pb.LogEntry;
    try {
      body = pb.LogEntry.decode(payload.subarray(PAYLOAD_HEADER_BYTES));
    } catch (err) {
      throw new DecodeError('wire', 'payload.body', err);
    }
    if (body.record === undefined) throw new DecodeError('LogEntry has no record', 'entry.record');
    let entry: LogEntry;
    try {
      const record = recordFromProto(body.record, 'entry.record');
      if (body.appendedAtMs < 0n || body.appendedAtMs > BigInt(Number.MAX_SAFE_INTEGER)) throw new ValidationError('entry.appended_at_ms', `out of range (got ${body.appendedAtMs})`);
      entry = { record, appendedAtMs: Number(body.appendedAtMs), traceparent: body.traceparent };
    } catch (err) {
      if (err instanceof ValidationError) throw new DecodeError(`invalid record in the log: ${err.reason}`, err.field, err);
      throw err;
    }
    if (entry.record.kind !== kind) throw new DecodeError(`header type byte says ${kind} but the body holds a ${entry.record.kind}`, 'payload.type');
    return { ok: true, entry, bytes: recordBytesOf(payload)?.toString('hex') };
  } catch (err) {
    return failed(err);
  }
}

function failed(err: unknown): Outcome {
  if (!(err instanceof DecodeError)) throw err;
  return { ok: false, field: err.field, message: err.field === 'payload.body' ? 'wire' : err.message };
}

function decoded(payload: Buffer): Outcome {
  try {
    const { entry, recordBytes } = decodeLogRecord(payload);
    return { ok: true, entry, bytes: recordBytes?.toString('hex') };
  } catch (err) {
    return failed(err);
  }
}

function same(payload: Buffer): void {
  const want = reference(payload);
  const got = decoded(payload);
  expect(got).toEqual(want);
  if (got.ok && got.bytes !== undefined) {
    // The range is a view of the payload, not a copy.
    expect(decodeLogRecord(payload).recordBytes!.buffer).toBe(payload.buffer);
  }
}

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const payload = fc.tuple(anyRecord, fc.integer({ min: 0, max: 2 ** 53 - 1 }), fc.constantFrom('', TRACEPARENT)).map(([r, at, tp]) => frameLogPayload(r.kind, encodeRecordBytes(r), at, tp));

/** A payload's body respelled: its fields reordered, repeated, lengthened, or an unknown one added. */
function respell(p: Buffer, how: number, i: number): Buffer {
  const header = p.subarray(0, PAYLOAD_HEADER_BYTES);
  const fields = fieldsOf(p.subarray(PAYLOAD_HEADER_BYTES));
  const k = i % fields.length;
  const f = fields[k]!;
  switch (how % 6) {
    case 0:
      fields.splice(k, 0, f);
      break;
    case 1:
      fields.reverse();
      break;
    case 2:
      fields.push({ number: 9, wire: 0, value: varint(1) });
      break;
    case 3:
      if (f.wire === 0) fields[k] = { ...f, value: longer(longer(longer(f.value))) };
      break;
    case 4:
      return Buffer.concat([header, ...fields.map((g, j) => (j === k && g.wire === 2 ? fieldBytes(g, (n) => longer(longer(longer(longer(varint(n)))))) : fieldBytes(g)))]);
    default:
      fields.splice(k, 0, { number: 3, wire: 0, value: varint(5) });
  }
  return Buffer.concat([header, join(fields)]);
}

describe('decodeLogRecord agrees with the header checks, LogEntry.decode, recordFromProto and recordBytesOf', () => {
  it('on payloads of every kind, and respelled', () => {
    fc.assert(
      fc.property(payload, fc.nat(), fc.nat(), (p, how, i) => {
        same(p);
        same(respell(p, how, i));
      }),
      { numRuns: 400 },
    );
  }, 120_000);

  it('on broken payloads: a byte changed, cut short, a negative or huge append time, garbage bodies', () => {
    fc.assert(
      fc.property(payload, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean(), (p, at, byte, cut) => {
        const i = at % p.length;
        const out = Buffer.from(cut ? p.subarray(0, i) : p);
        if (!cut) out[i] = byte;
        same(out);
      }),
      { numRuns: 1500 },
    );
    const header = Buffer.from('0100000000000000', 'hex');
    fc.assert(fc.property(fc.uint8Array({ maxLength: 30 }), (body) => same(Buffer.concat([header, body]))), { numRuns: 1500 });
  }, 120_000);

  it('by name: no record, a negative append time (10 bytes), 2^53, a record field of the wrong wire type', () => {
    const record = encodeRecordBytes({ kind: 'epoch', name: 'e', description: '', startsAtMs: 1_700_000_000_000, parent: null, signatures: [{ publicKey: Buffer.alloc(32, 2), signature: Buffer.alloc(64, 3) }] });
    const header = Buffer.from('0200000000000000', 'hex');
    const rec = fieldBytes({ number: 3, wire: 2, value: record });
    for (const body of [Buffer.alloc(0), Buffer.concat([Buffer.from('08' + 'ff'.repeat(9) + '01', 'hex'), rec]), Buffer.concat([Buffer.from('0880808080808080108000', 'hex'), rec]), Buffer.concat([varint(0x18), varint(3), rec]), Buffer.concat([rec, Buffer.from('00', 'hex'), rec])]) same(Buffer.concat([header, body]));
  });
});
