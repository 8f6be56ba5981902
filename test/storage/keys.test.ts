/**
 * The key codec: round trips, no collisions, prefix-freeness, order, limits,
 * and the byte layout docs/STORAGE.md shows.
 */
import fc from 'fast-check';
import { KeyCodecError } from '../../shared/storage/errors';
import { KEY_KINDS, encodeKey, encodePrefix, formatKey, keys, parseKey, prefixes, tagCode, tagCodeOf, tagOf, tailComponent, type KeyKind, type StoreKey } from '../../shared/storage/keys';
import { backendOfKey, backendOfTag } from '../../shared/storage/routing';
import { KEY_BYTES_MAX } from '../../shared/storage/limits';
import { componentId, logicalId, offset, storeKey, subject, text } from './key-arbitraries';

const RUNS = { numRuns: 2000 };
const ID = Buffer.alloc(32, 0xaa);
const ID2 = Buffer.alloc(32, 0xbb);
const AGENT = Buffer.alloc(32, 0xcc);
const hex = (b: Buffer): string => b.toString('hex');
const startsWith = (key: Buffer, prefix: Buffer): boolean => key.length >= prefix.length && key.subarray(0, prefix.length).equals(prefix);
const sign = (n: number): number => Math.sign(n);

describe('key codec properties', () => {
  it('the arbitraries cover every key kind', () => {
    const seen = new Set(fc.sample(storeKey, { numRuns: 2000, seed: 7 }).map((k) => k.kind));
    expect([...seen].sort()).toEqual(Object.keys(KEY_KINDS).sort());
  });

  it('tailComponent reads every fixed-width trailing component as parseKey does, and refuses any other', () => {
    fc.assert(
      fc.property(storeKey, (key) => {
        const bytes = encodeKey(key);
        const fields = KEY_KINDS[key.kind].fields;
        let fixedTail = true;
        for (let i = fields.length - 1; i >= 0; i--) {
          const [name, type] = fields[i]!;
          fixedTail &&= type !== 'text';
          if (fixedTail) expect(tailComponent(bytes, key.kind, name)).toEqual((key as unknown as Record<string, unknown>)[name]);
          else expect(() => tailComponent(bytes, key.kind, name)).toThrow(KeyCodecError);
        }
      }),
      RUNS,
    );
  });

  it('tailComponent refuses a key of another kind', () => {
    expect(() => tailComponent(keys.pendingVote(ID, AGENT), 'subjectPredicate', 'assertionId')).toThrow(KeyCodecError);
    expect(tailComponent(keys.pairVote('ada', 'born', ID, AGENT), 'pairVote', 'assertionId')).toEqual(ID);
    expect(tailComponent(keys.pairVote('ada', 'born', ID, AGENT), 'pairVote', 'voter')).toEqual(AGENT);
    expect(tailComponent(keys.subjectPredicate('ada', 'born', 4096, ID2), 'subjectPredicate', 'offset')).toBe(4096);
  });

  it('parseKey(encodeKey(k)) equals k for every kind', () => {
    fc.assert(
      fc.property(storeKey, (key) => {
        expect(parseKey(encodeKey(key))).toEqual(key);
      }),
      RUNS,
    );
  });

  it("encodeKey's one-pass writer makes the bytes the component encoders make (encodePrefix of every component)", () => {
    fc.assert(
      fc.property(storeKey, (key) => {
        const spec = KEY_KINDS[key.kind];
        const fields = key as unknown as Record<string, unknown>;
        const all = encodePrefix(key.kind, spec.scope === 'subject' ? (fields.subject as string) : undefined, spec.fields.map(([name]) => fields[name]));
        expect(hex(encodeKey(key))).toBe(hex(all));
      }),
      RUNS,
    );
  });

  it('backendOfKey (by tag code) routes every key as backendOfTag(tagOf(key)) does, and tag codes never collide', () => {
    fc.assert(
      fc.property(storeKey, (key) => {
        const bytes = encodeKey(key);
        expect(backendOfKey(bytes)).toBe(backendOfTag(tagOf(bytes)));
        const code = tagCodeOf(bytes);
        expect(code).toBe(tagCode(KEY_KINDS[key.kind].tag));
      }),
      RUNS,
    );
    const codes = [...new Set(Object.values(KEY_KINDS).map((k) => k.tag))].map(tagCode).filter((c) => c >= 0);
    expect(new Set(codes).size).toBe(codes.length);
    expect(() => tagCodeOf(Buffer.from('00414243', 'hex'))).toThrow(KeyCodecError);
    expect(() => tagCodeOf(Buffer.from('6162', 'hex'))).toThrow(KeyCodecError);
  });

  it('two keys encode to the same bytes exactly when they are the same logical key', () => {
    fc.assert(
      fc.property(storeKey, storeKey, (a, b) => {
        expect(encodeKey(a).equals(encodeKey(b))).toBe(logicalId(a) === logicalId(b));
      }),
      { numRuns: 5000 },
    );
  });

  it('tagOf reads the tag of its kind without parsing the suffix', () => {
    fc.assert(
      fc.property(storeKey, (key) => {
        expect(tagOf(encodeKey(key))).toBe(KEY_KINDS[key.kind].tag);
      }),
      RUNS,
    );
  });

  it('a prefix of the first n components matches exactly the keys that share them', () => {
    fc.assert(
      fc.property(storeKey, storeKey, fc.nat(), (probe, key, nRaw) => {
        const spec = KEY_KINDS[probe.kind];
        const n = nRaw % (spec.fields.length + 1);
        const fields = probe as unknown as Record<string, unknown>;
        const p = encodePrefix(probe.kind, spec.scope === 'subject' ? (fields.subject as string) : undefined, spec.fields.slice(0, n).map(([name]) => fields[name]));
        const other = key as unknown as Record<string, unknown>;
        const shares =
          key.kind === probe.kind &&
          (spec.scope === 'global' || other.subject === fields.subject) &&
          spec.fields.slice(0, n).every(([name]) => componentId(other[name]) === componentId(fields[name]));
        expect(startsWith(encodeKey(key), p)).toBe(shares);
      }),
      { numRuns: 5000 },
    );
  });

  it('a subject prefix matches only that subject ("a" never matches "ab" or global keys)', () => {
    fc.assert(
      fc.property(subject, storeKey, (s, key) => {
        const fields = key as unknown as Record<string, unknown>;
        const isSubjectKey = KEY_KINDS[key.kind].scope === 'subject';
        expect(startsWith(encodeKey(key), prefixes.subject(s))).toBe(isSubjectKey && fields.subject === s);
      }),
      RUNS,
    );
    expect(startsWith(keys.goldStandard('ab', 'p', ID), prefixes.subject('a'))).toBe(false);
    expect(startsWith(keys.subjectPredicate('s', 'pq', 1, ID), prefixes.subjectPredicate('s', 'p'))).toBe(false);
    expect(startsWith(keys.subjectPredicate('s', 'p\0', 1, ID), prefixes.subjectPredicate('s', 'p'))).toBe(false);
  });

  it('offsets sort numerically: SP keys of one predicate are in log order', () => {
    fc.assert(
      fc.property(offset, offset, (a, b) => {
        const ka = keys.subjectPredicate('s', 'p', a, ID);
        const kb = keys.subjectPredicate('s', 'p', b, ID);
        expect(sign(Buffer.compare(ka, kb))).toBe(sign(a - b));
      }),
      RUNS,
    );
  });

  it('text components sort like their UTF-8 bytes', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(sign(Buffer.compare(keys.epoch(a), keys.epoch(b)))).toBe(sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      }),
      RUNS,
    );
  });
});

