/**
 * fast-check arbitraries for every key kind. Components come from small
 * alphabets (NUL, 0xff-ish characters, short ids) half the time, so distinct
 * keys that would collide under a careless layout are generated often.
 */
import fc from 'fast-check';
import type { StoreKey } from '../../shared/storage/keys';

const tricky = fc.constantFrom('', 'a', 'ab', '\0', 'a\0', '\0\x01', ':', '\xff', 'é', '😀', 'S:', 'a\0SP:');

/** Any well-formed string (no lone surrogates), often a tricky one. */
export const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), tricky, fc.array(tricky, { maxLength: 3 }).map((p) => p.join('')));

/** A subject: non-empty, no NUL. */
export const subject = text.map((s) => s.replace(/\0/g, '')).filter((s) => s.length > 0);

const fixed32 = fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((a) => Buffer.from(a)),
  fc.constantFrom(0x00, 0x01, 0x3a, 0xff).map((b) => Buffer.alloc(32, b)),
);
export const id = fixed32;
export const agent = fixed32;
export const offset = fc.oneof(fc.constantFrom(0, 1, 255, 256, Number.MAX_SAFE_INTEGER), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));

export const storeKey: fc.Arbitrary<StoreKey> = fc.oneof(
  fc.record({ kind: fc.constant('assertion' as const), id }),
  fc.record({ kind: fc.constant('pendingVote' as const), assertionId: id, voter: agent }),
  fc.record({ kind: fc.constant('voteCount' as const), assertionId: id }),
  fc.record({ kind: fc.constant('voteWeight' as const), assertionId: id }),
  fc.record({ kind: fc.constant('epoch' as const), name: text }),
  fc.record({ kind: fc.constant('superseded' as const), parentId: id, childId: id }),
  fc.record({ kind: fc.constant('meta' as const), name: text }),
  fc.record({ kind: fc.constant('lmdbMeta' as const), name: text }),
  fc.record({ kind: fc.constant('subjectPredicate' as const), subject, predicate: text, offset, assertionId: id }),
  fc.record({ kind: fc.constant('view' as const), subject, predicate: text, lens: text }),
  fc.record({ kind: fc.constant('trust' as const), agent }),
  fc.record({ kind: fc.constant('trustPack' as const), id }),
  fc.record({ kind: fc.constant('goldStandard' as const), subject, predicate: text, id }),
  fc.record({ kind: fc.constant('escalation' as const), offset, subject: text, predicate: text }),
  fc.record({ kind: fc.constant('subjectEscalation' as const), subject, offset, predicate: text }),
  fc.record({ kind: fc.constant('source' as const), sourceHash: id, assertionId: id }),
  fc.record({ kind: fc.constant('signerAssertion' as const), agent, offset, assertionId: id }),
  fc.record({ kind: fc.constant('childAssertion' as const), parentId: id, childId: id }),
  fc.record({ kind: fc.constant('trustHistory' as const), agent, offset }),
  fc.record({ kind: fc.constant('agentGrant' as const), agent, offset }),
  fc.record({ kind: fc.constant('agentRevoke' as const), agent, offset }),
  fc.record({ kind: fc.constant('pairVote' as const), subject, predicate: text, assertionId: id, voter: agent }),
  fc.record({ kind: fc.constant('subjectName' as const), subject: text }),
  fc.record({ kind: fc.constant('predicateSubject' as const), predicate: text, subject: text }),
  fc.record({ kind: fc.constant('predicateObject' as const), predicate: text, object: text, subject: text, offset }),
  fc.record({ kind: fc.constant('entityReference' as const), entity: text, predicate: text, subject: text, offset }),
);

/** A canonical string of a logical key, for equality of keys as values. */
export function logicalId(key: StoreKey): string {
  return JSON.stringify(Object.entries(key).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, Buffer.isBuffer(v) ? `hex:${v.toString('hex')}` : v]));
}

/** A canonical string of one key component (Buffer, string or number). */
export function componentId(value: unknown): string {
  return Buffer.isBuffer(value) ? `hex:${value.toString('hex')}` : JSON.stringify(value);
}
