/**
 * The reader's cache of decoded stored records: it reuses a decode only for
 * the very bytes it came from, and holds at most its limit.
 */
import { DecodedRecordCache } from '../../shared/graph/decoded-cache';
import { GraphValueError } from '../../shared/graph/errors';
import { encodeStoredRecord, type StoredRecord } from '../../shared/graph/stored-record';
import type { Assertion } from '../../shared/domain/types';
import { keys } from '../../shared/storage/keys';
import { agent, claim, signed, text } from './log-builder';

const a = signed(claim({ subject: 'ada', predicate: 'born', object: text('1815') }), [agent(0)]) as Assertion;
const stored: StoredRecord<Assertion> = { record: a, offset: 40, coSigners: [], supersededAtOffset: null };
const key = (i: number): Buffer => keys.assertion(Buffer.alloc(32, i));

describe('DecodedRecordCache', () => {
  it('equal bytes under the same key give the same decoded value without decoding again', () => {
    const cache = new DecodedRecordCache(4);
    const raw = encodeStoredRecord(stored);
    const first = cache.decode<Assertion>(key(1), raw, 'H');
    expect(first.record).toEqual(a);
    expect(cache.decode(key(1), Buffer.from(raw), 'H')).toBe(first);
  });

  it('changed bytes (a later supersession) are decoded afresh', () => {
    const cache = new DecodedRecordCache(4);
    cache.decode(key(1), encodeStoredRecord(stored), 'H');
    const later = cache.decode<Assertion>(key(1), encodeStoredRecord({ ...stored, supersededAtOffset: 900 }), 'H');
    expect(later.supersededAtOffset).toBe(900);
  });

  it('a value kept under one key is never served for another', () => {
    const cache = new DecodedRecordCache(4);
    const raw = encodeStoredRecord(stored);
    const one = cache.decode(key(1), raw, 'H');
    expect(cache.decode(key(2), raw, 'H')).not.toBe(one);
  });

  it('damaged bytes still fail as they would without the cache', () => {
    const cache = new DecodedRecordCache(4);
    expect(() => cache.decode(key(1), Buffer.from([9, 0, 0]), 'H')).toThrow(GraphValueError);
  });

  it('holds its limit of entries and drops the least recently used at limit + 1', () => {
    const cache = new DecodedRecordCache(3);
    const raw = encodeStoredRecord(stored);
    const kept = [1, 2, 3].map((i) => cache.decode(key(i), raw, 'H'));
    expect(cache.size).toBe(3);
    expect(cache.decode(key(1), raw, 'H')).toBe(kept[0]); // 1 is now the most recent
    cache.decode(key(4), raw, 'H');
    expect(cache.size).toBe(3);
    expect(cache.decode(key(1), raw, 'H')).toBe(kept[0]);
    expect(cache.decode(key(2), raw, 'H')).not.toBe(kept[1]); // 2 was the least recent
  });

  it('a limit of 0 keeps nothing; a negative limit is refused', () => {
    const cache = new DecodedRecordCache(0);
    cache.decode(key(1), encodeStoredRecord(stored), 'H');
    expect(cache.size).toBe(0);
    expect(() => new DecodedRecordCache(-1)).toThrow(RangeError);
  });
});

