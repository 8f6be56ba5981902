/**
 * `stemedb trust learn`: read every claim from a reader at one served offset,
 * estimate each agent's reliability by truth discovery (shared/truth), and
 * append the result through the writer as an admin-signed learned trust pack
 * — which the Authority lens then uses by default on every reader, at every
 * offset after it (docs/LENSES.md "Learned trust").
 */
import { TRUST_ENTRIES_MAX } from '../../shared/domain/limits';
import { signRecord, type KeyPair } from '../../shared/domain/signing';
import type { TrustPack } from '../../shared/domain/types';
import { withSpan } from '../../shared/telemetry/tracing';
import { estimateReliability, type AgentEstimate } from '../../shared/truth/estimate';
import { TruthInputError } from '../../shared/truth/errors';
import { readerClient } from '../reader/client';
import { appendRecord, rpcErrorOf } from '../writer/client';
import { TRUST_CALL_DEADLINE_MS } from './limits';
import { readClaims } from './read-claims';

export interface LearnOptions {
  readonly reader: string;
  readonly writer: string;
  readonly admin: KeyPair;
  /** @default LEARN_ITERATIONS_DEFAULT */
  readonly iterations?: number;
  /** Wait for the reader to have applied this offset first. */
  readonly minOffset?: number;
}

export interface LearnResult {
  readonly packId: string;
  readonly packOffset: number;
  /** The reader offset the claims were read at. */
  readonly servedAtOffset: number;
  readonly claims: number;
  readonly goldStandards: number;
  readonly agents: number;
  /** Agents in the pack (the TRUST_ENTRIES_MAX with the most claims). */
  readonly packAgents: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly readMs: number;
  readonly estimateMs: number;
  /** Heap in use after the estimate (the claims and the estimator's index), MiB. */
  readonly heapUsedMiB: number;
  readonly estimates: readonly AgentEstimate[];
}

export async function learnTrust(options: LearnOptions): Promise<LearnResult> {
  return withSpan('trust.learn', { reader: options.reader, writer: options.writer }, async (span) => {
    const t0 = performance.now();
    const client = readerClient(options.reader);
    let read;
    try {
      read = await readClaims(client, options.minOffset);
    } catch (err) {
      throw rpcErrorOf(err);
    } finally {
      client.close();
    }
    const t1 = performance.now();
    const estimate = estimateReliability(read.claims, read.golds, options.iterations === undefined ? {} : { iterations: options.iterations });
    const t2 = performance.now();
    const heapUsedMiB = process.memoryUsage().heapUsed / 2 ** 20;
    const entries = packEntries(estimate.agents);
    if (entries.length === 0) throw new TruthInputError('claims', `the reader holds no live claims at offset ${read.servedAtOffset}: nothing to learn`);
    const pack = signRecord<TrustPack>(
      { kind: 'trust_pack', name: `learned@${read.servedAtOffset}`, entries, createdAtMs: Date.now(), learned: true, signatures: [] },
      [options.admin],
    );
    const receipt = await appendRecord(options.writer, pack, TRUST_CALL_DEADLINE_MS);
    span.setAttribute('claims', read.claims.length);
    span.setAttribute('iterations', estimate.iterations);
    return {
      packId: receipt.id.toString('hex'),
      packOffset: Number(receipt.offset),
      servedAtOffset: read.servedAtOffset,
      claims: read.claims.length,
      goldStandards: read.golds.length,
      agents: estimate.agents.length,
      packAgents: entries.length,
      iterations: estimate.iterations,
      converged: estimate.converged,
      readMs: t1 - t0,
      estimateMs: t2 - t1,
      heapUsedMiB,
      estimates: estimate.agents,
    };
  });
}

/** The agents with the most claims (then by key), at most TRUST_ENTRIES_MAX; the rest keep their gold-only estimate. */
function packEntries(agents: readonly AgentEstimate[]): { agent: Buffer; weight: number }[] {
  return [...agents]
    .sort((a, b) => b.claims - a.claims || (a.agent < b.agent ? -1 : 1))
    .slice(0, TRUST_ENTRIES_MAX)
    .map((a) => ({ agent: Buffer.from(a.agent, 'hex'), weight: a.reliability }))
    .sort((a, b) => Buffer.compare(a.agent, b.agent));
}
