/**
 * The per-peer fresh-key limit: caps how fast one peer (a remote address) may
 * bring new signer keys, so a client cannot dodge per-agent quotas by minting
 * a fresh key per record. Each peer has a token bucket refilled at
 * `newKeysPerSec` up to `burstKeys`; a signer key the peer has not used
 * recently costs one token, a key it used recently costs nothing (a steady
 * agent is never charged after its first record). A record or batch is
 * charged all at once or refused with RESOURCE_EXHAUSTED and a retry-after.
 * Applies while agent admission is off (with it on, keys need grants).
 * Memory is bounded: PEERS_TRACKED_MAX peers, PEER_KEYS_REMEMBERED_MAX keys each.
 */
import type { StemeRecord } from '../../shared/domain/types';
import { PeerRateLimitError } from '../../shared/grpc/errors';
import { PEER_KEYS_REMEMBERED_MAX, PEERS_TRACKED_MAX } from './limits';

export interface PeerLimitConfig {
  /** New keys per second per peer; 0 = off. */
  readonly newKeysPerSec: number;
  /** Bucket size in keys. */
  readonly burstKeys: number;
}

interface PeerState {
  tokens: number;
  refilledAtMs: number;
  /** Recently used keys (latin1 map keys), oldest first. */
  readonly keys: Set<string>;
}

/** The host of a grpc-js peer string: `ipv4:1.2.3.4:5`, `1.2.3.4:5`, `[::1]:5` or `ipv6:[::1]:5`. */
export function peerHost(peer: string): string {
  const bare = peer.replace(/^ipv[46]:/, '');
  const v6 = /^\[([^\]]+)\]/.exec(bare);
  if (v6 !== null) return v6[1]!;
  const i = bare.lastIndexOf(':');
  return i <= 0 ? bare : bare.slice(0, i);
}

export class PeerKeyLimit {
  private readonly peers = new Map<string, PeerState>();

  constructor(
    private readonly config: PeerLimitConfig,
    private readonly now: () => number = Date.now,
    private readonly peersMax = PEERS_TRACKED_MAX,
    private readonly keysMax = PEER_KEYS_REMEMBERED_MAX,
  ) {}

  get enabled(): boolean {
    return this.config.newKeysPerSec > 0;
  }

  /** Charge the fresh signer keys of `records` to `peer`, or throw PeerRateLimitError naming `field`. */
  charge(peer: string, records: readonly StemeRecord[], field: string): void {
    if (!this.enabled) return;
    const host = peerHost(peer);
    const state = this.refill(host);
    const fresh = new Set<string>();
    for (const r of records) for (const s of r.signatures) {
      const k = s.publicKey.toString('latin1');
      if (!state.keys.has(k)) fresh.add(k);
    }
    if (fresh.size > state.tokens) {
      const retryAfterMs = fresh.size > this.config.burstKeys ? undefined : ((fresh.size - state.tokens) * 1000) / this.config.newKeysPerSec;
      throw new PeerRateLimitError(host, this.config.newKeysPerSec, retryAfterMs, field);
    }
    state.tokens -= fresh.size;
    for (const r of records) for (const s of r.signatures) this.remember(state, s.publicKey.toString('latin1'));
  }

  private remember(state: PeerState, key: string): void {
    state.keys.delete(key);
    state.keys.add(key);
    if (state.keys.size > this.keysMax) state.keys.delete(state.keys.values().next().value!);
  }

  private refill(host: string): PeerState {
    const nowMs = this.now();
    let state = this.peers.get(host);
    if (state === undefined) {
      state = { tokens: this.config.burstKeys, refilledAtMs: nowMs, keys: new Set() };
      if (this.peers.size >= this.peersMax) this.peers.delete(this.peers.keys().next().value!);
    } else {
      this.peers.delete(host);
      const elapsedMs = Math.max(0, nowMs - state.refilledAtMs);
      state.tokens = Math.min(this.config.burstKeys, state.tokens + (elapsedMs * this.config.newKeysPerSec) / 1000);
      state.refilledAtMs = nowMs;
    }
    this.peers.set(host, state);
    return state;
  }
}