describe('key layout', () => {
  it('global keys are 0x00 TAG ":" suffix', () => {
    expect(hex(keys.assertion(ID))).toBe(`00483a${'aa'.repeat(32)}`);
    expect(hex(keys.voteCount(ID))).toBe(`0056433a${'aa'.repeat(32)}`);
    expect(hex(keys.epoch('v2'))).toBe('00453a76320001');
    expect(hex(keys.meta('cursor'))).toBe('004d4554413a637572736f720001');
    expect(hex(keys.escalation(4096, 'ada', 'born'))).toBe('004553433a00000000000010006164610001626f726e0001');
  });

  it('subject-prefixed keys are subject 0x00 TAG ":" suffix', () => {
    expect(hex(keys.subjectPredicate('ada', 'born', 4096, ID))).toBe(`6164610053503a626f726e00010000000000001000${'aa'.repeat(32)}`);
    expect(hex(keys.view('ada', 'born', 'consensus'))).toBe('616461004d563a626f726e0001636f6e73656e7375730001');
    expect(hex(keys.subjectEscalation('ada', 4096, 'born'))).toBe('616461004553433a0000000000001000626f726e0001');
  });

  it('a NUL inside a text component is escaped as 00 ff', () => {
    expect(hex(keys.epoch('a\0b'))).toBe('00453a6100ff620001');
  });

  it('prefix builders are the leading bytes of the keys they scan', () => {
    expect(startsWith(keys.pairVote('ada', 'born', ID, AGENT), prefixes.assertionVotes('ada', 'born', ID))).toBe(true);
    expect(startsWith(keys.pairVote('ada', 'born', ID2, AGENT), prefixes.assertionVotes('ada', 'born', ID))).toBe(false);
    expect(startsWith(keys.pendingVote(ID, AGENT), prefixes.pendingVotes(ID))).toBe(true);
    expect(startsWith(keys.superseded(ID, ID2), prefixes.superseding(ID))).toBe(true);
    expect(startsWith(keys.subjectPredicate('ada', 'born', 7, ID), prefixes.subjectPredicates('ada'))).toBe(true);
    expect(startsWith(keys.view('ada', 'born', 'recency'), prefixes.views('ada', 'born'))).toBe(true);
    expect(startsWith(keys.goldStandard('ada', 'born', ID), prefixes.goldStandards('ada', 'born'))).toBe(true);
    expect(startsWith(keys.escalation(1, 'ada', 'born'), prefixes.escalations())).toBe(true);
    expect(startsWith(keys.subjectEscalation('ada', 1, 'born'), prefixes.subjectEscalations('ada'))).toBe(true);
    expect(startsWith(keys.source(ID2, ID), prefixes.sources(ID2))).toBe(true);
    expect(startsWith(keys.signerAssertion(AGENT, 1, ID), prefixes.signerAssertions(AGENT))).toBe(true);
    expect(startsWith(keys.trust(AGENT), prefixes.kind('trust'))).toBe(true);
    expect(startsWith(keys.trust(AGENT), prefixes.global())).toBe(true);
    expect(startsWith(keys.subjectEscalation('ada', 1, 'born'), prefixes.escalations())).toBe(false);
  });

  it('formatKey prints a stable readable line, and raw hex for bytes that are not a key', () => {
    expect(formatKey(keys.subjectPredicate('ada', 'born', 4096, ID))).toBe(`SP subject="ada" predicate="born" offset=4096 assertionId=${'aa'.repeat(32)}`);
    expect(formatKey(keys.escalation(9, 'a"b', 'p'))).toBe('ESC offset=9 subject="a\\"b" predicate="p"');
    expect(formatKey(Buffer.from('zz'))).toBe('raw:7a7a');
  });
});

