import { LENS_NAMES, LensInputError, parseLensName, resolve, UnknownLensError } from '../../shared/lens';
import type { LensName } from '../../shared/lens/types';
import { PREDICATE, SUBJECT, cand, hex, text } from './helpers';

function inputError(fn: () => unknown): LensInputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof LensInputError) return err;
    throw err;
  }
  throw new Error('expected a LensInputError');
}

describe('lens inputs', () => {
  const ok = cand({ id: 'ok', object: text('Alice'), signers: ['ana'] });

  it('an unknown lens name is an UnknownLensError naming it', () => {
    expect(() => parseLensName('oracle')).toThrow(UnknownLensError);
    expect(() => resolve('oracle' as LensName, SUBJECT, PREDICATE, [ok])).toThrow("unknown lens 'oracle'");
    expect(LENS_NAMES.map(parseLensName)).toEqual(['consensus', 'recency', 'authority', 'threshold']);
  });

  it('a candidate of another subject or predicate is refused', () => {
    expect(inputError(() => resolve('consensus', 'other', PREDICATE, [ok])).field).toBe('candidates[0].assertion.subject');
    expect(inputError(() => resolve('consensus', SUBJECT, 'other', [ok])).field).toBe('candidates[0].assertion.predicate');
  });

  it('the same id twice is refused', () => {
    const dup = cand({ id: 'ok', object: text('Bob'), signers: ['ben'] });
    expect(inputError(() => resolve('consensus', SUBJECT, PREDICATE, [ok, dup])).field).toBe('candidates[1].id');
  });

  it('confidence, vote values, ranks and offsets are checked at their bounds ±1', () => {
    const withConf = (confidence: number) => resolve('consensus', SUBJECT, PREDICATE, [{ ...ok, assertion: { ...ok.assertion, confidence } }]);
    expect(() => withConf(0)).not.toThrow();
    expect(() => withConf(1)).not.toThrow();
    expect(inputError(() => withConf(1 + Number.EPSILON)).field).toBe('candidates[0].assertion.confidence');
    expect(inputError(() => withConf(-Number.MIN_VALUE)).field).toBe('candidates[0].assertion.confidence');

    const withVote = (value: number) =>
      resolve('consensus', SUBJECT, PREDICATE, [{ ...ok, votes: [{ voter: ok.signers[0], value, castAtMs: 0, offset: 1 }] }]);
    expect(() => withVote(-1)).not.toThrow();
    expect(() => withVote(1)).not.toThrow();
    expect(inputError(() => withVote(1 + Number.EPSILON)).field).toBe('candidates[0].votes[0].value');
    expect(inputError(() => withVote(Number.NaN)).field).toBe('candidates[0].votes[0].value');

    const withRank = (r: number) =>
      resolve('authority', SUBJECT, PREDICATE, [ok], { trust: { ranks: new Map([[hex('ana'), r]]), source: 'learned', defaultRank: 0 } });
    expect(() => withRank(1)).not.toThrow();
    expect(inputError(() => withRank(1 + Number.EPSILON)).field).toBe(`context.trust.ranks[${hex('ana')}]`);

    expect(() => resolve('consensus', SUBJECT, PREDICATE, [ok], { asOfOffset: 0 })).not.toThrow();
    expect(inputError(() => resolve('consensus', SUBJECT, PREDICATE, [ok], { asOfOffset: -1 })).field).toBe('context.as_of_offset');
    expect(inputError(() => resolve('consensus', SUBJECT, PREDICATE, [{ ...ok, offset: -1 }])).field).toBe('candidates[0].offset');
    expect(() => resolve('consensus', SUBJECT, PREDICATE, [{ ...ok, offset: Number.MAX_SAFE_INTEGER }])).not.toThrow();
    expect(inputError(() => resolve('consensus', SUBJECT, PREDICATE, [{ ...ok, offset: Number.MAX_SAFE_INTEGER + 1 }])).field).toBe(
      'candidates[0].offset',
    );
  });

  it("a vote's offset and cast time and a candidate's supersession offset are checked, naming the field", () => {
    const withVoteAt = (offset: number, castAtMs: number) =>
      resolve('consensus', SUBJECT, PREDICATE, [ok, { ...ok, id: Buffer.alloc(32, 7), votes: [{ voter: ok.signers[0], value: 1, castAtMs, offset }] }]);
    expect(() => withVoteAt(0, 0)).not.toThrow();
    expect(inputError(() => withVoteAt(-1, 0)).field).toBe('candidates[1].votes[0].offset');
    expect(inputError(() => withVoteAt(0.5, 0)).field).toBe('candidates[1].votes[0].offset');
    expect(inputError(() => withVoteAt(0, Number.POSITIVE_INFINITY)).field).toBe('candidates[1].votes[0].cast_at_ms');
    const supersededAt = (supersededAtOffset: number) =>
      resolve('consensus', SUBJECT, PREDICATE, [{ ...ok, superseded: true, supersededAtOffset }]);
    expect(() => supersededAt(0)).not.toThrow();
    expect(inputError(() => supersededAt(-1)).field).toBe('candidates[0].superseded_at_offset');
  });

  it('a candidate without signers is refused', () => {
    expect(inputError(() => resolve('consensus', SUBJECT, PREDICATE, [{ ...ok, signers: [] }])).field).toBe('candidates[0].signers');
  });

  it('as_of_offset 0 hides everything: no_candidates', () => {
    expect(resolve('consensus', SUBJECT, PREDICATE, [ok], { asOfOffset: 0 }).outcome).toBe('no_candidates');
    expect(resolve('consensus', SUBJECT, PREDICATE, [ok], { asOfOffset: 1 }).outcome).toBe('resolved');
  });

  it('a supersession after as_of_offset does not count yet', () => {
    const later = { ...ok, offset: 5, superseded: true, supersededAtOffset: 50 };
    expect(resolve('consensus', SUBJECT, PREDICATE, [later], { asOfOffset: 50 }).outcome).toBe('resolved');
    expect(resolve('consensus', SUBJECT, PREDICATE, [later], { asOfOffset: 51 }).outcome).toBe('no_candidates');
    expect(resolve('consensus', SUBJECT, PREDICATE, [later]).outcome).toBe('no_candidates');
  });
});
