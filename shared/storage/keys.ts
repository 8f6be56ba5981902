/**
 * THE key codec: the only place keys are built and parsed.
 *
 * Layout (docs/STORAGE.md byte by byte):
 *   global            0x00 {TAG} ':' {suffix}
 *   subject-prefixed  {subject UTF-8} 0x00 {TAG} ':' {suffix}
 * A subject is non-empty and has no NUL, so a key's first byte tells the two
 * apart and `{subject}\x00` prefixes exactly that subject's keys. Suffix
 * components (key-components.ts) are self-delimiting, and `parseKey` consumes
 * every byte, so `parseKey(encodeKey(k))` equals `k` and two different logical
 * keys never share bytes.
 */
import { KeyCodecError } from './errors';
import { AGENT_BYTES, ID_BYTES, KEY_BYTES_MAX, KEY_NUMBER_BYTES } from './limits';
import { checkOffsetValue, decodeFixed, decodeOffset, decodeText, encodeFixed, encodeOffset, encodeSubject, encodeText, stringOf } from './key-components';
import { writeU64BE } from '../domain/u64';
import { KEY_KINDS, type FieldType, type KeyKind, type KeyScope } from './key-schema';

export { KEY_KINDS, type KeyKind } from './key-schema';

/** A key as a value: what `parseKey` returns and `encodeKey` takes. */
export type StoreKey =
  | { readonly kind: 'assertion'; readonly id: Buffer }
  | { readonly kind: 'pendingVote'; readonly assertionId: Buffer; readonly voter: Buffer }
  | { readonly kind: 'voteCount'; readonly assertionId: Buffer }
  | { readonly kind: 'voteWeight'; readonly assertionId: Buffer }
  | { readonly kind: 'epoch'; readonly name: string }
  | { readonly kind: 'superseded'; readonly parentId: Buffer; readonly childId: Buffer }
  | { readonly kind: 'meta'; readonly name: string }
  | { readonly kind: 'lmdbMeta'; readonly name: string }
  | { readonly kind: 'subjectPredicate'; readonly subject: string; readonly predicate: string; readonly offset: number; readonly assertionId: Buffer }
  | { readonly kind: 'view'; readonly subject: string; readonly predicate: string; readonly lens: string }
  | { readonly kind: 'trust'; readonly agent: Buffer }
  | { readonly kind: 'trustPack'; readonly id: Buffer }
  | { readonly kind: 'goldStandard'; readonly subject: string; readonly predicate: string; readonly id: Buffer }
  | { readonly kind: 'escalation'; readonly offset: number; readonly subject: string; readonly predicate: string }
  | { readonly kind: 'subjectEscalation'; readonly subject: string; readonly offset: number; readonly predicate: string }
  | { readonly kind: 'source'; readonly sourceHash: Buffer; readonly assertionId: Buffer }
  | { readonly kind: 'signerAssertion'; readonly agent: Buffer; readonly offset: number; readonly assertionId: Buffer }
  | { readonly kind: 'childAssertion'; readonly parentId: Buffer; readonly childId: Buffer }
  | { readonly kind: 'pairVote'; readonly subject: string; readonly predicate: string; readonly assertionId: Buffer; readonly voter: Buffer }
  | { readonly kind: 'trustHistory'; readonly agent: Buffer; readonly offset: number }
  | { readonly kind: 'subjectName'; readonly subject: string }
  | { readonly kind: 'predicateSubject'; readonly predicate: string; readonly subject: string }
  | { readonly kind: 'predicateObject'; readonly predicate: string; readonly object: string; readonly subject: string; readonly offset: number }
  | { readonly kind: 'entityReference'; readonly entity: string; readonly predicate: string; readonly subject: string; readonly offset: number }
  | { readonly kind: 'agentGrant'; readonly agent: Buffer; readonly offset: number }
  | { readonly kind: 'agentRevoke'; readonly agent: Buffer; readonly offset: number };

/** Well-known META / LMETA names. */
export const META_NAMES = {
  /** Offset the backend has applied the log through (u64 BE value). */
  cursor: 'cursor',
  /** RocksDB only: the redo intent of the last LMDB half (hybrid-store.ts). */
  intent: 'intent',
  /** RocksDB only: a key that is never stored; `flush()` writes a synced delete of it. */
  flush: 'flush',
  /** RocksDB only: the store format (u64 BE), stamped when a store is created (store-format.ts). */
  format: 'format',
} as const;

