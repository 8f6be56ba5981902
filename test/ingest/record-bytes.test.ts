/**
 * H keeps the record's bytes as the log carried them: the cut-out bytes are
 * exactly the record's protobuf encoding for every kind of record, and a
 * payload the walk cannot take apart exactly answers undefined (re-encode).
 */
import { encodeRecordBytes } from '../../shared/domain/proto-convert';
import { recordBytesOf } from '../../shared/domain/record-bytes';
import { PAYLOAD_HEADER_BYTES } from '../../shared/domain/log-payload';
import { decodeLogPayload } from '../../shared/domain/log-payload';
import { claim, payloadOf, randomLog, signed, agent, text } from '../graph/log-builder';

describe('recordBytesOf', () => {
  it('cuts out exactly the protobuf encoding of the record, for every record of a mixed log', () => {
    const records = randomLog(7, { records: 300 });
    for (const [i, record] of records.entries()) {
      const payload = payloadOf(record, i);
      const bytes = recordBytesOf(payload);
      expect(bytes).toBeDefined();
      expect(Buffer.from(bytes!).equals(encodeRecordBytes(record))).toBe(true);
    }
  });

  it('answers undefined when the record field is split in two (protobuf would merge them), for a truncated body and for a group', () => {
    const payload = payloadOf(signed(claim({ subject: 's', predicate: 'p', object: text('v') }), [agent(1)]));
    const body = payload.subarray(PAYLOAD_HEADER_BYTES);
    // The record field twice (protobuf merges the two; this decoder keeps the last): no single slice holds the record.
    const split = Buffer.concat([payload, body.subarray(body.indexOf(0x1a))]);
    expect(decodeLogPayload(split).record).toEqual(decodeLogPayload(payload).record);
    expect(recordBytesOf(split)).toBeUndefined();
    expect(recordBytesOf(payload.subarray(0, payload.length - 1))).toBeUndefined();
    expect(recordBytesOf(Buffer.concat([payload.subarray(0, PAYLOAD_HEADER_BYTES), Buffer.from([0x23]), body]))).toBeUndefined();
    // Unknown fields of every other wire type are stepped over.
    const unknown = Buffer.concat([payload, Buffer.from([0x28, 0x96, 0x01, 0x31, 1, 2, 3, 4, 5, 6, 7, 8, 0x3d, 1, 2, 3, 4, 0x42, 0x02, 9, 9])]);
    expect(Buffer.from(recordBytesOf(unknown)!).equals(Buffer.from(recordBytesOf(payload)!))).toBe(true);
  });
});
