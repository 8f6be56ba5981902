/**
 * A stable, readable one-line rendering of a stored value, chosen by its key's
 * kind (what `stemedb store dump` prints). Values this model does not know, or
 * cannot decode, print as `hex:{bytes}`, so a dump never fails on a damaged
 * value.
 */
import { recordToJson } from '../domain/record-json';
import { decodeEscalation } from './escalation-codec';
import { encodeResolution, objectJson } from './resolution-codec';
import { decodeStoredResolution } from './stored-resolution';
import { formatKey, parseKey, type StoreKey } from '../storage/keys';
import { decodeF64, decodeU64 } from './scalars';
import { decodeStoredRecord } from './stored-record';
import { decodeTrustEvidence } from './trust-evidence';
import { decodeVoteHistory } from './vote-history';

function storedRecordJson(value: Buffer, tag: string): string {
  const s = decodeStoredRecord(value, tag);
  return JSON.stringify({
    offset: s.offset,
    ...(s.supersededAtOffset === null ? {} : { supersededAtOffset: s.supersededAtOffset }),
    record: recordToJson(s.record),
    coSigners: s.coSigners.map((c) => ({ offset: c.offset, publicKey: c.publicKey.toString('hex'), signature: c.signature.toString('hex') })),
    ...(s.withdrawals === undefined ? {} : { withdrawals: s.withdrawals.map((w) => ({ offset: w.offset, agent: w.agent.toString('hex'), childId: w.childId.toString('hex') })) }),
  });
}

/** The MV value as canonical JSON of the resolution it decodes to (summary rebuilt, no explanations). */
function storedResolutionJson(subject: string, predicate: string, value: Buffer): string {
  return encodeResolution(decodeStoredResolution(subject, predicate, value)).toString('utf8');
}

/** The ESC value as JSON: the top two objects (as in a resolution's JSON) and their shares. */
function escalationJson(subject: string, predicate: string, value: Buffer): string {
  const f = decodeEscalation(subject, predicate, value);
  return JSON.stringify({ top: objectJson(f.top), topShare: f.topShare, runnerUp: objectJson(f.runnerUp), runnerUpShare: f.runnerUpShare });
}

function render(key: StoreKey, value: Buffer): string {
  switch (key.kind) {
    case 'assertion':
      return storedRecordJson(value, 'H');
    case 'goldStandard':
      return storedRecordJson(value, 'GS');
    case 'trustPack':
      return storedRecordJson(value, 'TP');
    case 'epoch':
      return storedRecordJson(value, 'E');
    case 'agentGrant':
      return storedRecordJson(value, 'AGRANT');
    case 'agentRevoke':
      return storedRecordJson(value, 'AREV');
    case 'pendingVote':
    case 'pairVote':
      return JSON.stringify(decodeVoteHistory(value));
    case 'voteCount':
    case 'superseded':
    case 'childAssertion':
    case 'subjectName':
    case 'predicateSubject':
    case 'source':
    case 'meta':
    case 'lmdbMeta':
      return String(decodeU64(value, key.kind));
    case 'voteWeight':
      return String(decodeF64(value, key.kind));
    case 'trust':
    case 'trustHistory':
      return JSON.stringify(decodeTrustEvidence(value, key.kind));
    case 'view':
      return storedResolutionJson(key.subject, key.predicate, value);
    case 'escalation':
    case 'subjectEscalation':
      return escalationJson(key.subject, key.predicate, value);
    case 'subjectPredicate':
    case 'predicateObject':
    case 'entityReference':
      if (value.length === 0) return '""';
      break;
    case 'signerAssertion':
      break;
  }
  return `hex:${value.toString('hex')}`;
}

/** The readable form of `value` stored under `key`. */
export function formatValue(key: Buffer, value: Buffer): string {
  try {
    return render(parseKey(key), value);
  } catch {
    return `hex:${value.toString('hex')}`;
  }
}

/** One line of `stemedb store dump`: backend, the key per the codec, `=`, the value. */
export function formatDumpEntry(entry: { readonly backend: string; readonly key: Buffer; readonly value: Buffer }): string {
  return `${entry.backend} ${formatKey(entry.key)} = ${formatValue(entry.key, entry.value)}`;
}