const NUL = 0x00;
const COLON = 0x3a;

const KIND_BY_SCOPE_TAG = new Map<string, KeyKind>(
  (Object.keys(KEY_KINDS) as KeyKind[]).map((kind) => [`${KEY_KINDS[kind].scope}/${KEY_KINDS[kind].tag}`, kind]),
);

function encodeField(type: FieldType, value: unknown, what: string): Buffer {
  switch (type) {
    case 'id':
      return encodeFixed(value, ID_BYTES, what);
    case 'agent':
      return encodeFixed(value, AGENT_BYTES, what);
    case 'text':
      return encodeText(value, what);
    case 'offset':
      return encodeOffset(value, what);
  }
}

/** `\x00{TAG}:` per tag, built once: what follows the subject (or starts a global key). */
const TAG_HEADS = new Map<string, Buffer>(Object.values(KEY_KINDS).map(({ tag }) => [tag, Buffer.from(`\x00${tag}:`, 'latin1')]));

function head(scope: KeyScope, tag: string, subject: unknown): Buffer[] {
  const tagHead = TAG_HEADS.get(tag)!;
  return scope === 'global' ? [tagHead] : [encodeSubject(subject), tagHead];
}

function finish(parts: Buffer[]): Buffer {
  const key = Buffer.concat(parts);
  if (key.length > KEY_BYTES_MAX) throw new KeyCodecError(`key is ${key.length} bytes, over the ${KEY_BYTES_MAX}-byte maximum`);
  return key;
}

/**
 * The bytes of a key. Throws KeyCodecError on a bad component or an oversized key.
 *
 * Written in one pass into one Buffer (ingest builds about eight keys per
 * record): the size first, then the bytes. A text that is ASCII without NUL —
 * nearly every subject, predicate and object form — is its own UTF-8 and needs
 * no escape, so it is copied code unit by code unit; any other text takes the
 * general encoder (key-components.ts). `encodePrefix` builds the same bytes
 * from the components one by one (test/storage/keys.test.ts compares the two).
 */
export function encodeKey(key: StoreKey): Buffer {
  const spec = COMPILED_KINDS.get(key.kind);
  if (spec === undefined) throw new KeyCodecError(`unknown key kind '${String(key.kind)}'`);
  const fields = key as unknown as Record<string, unknown>;
  const [n0, n1, n2, n3] = spec.names;
  return encodeValues(spec, fields.subject, at(fields, n0), at(fields, n1), at(fields, n2), at(fields, n3));
}

function at(fields: Record<string, unknown>, name: string | undefined): unknown {
  return name === undefined ? undefined : fields[name];
}

/** Component `i` of a key given as up to four positional values. */
function component(i: number, v0: unknown, v1: unknown, v2: unknown, v3: unknown): unknown {
  return i === 0 ? v0 : i === 1 ? v1 : i === 2 ? v2 : v3;
}

// A kind takes at most four suffix components (encodeValues' v0..v3); one with
// a fifth would be written wrong, which test/storage/keys.test.ts's builder
// property (every builder against the component encoders) catches.

/** Name of component `i` in an error (built only when one is thrown). */
function componentName(spec: CompiledKind, i: number): string {
  return `${spec.kind}.${spec.names[i]!}`;
}

/**
 * encodeKey with the components in the kind's order, as positional values (the
 * builders below: no key object, no array, no lookups by name; a component's
 * name is built only for an error).
 */