describe('key codec refusals', () => {
  const codecError = (fn: () => unknown): void => expect(fn).toThrow(KeyCodecError);

  it('refuses subjects that would break the layout', () => {
    codecError(() => keys.goldStandard('a\0b', 'p', ID));
    codecError(() => keys.goldStandard('', 'p', ID));
    codecError(() => prefixes.subject('x\0'));
  });

  it('refuses strings with lone surrogates (UTF-8 would merge them)', () => {
    codecError(() => keys.epoch('\uD800'));
    codecError(() => keys.epoch('a\uDC00'));
    codecError(() => keys.view('\uDBFFx', 'p', 'l'));
    expect(parseKey(keys.epoch('😀')).kind).toBe('epoch');
  });

  it('refuses ids and agents of the wrong length', () => {
    codecError(() => keys.assertion(Buffer.alloc(31)));
    codecError(() => keys.assertion(Buffer.alloc(33)));
    codecError(() => keys.trust(Buffer.alloc(0)));
  });

  it('refuses offsets that are negative, fractional or above 2^53-1', () => {
    for (const bad of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN]) codecError(() => keys.subjectPredicate('s', 'p', bad, ID));
    expect(parseKey(keys.subjectPredicate('s', 'p', Number.MAX_SAFE_INTEGER, ID))).toMatchObject({ offset: Number.MAX_SAFE_INTEGER });
  });

  it(`accepts a key of ${KEY_BYTES_MAX} bytes and refuses one of ${KEY_BYTES_MAX + 1}`, () => {
    const overhead = keys.meta('').length;
    expect(keys.meta('x'.repeat(KEY_BYTES_MAX - overhead))).toHaveLength(KEY_BYTES_MAX);
    codecError(() => keys.meta('x'.repeat(KEY_BYTES_MAX - overhead + 1)));
  });

  it('the longest keys valid records produce fit the limit', () => {
    const subject512 = 'é'.repeat(256);
    const predicate256 = 'p'.repeat(256);
    expect(keys.escalation(Number.MAX_SAFE_INTEGER, subject512, predicate256).length).toBeLessThanOrEqual(KEY_BYTES_MAX);
    expect(keys.view(subject512, predicate256, 'l'.repeat(256)).length).toBeLessThanOrEqual(KEY_BYTES_MAX);
  });

  it.each([
    ['an empty key', ''],
    ['a subject without NUL', '616461'],
    ['no colon after the tag', '0048'],
    ['an unknown tag', '005a5a3a'],
    ['a truncated id', `00483a${'aa'.repeat(31)}`],
    ['trailing bytes', `00483a${'aa'.repeat(33)}`],
    ['a bad escape in text', '00453a610002'],
    ['unterminated text', '00453a6162'],
    ['invalid UTF-8 in the subject', 'ff00533a' + 'aa'.repeat(32)],
    ['a global-only tag under a subject', `61004d4554413a637572736f720001`],
  ])('parseKey refuses %s', (_what, bytes) => {
    codecError(() => parseKey(Buffer.from(bytes, 'hex')));
  });

  it('encodeKey refuses an unknown kind and encodePrefix refuses too many components', () => {
    codecError(() => encodeKey({ kind: 'nope' } as unknown as StoreKey));
    codecError(() => encodePrefix('trust' as KeyKind, undefined, [AGENT, AGENT]));
    codecError(() => encodePrefix('trust', 'subject', []));
  });
});

