/**
 * Group admission of unary Append (append-group.ts), in process against a log
 * whose appends complete only when the test says so: the calls of one turn
 * are one appendBatch (up to APPEND_GROUP_CALLS_MAX; more are split into
 * groups that append side by side), and each keeps its own outcome — a bad record, a bad
 * signature or a signer short of quota fails only its own call, naming
 * `record` as Append always has; the others get their own receipts, only
 * once the group's append completes.
 */
import * as grpc from '@grpc/grpc-js';
import { WriterServiceClient, type Receipt } from '../../shared/gen/stemedb/v1/writer';
import type { Record as PbRecord } from '../../shared/gen/stemedb/v1/records';
import { generateKeyPair } from '../../shared/domain/signing';
import { callUnary } from '../../shared/grpc/client';
import { FIELD_METADATA_KEY } from '../../shared/grpc/status';
import { createLogger, setLogLevel } from '../../shared/telemetry/logger';
import { Admission } from '../../services/writer/admission';
import { AppendGroup } from '../../services/writer/append-group';
import { AppendLoad } from '../../services/writer/append-load';
import { APPEND_GROUP_CALLS_MAX } from '../../services/writer/limits';
import { AgentQuota } from '../../services/writer/quota';
import { waitFor } from '../helpers/wait';
import { HeldLog, startHeldWriter, type HeldWriter } from './held-log';
import { pb, signedAssertion } from './writer-fixtures';

setLogLevel('warn');

type Outcome = { receipt: Receipt } | { code: grpc.status; field: string | undefined };

describe('unary Append admitted in groups', () => {
  let writer: HeldWriter;
  let log: HeldLog;
  let c: WriterServiceClient;
  let admission: Admission;

  async function start(quota?: AgentQuota): Promise<void> {
    writer = await startHeldWriter('append-group', { quota });
    ({ log, admission, client: c } = writer);
  }
  afterEach(() => writer.stop());

  /** An AppendGroup over the held log, outside the server (its calls are submitted directly). */
  const newGroup = (): AppendGroup => new AppendGroup({ log, admission, logger: createLogger({ test: 'append-group' }), onLogUnwritable: () => undefined, load: new AppendLoad() });

  const append = (record: PbRecord): Promise<Outcome> =>
    callUnary(c.append.bind(c), { record }, { deadlineMs: 10_000 }).then(
      (r) => ({ receipt: r.receipt! }),
      (err: grpc.ServiceError) => ({ code: err.code, field: err.metadata?.get(FIELD_METADATA_KEY)[0] as string | undefined }),
    );

  /** Send all calls at once; wait until the log holds appends of `appended` records, then release them. */
  async function sendGrouped(records: PbRecord[], appended: number): Promise<Outcome[]> {
    let answered = 0;
    const outcomes = Promise.all(records.map((r) => append(r).finally(() => (answered += 1))));
    // The failed calls are answered while the appends of the others are held (those arrive in as many turns as the socket reads).
    await waitFor(() => (log.started === appended && answered === records.length - appended ? true : undefined), `${appended} records held`);
    expect(answered).toBe(records.length - appended);
    log.release(log.held.length);
    return outcomes;
  }

  it('the calls of one turn are one appendBatch, each answered with its own receipt', async () => {
    await start();
    const group = newGroup();
    const calls = APPEND_GROUP_CALLS_MAX;
    const done = Array.from({ length: calls }, (_, i) => group.submit(pb(signedAssertion(`turn-${i}`)), 'peer', () => undefined));
    await waitFor(() => (log.started === calls ? true : undefined), 'the group append');
    expect(log.held.length).toBe(1);
    log.release(1);
    const outcomes = await Promise.all(done);
    expect(new Set(outcomes.map((o) => Number(o.receipt.offset))).size).toBe(calls);
    expect(outcomes.every((o) => o.appended)).toBe(true);
  });

  it('a turn of more calls than a group holds is split into groups of at most APPEND_GROUP_CALLS_MAX, each appended without waiting for the one before', async () => {
    await start();
    const group = newGroup();
    const calls = 2 * APPEND_GROUP_CALLS_MAX + 1;
    const done = Array.from({ length: calls }, (_, i) => group.submit(pb(signedAssertion(`split-${i}`)), 'peer', () => undefined));
    // No append has completed, yet all three groups have reached the log.
    await waitFor(() => (log.started === calls ? true : undefined), 'the groups append');
    expect(log.held.length).toBe(3);
    log.release(3);
    const outcomes = await Promise.all(done);
    expect(new Set(outcomes.map((o) => Number(o.receipt.offset))).size).toBe(calls);
  });

  it('a call whose client has gone is not appended; the rest of its group is', async () => {
    await start();
    const group = newGroup();
    const gone = new Error('the client went away');
    const done = Array.from({ length: 4 }, (_, i) =>
      group.submit(pb(signedAssertion(`gone-${i}`)), 'peer', () => {
        if (i === 2) throw gone;
      }),
    );
    const all = Promise.allSettled(done);
    await waitFor(() => (log.started === 3 ? true : undefined), 'the group append');
    log.release(1);
    const settled = await all;
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((settled[2] as PromiseRejectedResult).reason).toBe(gone);
  });

  it('a bad record and a bad signature fail only their own calls', async () => {
    await start();
    const calls = Array.from({ length: 12 }, (_, i) => pb(signedAssertion(`group-${i}`)));
    const badConfidence = calls[3]!;
    if (badConfidence.kind?.$case === 'assertion') badConfidence.kind.value.confidence = 2;
    const badSignature = calls[7]!;
    if (badSignature.kind?.$case === 'assertion') badSignature.kind.value.signatures[0]!.signature[0]! ^= 1;
    const outcomes = await sendGrouped(calls, 10);
    expect(outcomes[3]).toEqual({ code: grpc.status.INVALID_ARGUMENT, field: 'record.assertion.confidence' });
    expect(outcomes[7]).toEqual({ code: grpc.status.UNAUTHENTICATED, field: 'record.assertion.signatures[0]' });
    const offsets = outcomes.filter((o): o is { receipt: Receipt } => 'receipt' in o).map((o) => Number(o.receipt.offset));
    expect(offsets).toHaveLength(10);
    expect(new Set(offsets).size).toBe(10);
  });

  it("each call's signers pay on their own: the call past its agent's burst fails alone", async () => {
    await start(new AgentQuota({ recordsPerSec: 0.0001, burstRecords: 1 }));
    const agent = generateKeyPair();
    const calls = [pb(signedAssertion('quota-a', [agent])), pb(signedAssertion('quota-other')), pb(signedAssertion('quota-b', [agent]))];
    const outcomes = await sendGrouped(calls, 2);
    expect(outcomes.map((o) => ('receipt' in o ? 'receipt' : o.code))).toEqual(['receipt', 'receipt', grpc.status.RESOURCE_EXHAUSTED]);
  });
});
