/**
 * The ESC value: what an escalation answers (stemedb.v1.Escalation), not the
 * whole resolution. Subject, predicate and offset are in the key (both ESC
 * keys hold all three), so the value is only the top two alternatives' objects
 * and shares. Layout, little-endian (docs/STORAGE.md, "ESC value", has it byte
 * by byte with an example):
 *
 *   u8 version (1) ‖ top object ‖ f64 top share ‖ runner-up object ‖ f64 runner-up share
 *
 * An object is a kind byte then its value as in the canonical record encoding
 * (binary-fields.ts). Stores written before this encoding (store format 1)
 * held the resolution's canonical JSON, first byte `{` (0x7b): such a store is
 * refused when it is opened (shared/storage/store-format.ts), and a value of
 * that form found anyway is refused here with a message saying so.
 */
import type { EscalationFacts } from '../lens/escalation';
import { FieldReader, FieldWriter } from './binary-fields';
import { ResolutionDecodeError } from './errors';

/** Version byte of the ESC encoding; bumped on any change. */
export const ESCALATION_ENCODING_VERSION = 1;

/** First byte of the JSON resolutions that older stores kept under ESC. */
const LEGACY_JSON_BYTE = 0x7b;

/** The stored ESC bytes of `facts` (same facts, same bytes). Throws ResolutionEncodeError naming a field it cannot store. */
export function encodeEscalation(facts: EscalationFacts): Buffer {
  return new FieldWriter()
    .u8(ESCALATION_ENCODING_VERSION)
    .object(facts.top, 'top')
    .f64(facts.topShare, 'topShare')
    .object(facts.runnerUp, 'runnerUp')
    .f64(facts.runnerUpShare, 'runnerUpShare')
    .finish();
}

/**
 * The escalation facts of (subject, predicate) that `encodeEscalation` stored.
 * Throws ResolutionDecodeError naming the bad field.
 */
export function decodeEscalation(subject: string, predicate: string, bytes: Buffer): EscalationFacts {
  if (bytes[0] === LEGACY_JSON_BYTE) throw new ResolutionDecodeError('v', 'an escalation stored as JSON (store format 1): rebuild the store from the log');
  const r = new FieldReader(bytes);
  const version = r.u8('v');
  if (version !== ESCALATION_ENCODING_VERSION) throw new ResolutionDecodeError('v', `unsupported escalation encoding version ${version}`);
  const top = r.object('top');
  const topShare = r.f64('topShare');
  const runnerUp = r.object('runnerUp');
  const runnerUpShare = r.f64('runnerUpShare');
  r.end();
  return { subject, predicate, top, topShare, runnerUp, runnerUpShare };
}
