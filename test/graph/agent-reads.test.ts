/**
 * Agent grants and revocations in the graph: ingest keeps each under its agent
 * and offset exactly once (a store built in batches of any size, or replayed,
 * holds the same keys), and `revokedAgents` as of X lists exactly the
 * revocations at offsets below X.
 */
import { GraphReader } from '../../shared/graph/graph-reader';
import type { AgentGrant, AgentRevoke } from '../../shared/domain/types';
import { setLogLevel } from '../../shared/telemetry/logger';
import { makeTempDir } from '../helpers/tmp';
import { ADMIN, agent, claim, logOf, signed, T0, text } from './log-builder';
import { buildStore, dumpLines } from './store-helpers';

beforeAll(() => setLogLevel('error'));

const grant = (i: number): AgentGrant => signed<AgentGrant>({ kind: 'agent_grant', agent: agent(i).publicKey, grantedAtMs: T0, expiresAtMs: null, signatures: [] }, [ADMIN]);
const revoke = (i: number, reason = ''): AgentRevoke => signed<AgentRevoke>({ kind: 'agent_revoke', agent: agent(i).publicKey, reason, revokedAtMs: T0, signatures: [] }, [ADMIN]);

it('revocations count from their own offset; history and keys are the same whatever the batch size', async () => {
  const records = [grant(1), grant(2), signed(claim({ subject: 's', predicate: 'p', object: text('x') }), [agent(1)]), revoke(1, 'leaked'), revoke(2), revoke(1, 'again')];
  const log = logOf(records);
  const dirs = [makeTempDir(), makeTempDir()];
  const one = await buildStore(dirs[0]!.path, log, { batchRecordsMax: 1 });
  const all = await buildStore(dirs[1]!.path, log, { batchRecordsMax: 64 });
  try {
    expect(await dumpLines(one)).toEqual(await dumpLines(all));
    const g = new GraphReader(one);
    const hex = (i: number): string => agent(i).publicKey.toString('hex');
    expect(await g.revokedAgents({ asOfOffset: log[3]!.offset })).toEqual(new Set());
    expect(await g.revokedAgents({ asOfOffset: log[3]!.offset + 1 })).toEqual(new Set([hex(1)]));
    expect(await g.revokedAgents({ asOfOffset: log[4]!.nextOffset })).toEqual(new Set([hex(1), hex(2)]));
    expect(await g.revokedAgents()).toEqual(new Set([hex(1), hex(2)]));
    const history = await g.agentHistory(agent(1).publicKey);
    expect(history.map((h) => [h.record.kind, h.offset])).toEqual([['agent_grant', log[0]!.offset], ['agent_revoke', log[3]!.offset], ['agent_revoke', log[5]!.offset]]);
    expect((await g.agentHistory(agent(1).publicKey, { asOfOffset: log[3]!.offset })).length).toBe(1);
  } finally {
    await one.close();
    await all.close();
    dirs.forEach((d) => d.cleanup());
  }
});
