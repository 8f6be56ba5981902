import fc from 'fast-check';
import * as pb from '../../shared/gen/stemedb/v1/records';
import { DecodeError, ValidationError } from '../../shared/domain/errors';
import { TRACEPARENT_BYTES_MAX } from '../../shared/domain/limits';
import { decodeLogPayload, encodeLogPayload, PAYLOAD_HEADER_BYTES, peekRecordType } from '../../shared/domain/log-payload';
import { recordToProto } from '../../shared/domain/proto-convert';
import { verifyRecord } from '../../shared/domain/signing';
import type { LogEntry, StemeRecord } from '../../shared/domain/types';
import { anyRecord } from './arbitraries';
import { assertionWith, epochWith, goldStandardWith, T0, trustPackWith, voteWith } from './fixtures';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const entry = (record: StemeRecord = assertionWith()): LogEntry => ({ record, appendedAtMs: T0 + 5, traceparent: TRACEPARENT });

function decodeError(payload: Uint8Array): DecodeError {
  try {
    decodeLogPayload(payload);
  } catch (err) {
    if (err instanceof DecodeError) return err;
    throw err;
  }
  throw new Error('expected a DecodeError');
}

describe('log payloads', () => {
  it('round-trip every record kind with the append time and traceparent', () => {
    fc.assert(
      fc.property(anyRecord, fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom('', TRACEPARENT), (record, appendedAtMs, traceparent) => {
        const e = { record, appendedAtMs, traceparent };
        expect(decodeLogPayload(encodeLogPayload(e))).toEqual(e);
      }),
      { numRuns: 150 },
    );
  });

  it('start with an 8-byte header: type byte, zero flags, six zero reserved bytes', () => {
    const kinds = [assertionWith(), voteWith(), epochWith(), goldStandardWith(), trustPackWith()];
    kinds.forEach((record, type) => {
      const payload = encodeLogPayload(entry(record));
      expect([...payload.subarray(0, PAYLOAD_HEADER_BYTES)]).toEqual([type, 0, 0, 0, 0, 0, 0, 0]);
      expect(peekRecordType(payload)).toBe(record.kind);
      // The body is exactly a LogEntry protobuf.
      expect(pb.LogEntry.decode(payload.subarray(PAYLOAD_HEADER_BYTES)).appendedAtMs).toBe(BigInt(T0 + 5));
    });
  });

  it('decoded records still verify (signatures are carried, not checked, by the codec)', () => {
    const decoded = decodeLogPayload(encodeLogPayload(entry()));
    expect(() => verifyRecord(decoded.record)).not.toThrow();
    const forged = encodeLogPayload(entry({ ...assertionWith(), confidence: 0.2 }));
    expect(() => decodeLogPayload(forged)).not.toThrow();
  });

  it('refuse to encode an invalid record, naming the field', () => {
    expect(() => encodeLogPayload(entry(assertionWith({ confidence: 2 })))).toThrow(expect.objectContaining({ name: 'ValidationError', field: 'entry.record.assertion.confidence' }));
    expect(() => encodeLogPayload({ ...entry(), appendedAtMs: -1 })).toThrow(ValidationError);
  });

  it(`take a traceparent of up to TRACEPARENT_BYTES_MAX (${TRACEPARENT_BYTES_MAX}) bytes`, () => {
    expect(() => encodeLogPayload({ ...entry(), traceparent: 'x'.repeat(TRACEPARENT_BYTES_MAX) })).not.toThrow();
    expect(() => encodeLogPayload({ ...entry(), traceparent: 'x'.repeat(TRACEPARENT_BYTES_MAX + 1) })).toThrow(expect.objectContaining({ field: 'entry.traceparent' }));
  });
});

describe('decodeLogPayload rejects with a DecodeError', () => {
  const good = (): Buffer => encodeLogPayload(entry());

  it('a payload shorter than the header (7 bytes fails, 8 reaches the body)', () => {
    expect(decodeError(good().subarray(0, PAYLOAD_HEADER_BYTES - 1)).reason).toMatch(/shorter than its 8-byte header/);
    expect(decodeError(good().subarray(0, 0)).reason).toMatch(/shorter/);
    expect(decodeError(good().subarray(0, PAYLOAD_HEADER_BYTES)).field).toBe('entry.record');
  });

  it('an unknown type byte', () => {
    const p = good();
    p[0] = 7; // 5 and 6 are AgentGrant and AgentRevoke
    expect(decodeError(p).field).toBe('payload.type');
    expect(() => peekRecordType(p)).toThrow(DecodeError);
  });

  it('nonzero flags or reserved bytes', () => {
    const flags = good();
    flags[1] = 1;
    expect(decodeError(flags).field).toBe('payload.flags');
    for (let i = 2; i < PAYLOAD_HEADER_BYTES; i++) {
      const p = good();
      p[i] = 0x80;
      expect(decodeError(p).field).toBe('payload.reserved');
    }
  });

  it('a type byte that does not match the record kind in the body', () => {
    const p = good();
    p[0] = 1;
    expect(decodeError(p)).toMatchObject({ field: 'payload.type' });
  });

  it('a truncated or corrupt body', () => {
    const p = good();
    expect(decodeError(p.subarray(0, p.length - 3)).field).toBeDefined();
    const q = Buffer.concat([p.subarray(0, PAYLOAD_HEADER_BYTES), Buffer.from([0xff, 0xff, 0xff])]);
    expect(decodeError(q).field).toBe('payload.body');
  });

  it('a body whose record breaks validation, naming the field', () => {
    const proto = recordToProto(assertionWith());
    if (proto.kind?.$case !== 'assertion') throw new Error('expected an assertion');
    proto.kind.value.confidence = 7;
    const body = pb.LogEntry.encode({ appendedAtMs: 1n, traceparent: '', record: proto }).finish();
    const p = Buffer.concat([Buffer.alloc(PAYLOAD_HEADER_BYTES), body]);
    expect(decodeError(p)).toMatchObject({ name: 'DecodeError', field: 'entry.record.assertion.confidence' });
  });

  it('random corruption of a valid payload never escapes as anything but a DecodeError', () => {
    const p = good();
    fc.assert(
      fc.property(fc.nat({ max: p.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const q = Buffer.from(p);
        q[at]! ^= xor;
        try {
          decodeLogPayload(q);
        } catch (err) {
          expect(err).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
