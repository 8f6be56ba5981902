import fc from 'fast-check';
import { hash as libraryBlake3 } from 'blake3-wasm';
import { blake3, recordId } from '../../shared/domain/hash';
import { canonicalBytes } from '../../shared/domain/canonical';
import { assertionWith } from './fixtures';

describe('blake3', () => {
  it('matches the official BLAKE3 test values', () => {
    expect(blake3(Buffer.alloc(0)).toString('hex')).toBe('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
    expect(blake3(Buffer.from('abc')).toString('hex')).toBe('6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85');
  });

  it('recordId is BLAKE3 of the canonical bytes', () => {
    const r = assertionWith();
    expect(recordId(r).equals(blake3(canonicalBytes(r)))).toBe(true);
  });

  it('is blake3-wasm\'s hash (its wasm binding called directly), each digest a buffer of its own', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000, size: 'max' }), (data) => {
        const a = blake3(data);
        expect(a.equals(libraryBlake3(data) as Buffer)).toBe(true);
        const b = blake3(data);
        b[0]! ^= 1;
        expect(a.equals(b)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