function encodeValues(spec: CompiledKind, subject: unknown, v0?: unknown, v1?: unknown, v2?: unknown, v3?: unknown): Buffer {
  const { types, tagHead } = spec;
  // Pass 1: check every component and add up the size; a text off the fast path
  // is encoded now (bit i of `slow`: component i did; bit 31: the subject did).
  let general: Buffer[] | undefined;
  let slow = 0;
  let size = tagHead.length;
  if (spec.subject) {
    const n = plainAsciiLength(subject);
    if (n > 0) size += n;
    else {
      (general ??= []).push(encodeSubject(subject));
      slow |= SUBJECT_SLOW;
    }
  }
  for (let i = 0; i < types.length; i++) {
    const value = component(i, v0, v1, v2, v3);
    const type = types[i]!;
    if (type === 'text') {
      const n = plainAsciiLength(value);
      if (n >= 0) size += n + 2;
      else {
        (general ??= []).push(encodeText(value, componentName(spec, i)));
        slow |= 1 << i;
      }
    } else if (type === 'offset') {
      if (!(typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)) checkOffsetValue(value, componentName(spec, i));
      size += KEY_NUMBER_BYTES;
    } else {
      const width = type === 'id' ? ID_BYTES : AGENT_BYTES;
      if (!(Buffer.isBuffer(value) && value.length === width)) encodeFixed(value, width, componentName(spec, i));
      size += width;
    }
  }
  if (general !== undefined) for (const b of general) size += b.length;
  if (size > KEY_BYTES_MAX) throw new KeyCodecError(`key is ${size} bytes, over the ${KEY_BYTES_MAX}-byte maximum`);
  // Pass 2: write.
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  let g = 0;
  if (spec.subject) o = (slow & SUBJECT_SLOW) === 0 ? writeAscii(out, o, subject as string) : copyInto(out, o, general![g++]!);
  o = copyInto(out, o, tagHead);
  for (let i = 0; i < types.length; i++) {
    const value = component(i, v0, v1, v2, v3);
    const type = types[i]!;
    if (type === 'text') {
      if ((slow & (1 << i)) !== 0) o = copyInto(out, o, general![g++]!);
      else {
        o = writeAscii(out, o, value as string);
        out[o++] = NUL;
        out[o++] = TEXT_TERMINATOR;
      }
    } else if (type === 'offset') {
      writeU64BE(out, value as number, o);
      o += KEY_NUMBER_BYTES;
    } else {
      o = copyInto(out, o, value as Buffer);
    }
  }
  return out;
}

const SUBJECT_SLOW = 1 << 31;

interface CompiledKind {
  readonly kind: KeyKind;
  readonly subject: boolean;
  readonly names: readonly string[];
  readonly types: readonly FieldType[];
  readonly tagHead: Buffer;
}

/** Each kind's spec as flat arrays, for encodeValues' loops. */
const COMPILED_KINDS = new Map<string, CompiledKind>(
  (Object.keys(KEY_KINDS) as KeyKind[]).map((kind) => {
    const spec = KEY_KINDS[kind];
    return [kind, { kind, subject: spec.scope === 'subject', names: spec.fields.map(([n]) => n), types: spec.fields.map(([, t]) => t), tagHead: TAG_HEADS.get(spec.tag)! }];
  }),
);
const K = (kind: KeyKind): CompiledKind => COMPILED_KINDS.get(kind)!;

const TEXT_TERMINATOR = 0x01;

/** The length of a string of ASCII code units 0x01..0x7f (its own UTF-8, nothing to escape), else -1. */
function plainAsciiLength(value: unknown): number {
  if (typeof value !== 'string') return -1;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0 || c > 0x7f) return -1;
  }
  return value.length;
}

function writeAscii(out: Buffer, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i);
  return at + s.length;
}

function copyInto(out: Buffer, at: number, bytes: Buffer): number {
  out.set(bytes, at);
  return at + bytes.length;
}

/**
 * A scan prefix: the key's head plus its first `values.length` suffix
 * components. Every component is self-delimiting, so the prefix matches exactly
 * the keys whose leading components equal `values`.
 */
export function encodePrefix(kind: KeyKind, subject: string | undefined, values: readonly unknown[]): Buffer {
  const spec = KEY_KINDS[kind];
  if (values.length > spec.fields.length) throw new KeyCodecError(`${kind} has ${spec.fields.length} components, got ${values.length}`);
  if (spec.scope === 'global' && subject !== undefined) throw new KeyCodecError(`${kind} keys are global: no subject`);
  const parts = head(spec.scope, spec.tag, subject);
  values.forEach((value, i) => {
    const [name, type] = spec.fields[i]!;
    parts.push(encodeField(type, value, `${kind}.${name}`));
  });
  return finish(parts);
}

/** Position of the tag's first byte, and whether the key is global. */
function tagStart(key: Buffer): number {
  if (key.length === 0) throw new KeyCodecError('empty key');
  if (key[0] === NUL) return 1;
  // A loop, not key.indexOf: subjects are short, and every key of a batch is routed through here.
  for (let i = 1; i < key.length; i++) if (key[i] === NUL) return i + 1;
  throw new KeyCodecError('no NUL after the subject', key.toString('hex'));
}

