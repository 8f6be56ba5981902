/**
 * The trust reads of GraphReader: gold-standard evidence per agent (TRUST now,
 * the last TRUSTH entry below an offset for time travel) and the newest
 * learned trust pack below an offset.
 */
import type { TrustPack } from '../domain/types';
import { parseKey, prefixes, type StoreKey } from '../storage/keys';
import type { KVStore } from '../storage/kv-store';
import { decodeStoredRecord } from './stored-record';
import { decodeTrustEvidence, type TrustEvidence } from './trust-evidence';
import { recordViewOf, type RecordView } from './views';

/** Evidence per agent hex; as of `asOf` when given (exactly the judgements whose both halves are below it). */
export async function readTrustEvidence(store: KVStore, asOf: number | undefined): Promise<Map<string, TrustEvidence>> {
  const out = new Map<string, TrustEvidence>();
  if (asOf === undefined) {
    for await (const [key, value] of store.scanPrefix(prefixes.kind('trust'))) {
      out.set((parseKey(key) as Extract<StoreKey, { kind: 'trust' }>).agent.toString('hex'), decodeTrustEvidence(value, 'TRUST'));
    }
    return out;
  }
  // TRUSTH sorts by agent, then offset: the last entry below asOf per agent wins.
  for await (const [key, value] of store.scanPrefix(prefixes.trustHistory())) {
    const k = parseKey(key) as Extract<StoreKey, { kind: 'trustHistory' }>;
    if (k.offset < asOf) out.set(k.agent.toString('hex'), decodeTrustEvidence(value, 'TRUSTH'));
  }
  return out;
}

/**
 * The learned trust pack (the writer admits those only with an admin
 * signature) first seen below asOf with the highest offset. Packs are few, so
 * one TP scan.
 */
export async function readNewestLearnedPack(store: KVStore, asOf: number | undefined): Promise<RecordView<TrustPack> | undefined> {
  let best: RecordView<TrustPack> | undefined;
  for await (const [key, value] of store.scanPrefix(prefixes.kind('trustPack'))) {
    const stored = decodeStoredRecord<TrustPack>(value, 'TP');
    if (stored.record.learned !== true || (asOf !== undefined && stored.offset >= asOf)) continue;
    if (best === undefined || stored.offset > best.offset) best = recordViewOf((parseKey(key) as Extract<StoreKey, { kind: 'trustPack' }>).id, stored, asOf);
  }
  return best;
}