describe('typed builders', () => {
  /** Each builder's arguments from a key of its kind (builder argument order, which is not always the field order). */
  const ARGS: { readonly [K in KeyKind]: (k: Extract<StoreKey, { kind: K }>) => unknown[] } = {
    assertion: (k) => [k.id],
    pendingVote: (k) => [k.assertionId, k.voter],
    voteCount: (k) => [k.assertionId],
    voteWeight: (k) => [k.assertionId],
    epoch: (k) => [k.name],
    superseded: (k) => [k.parentId, k.childId],
    meta: (k) => [k.name],
    lmdbMeta: (k) => [k.name],
    subjectPredicate: (k) => [k.subject, k.predicate, k.offset, k.assertionId],
    view: (k) => [k.subject, k.predicate, k.lens],
    trust: (k) => [k.agent],
    trustPack: (k) => [k.id],
    goldStandard: (k) => [k.subject, k.predicate, k.id],
    escalation: (k) => [k.offset, k.subject, k.predicate],
    subjectEscalation: (k) => [k.subject, k.offset, k.predicate],
    source: (k) => [k.sourceHash, k.assertionId],
    signerAssertion: (k) => [k.agent, k.offset, k.assertionId],
    childAssertion: (k) => [k.parentId, k.childId],
    pairVote: (k) => [k.subject, k.predicate, k.assertionId, k.voter],
    trustHistory: (k) => [k.agent, k.offset],
    subjectName: (k) => [k.subject],
    predicateSubject: (k) => [k.predicate, k.subject],
    predicateObject: (k) => [k.predicate, k.object, k.subject, k.offset],
    entityReference: (k) => [k.entity, k.predicate, k.subject, k.offset],
    agentGrant: (k) => [k.agent, k.offset],
    agentRevoke: (k) => [k.agent, k.offset],
  };

  it('every builder (positional components, one Buffer) makes the bytes of the component-by-component encoding', () => {
    fc.assert(
      fc.property(storeKey, (key) => {
        const spec = KEY_KINDS[key.kind];
        const fields = key as unknown as Record<string, unknown>;
        const args = (ARGS[key.kind] as (k: StoreKey) => unknown[])(key);
        const built = (keys[key.kind] as (...a: unknown[]) => Buffer)(...args);
        const reference = encodePrefix(key.kind, spec.scope === 'subject' ? (fields.subject as string) : undefined, spec.fields.map(([name]) => fields[name]));
        expect(built.toString('hex')).toBe(reference.toString('hex'));
        expect(encodeKey(key).toString('hex')).toBe(reference.toString('hex'));
      }),
      { numRuns: 3000 },
    );
  });

  it('a refused component is named in the error', () => {
    expect(() => keys.subjectPredicate('s', 'p', -1, ID)).toThrow('subjectPredicate.offset');
    expect(() => keys.signerAssertion(Buffer.alloc(31), 0, ID)).toThrow('signerAssertion.agent must be 32 bytes, got 31');
    expect(() => keys.pairVote('s', 'p', ID, 'x' as unknown as Buffer)).toThrow('pairVote.voter must be a Buffer');
    expect(() => keys.predicateObject('p', '\uD800', 's', 0)).toThrow('predicateObject.object');
  });
});