/** The tag of a key (e.g. 'SP'), without parsing the suffix. Used by routing. */
export function tagOf(key: Buffer): string {
  const start = tagStart(key);
  const colon = key.indexOf(COLON, start);
  if (colon < 0) throw new KeyCodecError("no ':' after the tag", key.toString('hex'));
  return key.toString('latin1', start, colon);
}

/**
 * The tag of a key as a number (its bytes base 256), without building a
 * string: for routing every key of a batch. Tags are ASCII capitals, so no two
 * tags share a code; a tag over TAG_CODE_BYTES_MAX bytes gives -1 (ask
 * `tagOf`). Throws like `tagOf` on bytes that are not a key.
 */
export function tagCodeOf(key: Buffer): number {
  const start = tagStart(key);
  let code = 0;
  for (let i = start; i < key.length; i++) {
    const b = key[i]!;
    if (b === COLON) return code;
    if (i - start === TAG_CODE_BYTES_MAX) return -1;
    code = code * 256 + b;
  }
  throw new KeyCodecError("no ':' after the tag", key.toString('hex'));
}

/** Longest tag `tagCodeOf` codes (6 bytes: under 2^53). */
export const TAG_CODE_BYTES_MAX = 6;

/** The code `tagCodeOf` gives keys of `tag`, or -1 past TAG_CODE_BYTES_MAX. */
export function tagCode(tag: string): number {
  if (tag.length > TAG_CODE_BYTES_MAX) return -1;
  let code = 0;
  for (let i = 0; i < tag.length; i++) code = code * 256 + tag.charCodeAt(i);
  return code;
}

function decodeField(type: FieldType, key: Buffer, pos: number, what: string): [unknown, number] {
  switch (type) {
    case 'id':
      return decodeFixed(key, pos, ID_BYTES, what);
    case 'agent':
      return decodeFixed(key, pos, AGENT_BYTES, what);
    case 'text':
      return decodeText(key, pos, what);
    case 'offset':
      return decodeOffset(key, pos, what);
  }
}

/** The logical key of some bytes; throws KeyCodecError for bytes no builder makes. */
export function parseKey(key: Buffer): StoreKey {
  const start = tagStart(key);
  const scope: KeyScope = start === 1 ? 'global' : 'subject';
  const tag = tagOf(key);
  const kind = KIND_BY_SCOPE_TAG.get(`${scope}/${tag}`);
  if (kind === undefined) throw new KeyCodecError(`unknown ${scope} tag '${tag}'`, key.toString('hex'));
  const out: Record<string, unknown> = { kind };
  if (scope === 'subject') out.subject = stringOf(key.subarray(0, start - 1), 'subject');
  let pos = start + tag.length + 1;
  for (const [name, type] of KEY_KINDS[kind].fields) {
    const [value, next] = decodeField(type, key, pos, `${kind}.${name}`);
    out[name] = value;
    pos = next;
  }
  if (pos !== key.length) throw new KeyCodecError(`${key.length - pos} trailing bytes after a ${kind} key`, key.toString('hex'));
  return out as unknown as StoreKey;
}

const FIXED_FIELD_BYTES: Readonly<Record<FieldType, number | undefined>> = { id: ID_BYTES, agent: AGENT_BYTES, offset: KEY_NUMBER_BYTES, text: undefined };

/**
 * One fixed-width component of a `kind` key, read from the key's end without
 * parsing the rest (a hot path: the ids of a long SP or PV scan). Only for a
 * component that has nothing but fixed-width components after it; the key's
 * tag must be `kind`'s. Callers scanning a prefix of `kind` know the rest of
 * the key already.
 */
export function tailComponent(key: Buffer, kind: KeyKind, name: string): Buffer | number {
  const spec = KEY_KINDS[kind];
  if (tagOf(key) !== spec.tag) throw new KeyCodecError(`not a ${kind} key`, key.toString('hex'));
  let end = key.length;
  for (let i = spec.fields.length - 1; i >= 0; i--) {
    const [field, type] = spec.fields[i]!;
    const width = FIXED_FIELD_BYTES[type];
    if (width === undefined) break;
    const start = end - width;
    if (field === name) {
      if (type === 'offset') return decodeOffset(key, start, `${kind}.${name}`)[0];
      return decodeFixed(key, start, width, `${kind}.${name}`)[0];
    }
    end = start;
  }
  throw new KeyCodecError(`${kind}.${name} is not a fixed-width component at the end of the key`);
}

