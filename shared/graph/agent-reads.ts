/**
 * Reads of agent admission history (AGRANT, AREV keys written by ingest from
 * AgentGrant and AgentRevoke records): which agents were revoked as of an
 * offset, for the Authority lens, and one agent's grants and revocations.
 * A revocation counts from its own offset on: as of `asOf` exactly the
 * revocations at offsets < asOf.
 */
import type { AgentGrant, AgentRevoke } from '../domain/types';
import { parseKey, prefixes, type StoreKey } from '../storage/keys';
import type { KVStore } from '../storage/kv-store';
import { GraphInputError } from './errors';
import { REVOKED_AGENTS_READ_MAX } from './limits';
import { decodeStoredRecord, type StoredRecord } from './stored-record';

function checkAsOf(asOf: number | undefined): void {
  if (asOf !== undefined && !(Number.isSafeInteger(asOf) && asOf >= 0)) throw new GraphInputError('as_of_offset', `must be an integer 0..2^53-1, got ${asOf}`);
}

/** Public keys (lowercase hex) revoked at offsets < `asOfOffset` (every applied one when undefined). */
export async function revokedAgents(store: KVStore, asOfOffset?: number, limit = REVOKED_AGENTS_READ_MAX): Promise<Set<string>> {
  checkAsOf(asOfOffset);
  const out = new Set<string>();
  for await (const [key] of store.scanPrefix(prefixes.agentRevokes())) {
    const k = parseKey(key) as Extract<StoreKey, { kind: 'agentRevoke' }>;
    if (asOfOffset !== undefined && k.offset >= asOfOffset) continue;
    out.add(k.agent.toString('hex'));
    if (out.size > limit) throw new GraphInputError('revoked_agents', `more than ${limit} revoked agents`);
  }
  return out;
}

/** One agent's grants and revocations in log order (as of `asOfOffset`). */
export async function agentHistory(store: KVStore, agent: Buffer, asOfOffset?: number): Promise<StoredRecord<AgentGrant | AgentRevoke>[]> {
  checkAsOf(asOfOffset);
  const out: StoredRecord<AgentGrant | AgentRevoke>[] = [];
  for (const [prefix, tag] of [[prefixes.agentGrants(agent), 'AGRANT'], [prefixes.agentRevokes(agent), 'AREV']] as const) {
    for await (const [, value] of store.scanPrefix(prefix)) {
      const stored = decodeStoredRecord<AgentGrant | AgentRevoke>(value, tag);
      if (asOfOffset === undefined || stored.offset < asOfOffset) out.push(stored);
    }
  }
  return out.sort((a, b) => a.offset - b.offset);
}
