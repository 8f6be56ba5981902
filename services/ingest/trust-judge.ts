/**
 * Trust updates at ingest (shared/graph/trust-rule.ts): one step per
 * (agent, assertion, gold standard), applied when the later of the two
 * reaches the log, in log order.
 */
import type { ObjectValue } from '../../shared/domain/types';
import { decodeF64 } from '../../shared/graph/scalars';
import { nextRank, TRUST_INITIAL_RANK } from '../../shared/graph/trust-rule';
import { writeOps } from '../../shared/graph/write-ops';
import { objectsEqual } from '../../shared/lens/object-value';
import { keys } from '../../shared/storage/keys';
import type { GraphBatch } from './graph-batch';

/** Moves `agent`'s rank one step: towards 1 when `claimed` equals `gold`, towards 0 otherwise. */
export async function judge(batch: GraphBatch, agent: Buffer, claimed: ObjectValue, gold: ObjectValue, offset: number): Promise<void> {
  const raw = await batch.state.get(keys.trust(agent));
  const rank = raw === undefined ? TRUST_INITIAL_RANK : decodeF64(raw, 'TRUST');
  batch.state.writeAll(writeOps.trust(agent, nextRank(rank, objectsEqual(claimed, gold)), offset));
}
