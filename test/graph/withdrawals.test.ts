/** The withdrawal list of a stored assertion: its encoding, and supersession derived from it as of any offset. */
import { GraphValueError } from '../../shared/graph/errors';
import { decodeStoredRecord, encodeStoredRecord, withCoSigners, type StoredRecord } from '../../shared/graph/stored-record';
import { formatValue } from '../../shared/graph/value-format';
import { fullySupersededAt, withdrawalsOf, withSupersessionRederived, withWithdrawal } from '../../shared/graph/withdrawals';
import type { Assertion } from '../../shared/domain/types';
import { keys } from '../../shared/storage/keys';
import { agent, claim, signed, text } from './log-builder';

const A = agent(0).publicKey;
const B = agent(1).publicKey;
const child1 = Buffer.alloc(32, 0x11);
const child2 = Buffer.alloc(32, 0x22);
const record = signed(claim({ subject: 's', predicate: 'p', object: text('x') }), [agent(0)]);
const base: StoredRecord<Assertion> = { record, offset: 10, coSigners: [], supersededAtOffset: null };

describe('withdrawals of a stored assertion', () => {
  it('round-trip, and show in the dump line', () => {
    const stored = withWithdrawal(base, { agent: A, childId: child1, offset: 100 })!;
    expect(stored.withdrawals).toEqual([{ agent: A, childId: child1, offset: 100 }]);
    expect(stored.supersededAtOffset).toBe(100);
    const bytes = encodeStoredRecord(stored);
    expect(bytes[1]).toBe(0x03); // superseded + withdrawal list
    expect(decodeStoredRecord(bytes, 'H')).toEqual(stored);
    expect(formatValue(keys.assertion(Buffer.alloc(32, 1)), bytes)).toContain(`"withdrawals":[{"offset":100,"agent":"${A.toString('hex')}","childId":"${child1.toString('hex')}"}]`);
  });

  it('a record without withdrawals keeps the layout it had before they existed', () => {
    const bytes = encodeStoredRecord(base);
    expect(bytes[1]).toBe(0);
    expect(encodeStoredRecord({ ...base, withdrawals: [] }).equals(bytes)).toBe(true);
    expect(decodeStoredRecord(bytes, 'H').withdrawals).toBeUndefined();
  });

  it('refuses a withdrawal list it did not write', () => {
    const good = encodeStoredRecord(withWithdrawal(base, { agent: A, childId: child1, offset: 100 })!);
    const listAt = 20; // header, no co-signers
    // The flag with an empty list: a record without withdrawals never has one, so it is damage.
    const plain = encodeStoredRecord(base);
    const zeroCount = Buffer.concat([plain.subarray(0, listAt), Buffer.alloc(4), plain.subarray(listAt)]);
    zeroCount[1] = 0x02;
    const tooMany = Buffer.from(good);
    tooMany.writeUInt32BE(1_000_000, listAt);
    const unknownFlag = Buffer.from(good);
    unknownFlag[1] = 0x07;
    for (const bad of [zeroCount, tooMany, unknownFlag, good.subarray(0, listAt + 2)]) expect(() => decodeStoredRecord(bad, 'H')).toThrow(GraphValueError);
    expect(() => encodeStoredRecord({ ...base, withdrawals: [{ agent: A.subarray(1), childId: child1, offset: 1 }] })).toThrow(RangeError);
  });

  it('one withdrawal per agent: the earliest, and the smaller child id at the same offset', () => {
    const first = withWithdrawal(base, { agent: A, childId: child2, offset: 100 })!;
    expect(withWithdrawal(first, { agent: A, childId: child1, offset: 200 })).toBeNull();
    expect(withWithdrawal(first, { agent: A, childId: child2, offset: 100 })).toBeNull();
    expect(withWithdrawal(first, { agent: A, childId: child1, offset: 100 })!.withdrawals).toEqual([{ agent: A, childId: child1, offset: 100 }]);
  });

  it('superseded only while every signer has withdrawn, as of any offset', () => {
    // A signs at 10 and withdraws at 100; B co-signs at 200 and withdraws at 300.
    let s = withWithdrawal(base, { agent: A, childId: child1, offset: 100 })!;
    s = withSupersessionRederived(withCoSigners(s, signed(record, [agent(1)]), 200)!.stored);
    expect(s.supersededAtOffset).toBeNull();
    s = withWithdrawal(s, { agent: B, childId: child2, offset: 300 })!;
    const at = (asOf?: number) => [fullySupersededAt(s, asOf), withdrawalsOf(s, asOf).length];
    expect([at(100), at(101), at(200), at(201), at(300), at(301), at()]).toEqual([
      [null, 0],
      [100, 1],
      [100, 1],
      [null, 1],
      [null, 1],
      [300, 2],
      [300, 2],
    ]);
    expect(s.supersededAtOffset).toBe(300);
  });

  it('a record stored without a list keeps the supersededAtOffset it was stored with', () => {
    const legacy = { ...base, supersededAtOffset: 50 };
    expect([fullySupersededAt(legacy, 50), fullySupersededAt(legacy, 51), fullySupersededAt(legacy)]).toEqual([null, 50, 50]);
    expect(withSupersessionRederived(legacy)).toBe(legacy);
  });
});