/** Typed builders, one per key kind. */
export const keys = {
  assertion: (id: Buffer): Buffer => encodeValues(K('assertion'), undefined, id),
  pendingVote: (assertionId: Buffer, voter: Buffer): Buffer => encodeValues(K('pendingVote'), undefined, assertionId, voter),
  voteCount: (assertionId: Buffer): Buffer => encodeValues(K('voteCount'), undefined, assertionId),
  voteWeight: (assertionId: Buffer): Buffer => encodeValues(K('voteWeight'), undefined, assertionId),
  epoch: (name: string): Buffer => encodeValues(K('epoch'), undefined, name),
  superseded: (parentId: Buffer, childId: Buffer): Buffer => encodeValues(K('superseded'), undefined, parentId, childId),
  meta: (name: string): Buffer => encodeValues(K('meta'), undefined, name),
  lmdbMeta: (name: string): Buffer => encodeValues(K('lmdbMeta'), undefined, name),
  subjectPredicate: (subject: string, predicate: string, offset: number, assertionId: Buffer): Buffer => encodeValues(K('subjectPredicate'), subject, predicate, offset, assertionId),
  view: (subject: string, predicate: string, lens: string): Buffer => encodeValues(K('view'), subject, predicate, lens),
  trust: (agent: Buffer): Buffer => encodeValues(K('trust'), undefined, agent),
  trustPack: (id: Buffer): Buffer => encodeValues(K('trustPack'), undefined, id),
  goldStandard: (subject: string, predicate: string, id: Buffer): Buffer => encodeValues(K('goldStandard'), subject, predicate, id),
  escalation: (offset: number, subject: string, predicate: string): Buffer => encodeValues(K('escalation'), undefined, offset, subject, predicate),
  subjectEscalation: (subject: string, offset: number, predicate: string): Buffer => encodeValues(K('subjectEscalation'), subject, offset, predicate),
  source: (sourceHash: Buffer, assertionId: Buffer): Buffer => encodeValues(K('source'), undefined, sourceHash, assertionId),
  signerAssertion: (agent: Buffer, offset: number, assertionId: Buffer): Buffer => encodeValues(K('signerAssertion'), undefined, agent, offset, assertionId),
  childAssertion: (parentId: Buffer, childId: Buffer): Buffer => encodeValues(K('childAssertion'), undefined, parentId, childId),
  trustHistory: (agent: Buffer, offset: number): Buffer => encodeValues(K('trustHistory'), undefined, agent, offset),
  agentGrant: (agent: Buffer, offset: number): Buffer => encodeValues(K('agentGrant'), undefined, agent, offset),
  agentRevoke: (agent: Buffer, offset: number): Buffer => encodeValues(K('agentRevoke'), undefined, agent, offset),
  pairVote: (subject: string, predicate: string, assertionId: Buffer, voter: Buffer): Buffer => encodeValues(K('pairVote'), subject, predicate, assertionId, voter),
  subjectName: (subject: string): Buffer => encodeValues(K('subjectName'), undefined, subject),
  predicateSubject: (predicate: string, subject: string): Buffer => encodeValues(K('predicateSubject'), undefined, predicate, subject),
  predicateObject: (predicate: string, object: string, subject: string, offset: number): Buffer => encodeValues(K('predicateObject'), undefined, predicate, object, subject, offset),
  entityReference: (entity: string, predicate: string, subject: string, offset: number): Buffer => encodeValues(K('entityReference'), undefined, entity, predicate, subject, offset),
} as const;

