/**
 * The id's hot path writes canonical bytes into one reused scratch buffer
 * (canonical.ts `withCanonicalBytes`) and i64 fields without a BigInt per
 * value (byte-writer.ts): both must give exactly the bytes of the allocating
 * path, for every record, however calls interleave.
 */
import fc from 'fast-check';
import { ByteWriter } from '../../shared/domain/byte-writer';
import { canonicalBytes, withCanonicalBytes } from '../../shared/domain/canonical';
import { blake3, recordId } from '../../shared/domain/hash';
import { CANONICAL_SCRATCH_BYTES_MAX, TRUST_ENTRIES_MAX } from '../../shared/domain/limits';
import type { StemeRecord } from '../../shared/domain/types';
import { anyRecord } from './arbitraries';
import { assertionWith, trustPackWith } from './fixtures';

const RUNS = 300;

/** The i64 as the BigInt path writes it. */
function bigIntI64(value: number | bigint): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigInt64LE(BigInt(value));
  return out;
}

describe('canonical bytes in a scratch buffer', () => {
  it('equal the allocating encoding and give the same id, record after record', () => {
    fc.assert(
      fc.property(fc.array(anyRecord as fc.Arbitrary<StemeRecord>, { minLength: 1, maxLength: 8 }), (records) => {
        for (const r of records) {
          const expected = canonicalBytes(r);
          expect(withCanonicalBytes(r, (b) => Buffer.from(b))).toEqual(expected);
          expect(recordId(r)).toEqual(blake3(expected));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('a nested call gets its own buffer: the outer bytes are not overwritten', () => {
    const outer = assertionWith({ subject: 'entity:outer' });
    const inner = assertionWith({ subject: 'entity:inner-with-a-longer-name', object: { kind: 'text', value: 'x'.repeat(300) } });
    const seen = withCanonicalBytes(outer, (bytes) => {
      const innerBytes = withCanonicalBytes(inner, (b) => Buffer.from(b));
      expect(innerBytes).toEqual(canonicalBytes(inner));
      return Buffer.from(bytes);
    });
    expect(seen).toEqual(canonicalBytes(outer));
  });

  it('the scratch buffer is reused, but one grown past CANONICAL_SCRATCH_BYTES_MAX by a large record is dropped', () => {
    const small = assertionWith({ subject: 'entity:small' });
    const bufferOf = (r: StemeRecord): ArrayBufferLike => withCanonicalBytes(r, (b) => b.buffer);
    const first = bufferOf(small);
    expect(bufferOf(small)).toBe(first);
    // The largest trust pack: 1024 entries of 40 bytes, past the limit.
    const entries = Array.from({ length: TRUST_ENTRIES_MAX }, (_, i) => ({ agent: Buffer.alloc(32, 0).fill(i >> 8, 0, 1).fill(i & 0xff, 1, 2), weight: 0.5 }));
    const pack = trustPackWith({ entries });
    expect(canonicalBytes(pack).length).toBeGreaterThan(CANONICAL_SCRATCH_BYTES_MAX);
    const large = bufferOf(pack);
    expect(large.byteLength).toBeGreaterThan(CANONICAL_SCRATCH_BYTES_MAX);
    expect(bufferOf(small)).not.toBe(large);
    expect(recordId(small)).toEqual(blake3(canonicalBytes(small)));
    expect(recordId(pack)).toEqual(blake3(canonicalBytes(pack)));
  });
});

describe('ByteWriter i64', () => {
  it('writes safe-integer numbers exactly as the BigInt path', () => {
    const edges = [0, -0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 32 - 1, 2 ** 32, -(2 ** 32), -(2 ** 32) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1_700_000_000_000, -1_700_000_000_000];
    for (const v of edges) expect(new ByteWriter().i64(v).finish()).toEqual(bigIntI64(v));
    fc.assert(
      fc.property(fc.maxSafeInteger(), (v) => {
        expect(new ByteWriter().i64(v).finish()).toEqual(bigIntI64(v));
      }),
      { numRuns: 2000 },
    );
  });

  it('still writes bigints and refuses non-integers', () => {
    expect(new ByteWriter().i64(-(2n ** 63n)).finish()).toEqual(bigIntI64(-(2n ** 63n)));
    expect(new ByteWriter().i64(2n ** 63n - 1n).finish()).toEqual(bigIntI64(2n ** 63n - 1n));
    expect(() => new ByteWriter().i64(1.5)).toThrow(RangeError);
  });
});
