/**
 * Trust evidence at ingest (shared/graph/trust-evidence.ts): one judgement per
 * (agent, assertion, gold standard), counted when the later of the two reaches
 * the log. Counts add, so arrival order cannot change them.
 */
import type { ObjectValue } from '../../domain/types';
import { decodeTrustEvidence, NO_EVIDENCE, withJudgement } from '../trust-evidence';
import { writeOps } from '../write-ops';
import { objectsEqual } from '../../lens/object-value';
import { keys } from '../../storage/keys';
import type { ApplyContext } from './apply-context';

/** Counts one judgement of `agent`: right when `claimed` equals `gold`, wrong otherwise. */
export async function judge(batch: ApplyContext, agent: Buffer, claimed: ObjectValue, gold: ObjectValue, offset: number): Promise<void> {
  const raw = await batch.state.get(keys.trust(agent));
  const evidence = raw === undefined ? NO_EVIDENCE : decodeTrustEvidence(raw, 'TRUST');
  batch.state.writeAll(writeOps.trust(agent, withJudgement(evidence, objectsEqual(claimed, gold)), offset));
}