/** Scan prefixes, one or more per key kind (fewer components = wider scan). */
export const prefixes = {
  /** Every key of one subject, in both backends: `{subject}\x00`. */
  subject: (subject: string): Buffer => Buffer.concat([encodeSubject(subject), Buffer.of(NUL)]),
  /** Every global key: `\x00`. */
  global: (): Buffer => Buffer.of(NUL),
  /** Every key of a kind (`subject` required for subject-prefixed kinds). */
  kind: (kind: KeyKind, subject?: string): Buffer => encodePrefix(kind, subject, []),
  pendingVotes: (assertionId: Buffer): Buffer => encodePrefix('pendingVote', undefined, [assertionId]),
  superseding: (parentId: Buffer): Buffer => encodePrefix('superseded', undefined, [parentId]),
  subjectPredicates: (subject: string): Buffer => encodePrefix('subjectPredicate', subject, []),
  subjectPredicate: (subject: string, predicate: string): Buffer => encodePrefix('subjectPredicate', subject, [predicate]),
  views: (subject: string, predicate?: string): Buffer => encodePrefix('view', subject, predicate === undefined ? [] : [predicate]),
  goldStandards: (subject: string, predicate?: string): Buffer => encodePrefix('goldStandard', subject, predicate === undefined ? [] : [predicate]),
  escalations: (): Buffer => encodePrefix('escalation', undefined, []),
  subjectEscalations: (subject: string): Buffer => encodePrefix('subjectEscalation', subject, []),
  sources: (sourceHash: Buffer): Buffer => encodePrefix('source', undefined, [sourceHash]),
  signerAssertions: (agent: Buffer): Buffer => encodePrefix('signerAssertion', undefined, [agent]),
  children: (parentId: Buffer): Buffer => encodePrefix('childAssertion', undefined, [parentId]),
  trustHistory: (agent?: Buffer): Buffer => encodePrefix('trustHistory', undefined, agent === undefined ? [] : [agent]),
  /** Every agent's grants (or one agent's), in key order: agent, then offset. */
  agentGrants: (agent?: Buffer): Buffer => encodePrefix('agentGrant', undefined, agent === undefined ? [] : [agent]),
  /** Every agent's revocations (or one agent's). */
  agentRevokes: (agent?: Buffer): Buffer => encodePrefix('agentRevoke', undefined, agent === undefined ? [] : [agent]),
  /** Every vote on the assertions of one (subject, predicate). */
  pairVotes: (subject: string, predicate: string): Buffer => encodePrefix('pairVote', subject, [predicate]),
  /** Every vote on one assertion (of that subject and predicate). */
  assertionVotes: (subject: string, predicate: string, assertionId: Buffer): Buffer => encodePrefix('pairVote', subject, [predicate, assertionId]),
  /** SUBJ keys of subjects whose name starts with `namePrefix` (raw UTF-8, no terminator: a text prefix). */
  subjectNames: (namePrefix = ''): Buffer => Buffer.concat([encodePrefix('subjectName', undefined, []), textPrefixBytes(namePrefix, 'subjectName.subject')]),
  /** PS keys of one predicate (every predicate when undefined). */
  predicateSubjects: (predicate?: string): Buffer => encodePrefix('predicateSubject', undefined, predicate === undefined ? [] : [predicate]),
  /** PO keys of one predicate, or of one (predicate, object). */
  predicateObjects: (predicate: string, object?: string): Buffer => encodePrefix('predicateObject', undefined, object === undefined ? [predicate] : [predicate, object]),
  /** REF keys of the assertions referring to one entity. */
  entityReferences: (entity: string): Buffer => encodePrefix('entityReference', undefined, [entity]),
} as const;

/**
 * The bytes a text component starts with, for a prefix scan over a partial
 * text (a name prefix): the component's escaped bytes without its terminator.
 */
function textPrefixBytes(value: string, what: string): Buffer {
  const full = encodeText(value, what);
  return full.subarray(0, full.length - 2);
}

/**
 * A stable, readable one-line form of a key for dumps and logs, e.g.
 * `SP subject="ada" predicate="born" offset=4096 assertionId=ab12…`
 * (binary components in full hex). Bytes no builder makes print as `raw:{hex}`.
 */
export function formatKey(key: Buffer): string {
  let parsed: StoreKey;
  try {
    parsed = parseKey(key);
  } catch {
    return `raw:${key.toString('hex')}`;
  }
  const spec = KEY_KINDS[parsed.kind];
  const fields = parsed as unknown as Record<string, unknown>;
  const names = spec.scope === 'subject' ? ['subject', ...spec.fields.map(([n]) => n)] : spec.fields.map(([n]) => n);
  const rendered = names.map((name) => {
    const v = fields[name];
    return `${name}=${Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'string' ? JSON.stringify(v) : String(v)}`;
  });
  return [spec.tag, ...rendered].join(' ');
}
