import fc from 'fast-check';
import { canonicalBytes } from '../../shared/domain/canonical';
import { recordId } from '../../shared/domain/hash';
import type { ObjectValue, StemeRecord } from '../../shared/domain/types';
import { validateRecord } from '../../shared/domain/validate';
import { anyRecord, assertion, epoch, goldStandard, objectValue, recordKinds, signature, trustPack } from './arbitraries';
import { readCanonical } from './canonical-reader';
import { assertionWith, KEY_B, KEY_C, resign, trustPackWith } from './fixtures';

const RUNS = 200;

/** A deep copy that keeps Buffers as Buffers (structuredClone makes them Uint8Arrays). */
function deepCopy<T>(value: T): T {
  if (Buffer.isBuffer(value)) return Buffer.from(value) as T;
  if (Array.isArray(value)) return value.map(deepCopy) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepCopy(v)])) as T;
  return value;
}
const unsigned = <R extends StemeRecord>(r: R): R => ({ ...r, signatures: [] });

describe('canonical encoding', () => {
  it.each(recordKinds)('every valid %s reads back field for field from its canonical bytes (layout of docs/FORMAT.md)', (_kind, arb) => {
    fc.assert(
      fc.property(arb as fc.Arbitrary<StemeRecord>, (record) => {
        validateRecord(record);
        expect(readCanonical(canonicalBytes(record))).toEqual(unsigned(record));
      }),
      { numRuns: RUNS },
    );
  });

  it('covers every object kind', () => {
    fc.assert(
      fc.property(objectValue, (object) => {
        const record = assertionWith({}, object);
        expect(readCanonical(canonicalBytes(record))).toEqual(unsigned(record));
      }),
      { numRuns: RUNS },
    );
  });

  it('starts with format version 1 and the record type byte', () => {
    fc.assert(
      fc.property(anyRecord, (record) => {
        const bytes = canonicalBytes(record);
        expect(bytes[0]).toBe(1);
        expect(bytes[1]).toBe({ assertion: 0, vote: 1, epoch: 2, gold_standard: 3, trust_pack: 4, agent_grant: 5, agent_revoke: 6 }[record.kind]);
      }),
      { numRuns: RUNS },
    );
  });

  it('writes -0 as +0, so both give one id', () => {
    const plus = assertionWith({ confidence: 0 }, { kind: 'number', value: 0 });
    const minus = assertionWith({ confidence: -0 }, { kind: 'number', value: -0 });
    expect(canonicalBytes(minus).equals(canonicalBytes(plus))).toBe(true);
  });

  it('sorts trust pack entries by agent, so wire order does not change the id', () => {
    const pack = trustPackWith();
    const reversed = { ...pack, entries: [...pack.entries].reverse() };
    expect(recordId(reversed).equals(recordId(pack))).toBe(true);
  });
});

