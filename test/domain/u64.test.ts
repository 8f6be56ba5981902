/** writeU64BE: the bytes writeBigUInt64BE writes, for every safe integer; anything else refused. */
import fc from 'fast-check';
import { writeU64BE } from '../../shared/domain/u64';

describe('writeU64BE', () => {
  it('writes what writeBigUInt64BE(BigInt(v)) writes, at any position', () => {
    const edges = [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 52, Number.MAX_SAFE_INTEGER];
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...edges), fc.maxSafeNat()), fc.nat(8), (v, pos) => {
        const a = Buffer.alloc(16);
        const b = Buffer.alloc(16);
        expect(writeU64BE(a, v, pos)).toBe(pos + 8);
        b.writeBigUInt64BE(BigInt(v), pos);
        expect(a.toString('hex')).toBe(b.toString('hex'));
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses negative, fractional and unsafe values', () => {
    for (const bad of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN, Infinity]) expect(() => writeU64BE(Buffer.alloc(8), bad, 0)).toThrow(RangeError);
  });
});
