/**
 * The ESC value (shared/graph/escalation-codec.ts): what an escalation answers,
 * round-tripped exactly, the documented example, and refusals naming the field
 * (store format 1's JSON included).
 */
import fc from 'fast-check';
import { decodeEscalation, encodeEscalation } from '../../shared/graph/escalation-codec';
import { ResolutionDecodeError, ResolutionEncodeError } from '../../shared/graph/errors';
import { encodeResolution } from '../../shared/graph/resolution-codec';
import { writeOps } from '../../shared/graph/write-ops';
import { escalationOf, resolve } from '../../shared/lens';
import type { EscalationFacts } from '../../shared/lens/escalation';
import { docHex } from '../helpers/doc-blocks';
import { PREDICATE, SUBJECT, cand, objectArb, text } from '../lens/helpers';

const contested = resolve('consensus', SUBJECT, PREDICATE, [
  cand({ id: 'e1', object: text('1999'), confidence: 0.9, signers: ['ana'], source: 's1' }),
  cand({ id: 'e2', object: text('2000'), confidence: 0.9, signers: ['ben'], source: 's2' }),
]);

const documentedExampleHex = (): string => docHex('STORAGE.md', 'esc-example');

function decodeErrorField(bytes: Buffer): string {
  try {
    decodeEscalation(SUBJECT, PREDICATE, bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(ResolutionDecodeError);
    return (err as ResolutionDecodeError).field;
  }
  throw new Error('decoded without error');
}

const shareArb = fc.double({ noNaN: true, noDefaultInfinity: true });

describe('ESC value', () => {
  it('round-trips any two objects and shares exactly, byte-identical on re-encode', () => {
    fc.assert(
      fc.property(objectArb, shareArb, objectArb, shareArb, (top, topShare, runnerUp, runnerUpShare) => {
        const facts: EscalationFacts = { subject: SUBJECT, predicate: PREDICATE, top, topShare, runnerUp, runnerUpShare };
        const bytes = encodeEscalation(facts);
        const back = decodeEscalation(SUBJECT, PREDICATE, bytes);
        expect(back).toEqual(facts);
        expect(Object.is(back.topShare, topShare)).toBe(true);
        expect(encodeEscalation(back).equals(bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('the example in docs/STORAGE.md is the encoding of a tie between "1999" and "2000"', () => {
    const facts = escalationOf(contested)!;
    expect(facts).toMatchObject({ top: text('1999'), topShare: 0.5, runnerUp: text('2000'), runnerUpShare: 0.5 });
    const bytes = encodeEscalation(facts);
    expect(bytes.toString('hex')).toBe(documentedExampleHex());
    expect(bytes.length).toBe(29);
    expect(encodeResolution(contested).length).toBeGreaterThan(20 * bytes.length);
  });

  it('writeOps.escalation puts the same compact value under both ESC keys, and refuses an uncontested resolution', () => {
    const ops = writeOps.escalation(contested, 4096);
    expect(ops).toHaveLength(2);
    for (const op of ops) expect(op).toMatchObject({ type: 'put', value: encodeEscalation(escalationOf(contested)!) });
    const clear = resolve('consensus', SUBJECT, PREDICATE, [cand({ id: 'e1', object: text('1999'), signers: ['ana'] })]);
    expect(() => writeOps.escalation(clear, 4096)).toThrow(/not contested/);
  });

  it('refuses bytes that are not an escalation, naming the field', () => {
    const good = encodeEscalation(escalationOf(contested)!);
    const patched = (at: number, byte: number): Buffer => {
      const b = Buffer.from(good);
      b[at] = byte;
      return b;
    };
    expect(decodeErrorField(patched(0, 2))).toBe('v');
    expect(decodeErrorField(patched(1, 7))).toBe('top.kind');
    expect(decodeErrorField(patched(2, 0x7f))).toBe('top.value');
    expect(decodeErrorField(Buffer.from(good).fill(0xff, 7, 15))).toBe('topShare');
    expect(decodeErrorField(patched(15, 9))).toBe('runnerUp.kind');
    expect(decodeErrorField(Buffer.from(good).fill(0xff, 21, 29))).toBe('runnerUpShare');
    expect(decodeErrorField(Buffer.concat([good, Buffer.of(0)]))).toBe('');
    for (let n = 0; n < good.length; n++) expect(decodeErrorField(good.subarray(0, n))).not.toBe('');
  });

  it('refuses store format 1 (the JSON resolution) with a message saying to rebuild', () => {
    const legacy = encodeResolution(contested);
    expect(decodeErrorField(legacy)).toBe('v');
    expect(() => decodeEscalation(SUBJECT, PREDICATE, legacy)).toThrow(/rebuild the store from the log/);
  });

  it('refuses a share it cannot store, naming it', () => {
    const facts = escalationOf(contested)!;
    expect(() => encodeEscalation({ ...facts, runnerUpShare: Number.NaN })).toThrow(ResolutionEncodeError);
    try {
      encodeEscalation({ ...facts, topShare: Number.POSITIVE_INFINITY });
    } catch (err) {
      expect((err as ResolutionEncodeError).field).toBe('topShare');
    }
  });
});
