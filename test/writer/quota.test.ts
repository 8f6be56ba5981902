import { QuotaExceededError } from '../../shared/grpc/errors';
import { AgentQuota, QUOTA_NAME } from '../../services/writer/quota';

const agent = (n: number): Buffer => Buffer.alloc(32, n);
const key = (n: number): string => agent(n).toString('latin1');

describe('per-agent quota (token bucket)', () => {
  it('is off at rate 0', () => {
    const q = new AgentQuota({ recordsPerSec: 0, burstRecords: 0 });
    for (let i = 0; i < 10_000; i++) q.takeOne(agent(1));
    expect(q.trackedAgents).toBe(0);
  });

  it('allows exactly the burst, then refuses with a retry hint, per agent', () => {
    let now = 1_000_000;
    const q = new AgentQuota({ recordsPerSec: 10, burstRecords: 5 }, () => now);
    for (let i = 0; i < 5; i++) q.takeOne(agent(1));
    let err: unknown;
    try {
      q.takeOne(agent(1));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QuotaExceededError);
    expect(err).toMatchObject({ agent: agent(1).toString('hex'), quota: QUOTA_NAME, limit: 10, retryAfterMs: 100 });
    q.takeOne(agent(2)); // another agent has its own bucket
    now += 99;
    expect(() => q.takeOne(agent(1))).toThrow(QuotaExceededError);
    now += 1; // 100 ms at 10/s: one token
    q.takeOne(agent(1));
    expect(() => q.takeOne(agent(1))).toThrow(QuotaExceededError);
  });

  it('refills up to the burst, never past it', () => {
    let now = 0;
    const q = new AgentQuota({ recordsPerSec: 1000, burstRecords: 3 }, () => now);
    q.takeOne(agent(1));
    now += 60_000;
    for (let i = 0; i < 3; i++) q.takeOne(agent(1));
    expect(() => q.takeOne(agent(1))).toThrow(QuotaExceededError);
  });

  it('takes a batch all or nothing across agents', () => {
    const q = new AgentQuota({ recordsPerSec: 1, burstRecords: 4 }, () => 0);
    expect(() => q.take(new Map([[key(1), 4], [key(2), 5]]))).toThrow(QuotaExceededError);
    q.take(new Map([[key(1), 4], [key(2), 4]])); // nothing was spent by the refused batch
    expect(() => q.take(new Map([[key(1), 1]]))).toThrow(QuotaExceededError);
  });

  it('a batch bigger than the burst gets no retry hint (it can never pass)', () => {
    const q = new AgentQuota({ recordsPerSec: 1, burstRecords: 4 }, () => 0);
    expect(() => q.take(new Map([[key(1), 5]]))).toThrow(expect.objectContaining({ retryAfterMs: undefined }));
  });

  it('tracks at most agentsMax buckets, forgetting the least recently seen', () => {
    const q = new AgentQuota({ recordsPerSec: 1, burstRecords: 1 }, () => 0, 3);
    for (let i = 1; i <= 3; i++) q.takeOne(agent(i));
    expect(q.trackedAgents).toBe(3);
    expect(() => q.takeOne(agent(1))).toThrow(QuotaExceededError); // agent 1 is now the most recent
    q.takeOne(agent(4)); // evicts agent 2, the least recently seen
    expect(q.trackedAgents).toBe(3);
    q.takeOne(agent(2)); // forgotten, so it starts full again (evicting agent 3)
    expect(() => q.takeOne(agent(1))).toThrow(QuotaExceededError);
  });
});