describe('record ids', () => {
  it('are 32 bytes and deterministic', () => {
    fc.assert(
      fc.property(anyRecord, (record) => {
        const id = recordId(record);
        expect(id).toHaveLength(32);
        expect(recordId(deepCopy(record)).equals(id)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('do not cover signatures: adding a co-signer or reordering signers keeps the id', () => {
    fc.assert(
      fc.property(fc.oneof(assertion, epoch, goldStandard, trustPack), signature, (record, extra) => {
        const id = recordId(record);
        expect(recordId({ ...record, signatures: [...record.signatures, extra] }).equals(id)).toBe(true);
        expect(recordId({ ...record, signatures: [...record.signatures].reverse() }).equals(id)).toBe(true);
        expect(recordId({ ...record, signatures: [] }).equals(id)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('a real co-signature keeps the id', () => {
    const a = resign(assertionWith());
    const both = resign(a, [KEY_B, KEY_C]);
    expect(recordId(both).equals(recordId(a))).toBe(true);
  });

  /** Changes that alter exactly one hashed field to another valid value. */
  const flip = (b: Buffer): Buffer => {
    const c = Buffer.from(b);
    c[c.length - 1]! ^= 1;
    return c;
  };
  const otherString = (s: string): string => (s.endsWith('x') ? s.slice(0, -1) + 'y' : s.slice(0, -1) + 'x');
  const otherUnit = (x: number): number => (x > 0.5 ? x / 2 : x + 0.25);
  const otherTime = (t: number): number => t - 1;
  const otherObject = (o: ObjectValue): ObjectValue[] => {
    const changed: ObjectValue =
      o.kind === 'text' || o.kind === 'entity'
        ? { kind: o.kind, value: o.value === '' ? 'x' : otherString(o.value) }
        : o.kind === 'number'
          ? { kind: 'number', value: o.value === 0 ? 1 : -o.value }
          : o.kind === 'integer' || o.kind === 'timestamp'
            ? { kind: o.kind, value: o.value === 0n ? 1n : o.value > 0n ? o.value - 1n : o.value + 1n }
            : o.kind === 'boolean'
              ? { kind: 'boolean', value: !o.value }
              : { kind: 'bytes', value: o.value.length === 0 ? Buffer.from([0]) : flip(o.value) };
    // Same value bits under another kind must also change the id.
    const otherKind: ObjectValue =
      o.kind === 'text'
        ? { kind: 'entity', value: o.value === '' ? 'x' : o.value }
        : o.kind === 'entity'
          ? { kind: 'text', value: o.value }
          : o.kind === 'integer'
            ? { kind: 'timestamp', value: o.value > 8_640_000_000_000_000n || o.value < -8_640_000_000_000_000n ? 0n : o.value }
            : o.kind === 'timestamp'
              ? { kind: 'integer', value: o.value }
              : o.kind === 'boolean'
                ? { kind: 'integer', value: o.value ? 1n : 0n }
                : o.kind === 'number'
                  ? { kind: 'integer', value: 0n }
                  : { kind: 'text', value: '' };
    return [changed, otherKind];
  };

  function mutations(r: StemeRecord): Array<[string, StemeRecord]> {
    switch (r.kind) {
      case 'assertion':
        return [
          ['subject', { ...r, subject: otherString(r.subject) }],
          ['predicate', { ...r, predicate: otherString(r.predicate) }],
          ...otherObject(r.object).map((object): [string, StemeRecord] => ['object', { ...r, object }]),
          ['confidence', { ...r, confidence: otherUnit(r.confidence) }],
          ['source_hash', { ...r, sourceHash: flip(r.sourceHash) }],
          ['visual_hash', { ...r, visualHash: r.visualHash === null ? 0n : null }],
          ['visual_hash value', { ...r, visualHash: r.visualHash === null ? 1n : r.visualHash ^ 1n }],
          ['parent_hash', { ...r, parentHash: r.parentHash === null ? Buffer.alloc(32) : null }],
          ['parent_hash value', { ...r, parentHash: r.parentHash === null ? Buffer.alloc(32, 1) : flip(r.parentHash) }],
          ['epoch', { ...r, epoch: r.epoch === null ? 'e' : null }],
          ['epoch value', { ...r, epoch: r.epoch === null ? 'f' : otherString(r.epoch) }],
          ['asserted_at_ms', { ...r, assertedAtMs: otherTime(r.assertedAtMs) }],
        ];
      case 'vote':
        return [
          ['assertion_id', { ...r, assertionId: flip(r.assertionId) }],
          ['voter', { ...r, voter: flip(r.voter) }],
          ['value', { ...r, value: r.value === 0 ? 1 : -r.value }],
          ['cast_at_ms', { ...r, castAtMs: otherTime(r.castAtMs) }],
        ];
      case 'epoch':
        return [
          ['name', { ...r, name: otherString(r.name) }],
          ['description', { ...r, description: r.description + 'x' }],
          ['starts_at_ms', { ...r, startsAtMs: otherTime(r.startsAtMs) }],
          ['parent', { ...r, parent: r.parent === null ? 'p' : null }],
          ['parent value', { ...r, parent: r.parent === null ? 'q' : otherString(r.parent) }],
        ];
      case 'gold_standard':
        return [
          ['subject', { ...r, subject: otherString(r.subject) }],
          ['predicate', { ...r, predicate: otherString(r.predicate) }],
          ...otherObject(r.object).map((object): [string, StemeRecord] => ['object', { ...r, object }]),
          ['created_at_ms', { ...r, createdAtMs: otherTime(r.createdAtMs) }],
        ];
      case 'trust_pack':
        return [
          ['name', { ...r, name: otherString(r.name) }],
          ['created_at_ms', { ...r, createdAtMs: otherTime(r.createdAtMs) }],
          ['entries[0].agent', { ...r, entries: [{ ...r.entries[0]!, agent: flip(r.entries[0]!.agent) }, ...r.entries.slice(1)] }],
          ['entries[0].weight', { ...r, entries: [{ ...r.entries[0]!, weight: otherUnit(r.entries[0]!.weight) }, ...r.entries.slice(1)] }],
          ['entries count', r.entries.length > 1 ? { ...r, entries: r.entries.slice(1) } : { ...r, entries: [...r.entries, { agent: flip(r.entries[0]!.agent), weight: 0 }] }],
        ];
      case 'agent_grant':
        return [
          ['agent', { ...r, agent: flip(r.agent) }],
          ['granted_at_ms', { ...r, grantedAtMs: otherTime(r.grantedAtMs) }],
          ['expires_at_ms', { ...r, expiresAtMs: r.expiresAtMs === null ? r.grantedAtMs + 1 : null }],
        ];
      case 'agent_revoke':
        return [
          ['agent', { ...r, agent: flip(r.agent) }],
          ['reason', { ...r, reason: r.reason + 'x' }],
          ['revoked_at_ms', { ...r, revokedAtMs: otherTime(r.revokedAtMs) }],
        ];
    }
  }

  it('change when any hashed field changes', () => {
    fc.assert(
      fc.property(anyRecord, (record) => {
        const id = recordId(record);
        for (const [field, mutated] of mutations(record)) {
          if (recordId(mutated).equals(id)) throw new Error(`changing ${field} of a ${record.kind} kept the id`);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
