/**
 * Agent grants and revocations: each is kept under its agent and the offset
 * it arrived at (AGRANT, AREV), so the graph can say which agents were
 * revoked as of any offset. Keys are fixed by (agent, offset): a replayed
 * batch writes the same bytes, so applying is exactly once. The writer
 * decides who may write (docs/SECURITY.md); readers only keep the history.
 */
import type { AgentGrant, AgentRevoke } from '../../domain/types';
import { writeOps } from '../write-ops';
import type { ApplyContext } from './apply-context';

export function applyAgentRecord(batch: ApplyContext, record: AgentGrant | AgentRevoke, offset: number): void {
  batch.state.write(writeOps.agentRecord({ record, offset, coSigners: [], supersededAtOffset: null }));
}
