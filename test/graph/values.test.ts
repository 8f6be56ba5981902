/** Value encodings of the graph model and the two key kinds it added to the codec. */
import fc from 'fast-check';
import { GraphValueError } from '../../shared/graph/errors';
import { decodeF64, decodeU64, encodeF64, encodeU64 } from '../../shared/graph/scalars';
import { decodeStoredRecord, encodeStoredRecord, mergedRecord, signersOf, withCoSigners } from '../../shared/graph/stored-record';
import { formatDumpEntry, formatValue } from '../../shared/graph/value-format';
import { currentVote, decodeVoteHistory, encodeVoteHistory, netVote } from '../../shared/graph/vote-history';
import { decodeTrustEvidence, encodeTrustEvidence, withJudgement } from '../../shared/graph/trust-evidence';
import { resolve } from '../../shared/lens';
import { encodeResolution } from '../../shared/graph/resolution-codec';
import { encodeStoredResolution, materializedCounts } from '../../shared/graph/stored-resolution';
import { keys, parseKey, prefixes } from '../../shared/storage/keys';
import { agent, claim, signed, text } from './log-builder';

const A = signed(claim({ subject: 's', predicate: 'p', object: text('x') }), [agent(0)]);

describe('graph values', () => {
  it('a stored record round-trips with co-signers and supersession', () => {
    const merged = withCoSigners({ record: A, offset: 10, coSigners: [], supersededAtOffset: null }, signed(A, [agent(1), agent(0)]), 99)!;
    expect(merged.added.map((s) => s.publicKey)).toEqual([agent(1).publicKey]);
    const stored = { ...merged.stored, supersededAtOffset: 120 };
    const back = decodeStoredRecord(encodeStoredRecord(stored), 'H');
    expect(back).toEqual(stored);
    expect(signersOf(back).map((s) => s.offset)).toEqual([10, 99]);
    expect(signersOf(back, 99)).toHaveLength(1);
    expect(mergedRecord(back).signatures).toHaveLength(2);
    expect(withCoSigners(back, A, 200)).toBeNull();
  });

  it('refuses stored bytes it did not write', () => {
    const good = encodeStoredRecord({ record: A, offset: 1, coSigners: [], supersededAtOffset: null });
    for (const bad of [good.subarray(0, 5), Buffer.concat([Buffer.of(2), good.subarray(1)]), Buffer.concat([good.subarray(0, 18), Buffer.of(0, 9), good.subarray(20)])]) {
      expect(() => decodeStoredRecord(bad, 'H')).toThrow(GraphValueError);
    }
  });

  it('vote histories round-trip; the current vote is the latest by cast time, then offset', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ value: fc.double({ min: -1, max: 1, noNaN: true }), castAtMs: fc.integer({ min: 0, max: 100 }), offset: fc.nat() })), (votes) => {
        expect(decodeVoteHistory(encodeVoteHistory(votes))).toEqual(votes.map((v) => ({ ...v })));
        const cur = currentVote(votes);
        for (const v of votes) expect(cur!.castAtMs > v.castAtMs || (cur!.castAtMs === v.castAtMs && cur!.offset >= v.offset)).toBe(true);
      }),
    );
    expect(currentVote([{ value: 1, castAtMs: 5, offset: 10 }], 10)).toBeUndefined();
  });

  it('the net vote does not depend on the order votes come in', () => {
    const votes = [0.1, 0.2, 0.3, -0.7].map((value, i) => ({ voter: agent(i).publicKey, value }));
    expect(netVote(votes)).toBe(netVote([...votes].reverse()));
    expect(Object.is(netVote([]), 0)).toBe(true);
  });

  it('scalars are 8-byte big-endian; anything else is refused', () => {
    expect(decodeU64(encodeU64(2 ** 53 - 1), 'VC')).toBe(2 ** 53 - 1);
    expect(decodeF64(encodeF64(-0.25), 'VW')).toBe(-0.25);
    expect(() => decodeU64(Buffer.alloc(7), 'VC')).toThrow(GraphValueError);
    expect(() => encodeU64(-1)).toThrow(RangeError);
    expect(() => encodeF64(Number.NaN)).toThrow(RangeError);
  });

  it('trust evidence is two u64 counts; a judgement adds one to either', () => {
    const e = withJudgement(withJudgement({ right: 4, wrong: 1 }, true), false);
    expect(e).toEqual({ right: 5, wrong: 2 });
    expect(encodeTrustEvidence(e).toString('hex')).toBe('0000000000000005' + '0000000000000002');
    expect(decodeTrustEvidence(encodeTrustEvidence(e), 'TRUST')).toEqual(e);
    expect(() => decodeTrustEvidence(Buffer.alloc(8), 'TRUST')).toThrow(GraphValueError);
    expect(() => encodeTrustEvidence({ right: -1, wrong: 0 })).toThrow(RangeError);
  });

  it('CHILD and TRUSTH keys round-trip and scan by their leading components', () => {
    const id = Buffer.alloc(32, 1);
    const id2 = Buffer.alloc(32, 2);
    const who = agent(0).publicKey;
    expect(parseKey(keys.childAssertion(id, id2))).toEqual({ kind: 'childAssertion', parentId: id, childId: id2 });
    expect(parseKey(keys.trustHistory(who, 77))).toEqual({ kind: 'trustHistory', agent: who, offset: 77 });
    expect(keys.childAssertion(id, id2).subarray(0, prefixes.children(id).length)).toEqual(prefixes.children(id));
    expect(Buffer.compare(keys.trustHistory(who, 1), keys.trustHistory(who, 256))).toBe(-1);
    expect(keys.trust(who).subarray(0, prefixes.trustHistory().length).equals(prefixes.trustHistory())).toBe(false);
  });

  it('dump lines decode known values and fall back to hex', () => {
    expect(formatDumpEntry({ backend: 'rocksdb', key: keys.voteCount(Buffer.alloc(32, 1)), value: encodeU64(3) })).toBe(`rocksdb VC assertionId=${'01'.repeat(32)} = 3`);
    expect(formatValue(keys.voteCount(Buffer.alloc(32, 1)), Buffer.from('zz'))).toBe('hex:7a7a');
    expect(formatValue(Buffer.from('not a key'), Buffer.of(1))).toBe('hex:01');
  });

  it('an MV value prints as the JSON of the resolution it holds, summary rebuilt', () => {
    const candidates = [{ id: Buffer.alloc(32, 7), assertion: A, signers: [agent(0).publicKey], offset: 0, votes: [], superseded: false }];
    const r = resolve('consensus', 's', 'p', candidates, { explain: false });
    const value = encodeStoredResolution(r, materializedCounts(candidates));
    const line = formatValue(keys.view('s', 'p', 'consensus'), value);
    expect(line).toBe(encodeResolution(r).toString('utf8'));
    expect(JSON.parse(line)).toMatchObject({ v: 1, outcome: 'resolved', winnerId: '07'.repeat(32), summary: r.summary });
    expect(formatValue(keys.view('s', 'p', 'consensus'), value.subarray(1))).toBe(`hex:${value.subarray(1).toString('hex')}`);
  });
});
