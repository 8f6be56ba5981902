/**
 * The `learned` marker of a trust pack: absent and false are one value (same
 * bytes, same id as before the marker existed), true appends one byte and so
 * makes another id; it survives protobuf and JSON; anything but a boolean is
 * refused naming the field.
 */
import { canonicalBytes } from '../../shared/domain/canonical';
import { recordId } from '../../shared/domain/hash';
import { decodeRecordBytes, encodeRecordBytes } from '../../shared/domain/proto-convert';
import { recordFromJson, recordToJson } from '../../shared/domain/record-json';
import type { TrustPack } from '../../shared/domain/types';
import { validateRecord } from '../../shared/domain/validate';
import { agent, signed, trustPack } from '../graph/log-builder';

describe('learned trust packs', () => {
  const plain = trustPack('p', [[agent(1), 0.5]]);
  const learned = signed<TrustPack>({ ...plain, learned: true }, [agent(200)]);

  it('absent and false encode alike; true adds the byte 01 and another id', () => {
    const off = signed<TrustPack>({ ...plain, learned: false }, [agent(200)]);
    expect(canonicalBytes(off)).toEqual(canonicalBytes(plain));
    expect(canonicalBytes(learned)).toEqual(Buffer.concat([canonicalBytes(plain), Buffer.of(1)]));
    expect(recordId(learned).equals(recordId(plain))).toBe(false);
  });

  it('survives protobuf and JSON; a plain pack has no learned key at all', () => {
    expect(decodeRecordBytes(encodeRecordBytes(learned))).toEqual(learned);
    expect(decodeRecordBytes(encodeRecordBytes(plain))).toEqual(plain);
    expect(recordToJson(learned)).toMatchObject({ learned: true });
    expect(Object.keys(recordToJson(plain))).not.toContain('learned');
    expect(recordFromJson(recordToJson(learned))).toEqual(learned);
  });

  it('anything but a boolean is refused, naming the field', () => {
    expect(() => recordFromJson({ ...recordToJson(learned), learned: 'yes' })).toThrow(expect.objectContaining({ field: 'record.trust_pack.learned' }));
    expect(() => validateRecord({ ...learned, learned: 1 as unknown as boolean })).toThrow(expect.objectContaining({ field: 'record.trust_pack.learned' }));
  });
});
