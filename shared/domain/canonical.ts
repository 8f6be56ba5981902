/**
 * The canonical, language-neutral bytes of a record: what its id hashes and what
 * its signers sign (through the id). Layout (docs/FORMAT.md has it byte by byte
 * with test vectors):
 *
 *   u8 format_version (1) ‖ u8 record_type ‖ the kind's fields in a fixed order
 *
 * Signatures are never included: a co-signed record keeps its id. The input must
 * be a valid record (`validateRecord`); fixed-length fields are asserted here.
 */
import { ByteWriter } from './byte-writer';
import { CANONICAL_FORMAT_VERSION, CANONICAL_SCRATCH_BYTES_MAX, HASH_BYTES, PUBLIC_KEY_BYTES } from './limits';
import { RECORD_TYPE_BYTE, type ObjectKind, type ObjectValue, type StemeRecord, type TrustEntry } from './types';

/** The one-byte object kind of the canonical encoding. */
export const OBJECT_KIND_BYTE: Readonly<Record<ObjectKind, number>> = {
  text: 0,
  number: 1,
  integer: 2,
  boolean: 3,
  entity: 4,
  timestamp: 5,
  bytes: 6,
};

/** The canonical bytes of `record` (signatures excluded). */
export function canonicalBytes(record: StemeRecord): Buffer {
  return writeCanonical(new ByteWriter(), record).finish();
}

/** The one scratch writer of `withCanonicalBytes` (the thread's: JavaScript runs one call at a time). */
let scratch: ByteWriter | undefined;

/**
 * Calls `use` with the canonical bytes of `record` in a scratch buffer reused
 * from call to call (no buffer allocated or copied per record: the id's hot
 * path). `use` must not keep the bytes: they are overwritten by the next call.
 * A scratch buffer grown past CANONICAL_SCRATCH_BYTES_MAX by a large record
 * is dropped afterwards, so one large record does not hold memory for good.
 */
export function withCanonicalBytes<T>(record: StemeRecord, use: (bytes: Buffer) => T): T {
  const w = scratch ?? new ByteWriter();
  scratch = undefined; // a `use` that asks for canonical bytes again gets a writer of its own
  try {
    return use(writeCanonical(w.reset(), record).view());
  } finally {
    if (w.capacity <= CANONICAL_SCRATCH_BYTES_MAX) scratch = w;
  }
}

function writeCanonical(w: ByteWriter, record: StemeRecord): ByteWriter {
  w.u8(CANONICAL_FORMAT_VERSION).u8(RECORD_TYPE_BYTE[record.kind]);
  switch (record.kind) {
    case 'assertion':
      w.str(record.subject).str(record.predicate);
      writeObject(w, record.object);
      w.f64(record.confidence).fixed(record.sourceHash, HASH_BYTES);
      if (record.visualHash === null) w.u8(0);
      else w.u8(1).u64(record.visualHash);
      if (record.parentHash === null) w.u8(0);
      else w.u8(1).fixed(record.parentHash, HASH_BYTES);
      writeOptStr(w, record.epoch);
      w.i64(record.assertedAtMs);
      break;
    case 'vote':
      w.fixed(record.assertionId, HASH_BYTES).fixed(record.voter, PUBLIC_KEY_BYTES).f64(record.value).i64(record.castAtMs);
      break;
    case 'epoch':
      w.str(record.name).str(record.description).i64(record.startsAtMs);
      writeOptStr(w, record.parent);
      break;
    case 'gold_standard':
      w.str(record.subject).str(record.predicate);
      writeObject(w, record.object);
      w.i64(record.createdAtMs);
      break;
    case 'trust_pack': {
      w.str(record.name).i64(record.createdAtMs).u32(record.entries.length);
      for (const entry of sortTrustEntries(record.entries)) w.fixed(entry.agent, PUBLIC_KEY_BYTES).f64(entry.weight);
      // Only a learned pack has the marker byte, so every pack made before it keeps its bytes and id.
      if (record.learned === true) w.u8(1);
      break;
    }
    case 'agent_grant':
      w.fixed(record.agent, PUBLIC_KEY_BYTES).i64(record.grantedAtMs);
      if (record.expiresAtMs === null) w.u8(0);
      else w.u8(1).i64(record.expiresAtMs);
      break;
    case 'agent_revoke':
      w.fixed(record.agent, PUBLIC_KEY_BYTES).str(record.reason).i64(record.revokedAtMs);
      break;
    default:
      throw new TypeError(`unknown record kind '${String((record as { kind: unknown }).kind)}'`);
  }
  return w;
}

/** The canonical bytes of an object value alone (kind byte then value). */
export function canonicalObjectBytes(object: ObjectValue): Buffer {
  const w = new ByteWriter();
  writeObject(w, object);
  return w.finish();
}

/** Trust entries in canonical order: by agent bytes, ascending. Returns a new array. */
export function sortTrustEntries(entries: readonly TrustEntry[]): TrustEntry[] {
  return [...entries].sort((a, b) => Buffer.compare(a.agent, b.agent));
}

function writeObject(w: ByteWriter, object: ObjectValue): void {
  w.u8(OBJECT_KIND_BYTE[object.kind]);
  switch (object.kind) {
    case 'text':
    case 'entity':
      w.str(object.value);
      return;
    case 'number':
      w.f64(object.value);
      return;
    case 'integer':
    case 'timestamp':
      w.i64(object.value);
      return;
    case 'boolean':
      w.u8(object.value ? 1 : 0);
      return;
    case 'bytes':
      w.bytes(object.value);
      return;
    default:
      throw new TypeError(`unknown object kind '${String((object as { kind: unknown }).kind)}'`);
  }
}

function writeOptStr(w: ByteWriter, value: string | null): void {
  if (value === null) w.u8(0);
  else w.u8(1).str(value);
}
