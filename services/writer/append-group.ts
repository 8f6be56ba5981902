/**
 * Group admission of unary Append calls: the calls that arrive in one turn of
 * the event loop (at most APPEND_GROUP_CALLS_MAX: the rest form the next groups, which
 * go through their stages while this one does) are admitted together — one
 * verification round on the verifier's workers, one id claim and index read,
 * one `appendBatch`, one group commit, one index note — while each call keeps
 * its own outcome, exactly as if it had come alone:
 *
 * - its own error: a record that fails validation, a signature, the admin
 *   rule, agent admission, its peer's fresh-key limit or its signers' quota
 *   fails only its own call (field `record`, as Append names it), and a call
 *   whose client went away is not appended;
 * - its own receipt, answered only once the group's append is durable; a
 *   replay gets the receipt of the earliest record holding its id;
 * - the same replay rule: ids within one group are distinct (a call whose id
 *   an earlier call of the group holds waits for the next group, where it
 *   finds the first one durable and indexed, as a concurrent duplicate always
 *   does), so no call's outcome depends on another call of its group.
 *
 * A log that cannot be written fails every call of the group (UNAVAILABLE),
 * as it would have failed each alone.
 */
import type { Record as PbRecord } from '../../shared/gen/stemedb/v1/records';
import type { Receipt } from '../../shared/gen/stemedb/v1/writer';
import type { Checked } from './admission';
import { appendedRecords, appendFresh, releaseAfterIndexing } from './append-records';
import type { WriterDeps } from './deps';
import { APPEND_GROUP_CALLS_MAX } from './limits';
import { receiptAt } from './receipts';
import { writeToLog } from './writer-log';
import { judge, type Judged } from './replay-guard';

/** What one call of a group gets. */
export interface GroupOutcome {
  readonly receipt: Receipt;
  /** False for an idempotent replay (nothing appended). */
  readonly appended: boolean;
  readonly record: Checked['record'];
}

/** Who a call is for: its peer (read only when the peer limit is on) and whether it is still wanted. */
export interface CallSource {
  readonly peer: string;
  /** Throws when the call's client has gone (or its deadline passed). */
  throwIfAborted(): void;
}

interface Call {
  readonly message: PbRecord | undefined;
  readonly source: CallSource;
  resolve(outcome: GroupOutcome): void;
  reject(err: unknown): void;
}

export class AppendGroup {
  private queue: Call[] = [];
  private scheduled = false;

  constructor(
    private readonly deps: WriterDeps,
    private readonly callsMax: number = APPEND_GROUP_CALLS_MAX,
  ) {}

  /** Admits and appends one call's record with the others of this turn. */
  submit(message: PbRecord | undefined, peer: string, stillWanted: () => void): Promise<GroupOutcome> {
    return this.submitFor(message, { peer, throwIfAborted: stillWanted });
  }

  /** `submit` for a call whose context is its source (the unary handler's: no object or closure made per call). */
  submitFor(message: PbRecord | undefined, source: CallSource): Promise<GroupOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ message, source, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // After the poll phase: every call read in this turn of the loop joins the group.
    setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const calls = this.queue.splice(0, this.callsMax);
    if (this.queue.length > 0) this.schedule();
    this.admit(calls).catch((err: unknown) => {
      for (const c of calls) c.reject(err);
    });
  };

  private async admit(calls: Call[]): Promise<void> {
    let outcomes: (Checked | Error)[];
    try {
      outcomes = await this.deps.admission.checkEach(
        calls.map((c) => c.message),
        () => 'record',
      );
    } catch (err) {
      for (const c of calls) c.reject(err);
      return;
    }
    const checked: Checked[] = [];
    const owners: Call[] = [];
    const seen = new Set<string>();
    const later: Call[] = [];
    calls.forEach((call, i) => {
      const o = outcomes[i]!;
      if (o instanceof Error) return call.reject(o);
      const key = o.id.toString('latin1');
      if (seen.has(key)) return void later.push(call);
      try {
        call.source.throwIfAborted();
        this.deps.peers?.charge(call.source.peer, [o.record], 'record');
      } catch (err) {
        return call.reject(err);
      }
      seen.add(key);
      checked.push(o);
      owners.push(call);
    });
    // A duplicate of an id this group holds goes round again: it then finds the first durable.
    for (const call of later) this.queue.push(call);
    if (later.length > 0) this.schedule();
    if (checked.length > 0) await this.append(checked, owners);
  }

  private async append(checked: readonly Checked[], owners: readonly Call[]): Promise<void> {
    const deps = this.deps;
    const guard = deps.replays;
    let claimed: Awaited<ReturnType<NonNullable<typeof guard>['claim']>> | undefined;
    let indexing: Promise<void> | undefined;
    try {
      claimed = guard === undefined ? undefined : await guard.claim(checked.map((c) => c.id));
      const judged: Judged[] =
        claimed === undefined
          ? checked.map((c) => ({ replayOf: undefined, charge: [...new Set(c.record.signatures.map((s) => s.publicKey.toString('latin1')))] }))
          : judge(checked.map((c) => ({ id: c.id, signers: c.record.signatures.map((s) => s.publicKey) })), claimed.claims);
      // Each call's signers are charged on their own: one short of tokens fails only its call.
      const fresh: Checked[] = [];
      const freshOwners: Call[] = [];
      checked.forEach((c, i) => {
        const j = judged[i]!;
        const owner = owners[i]!;
        try {
          // Ids are distinct within a group (admit): no record can replay an earlier one of it.
          if (j.replayOf === 'earlier-in-batch') throw new Error('append group: an id twice in one group');
          deps.admission.charge(j.charge);
          if (j.replayOf === undefined) owner.source.throwIfAborted();
        } catch (err) {
          return owner.reject(err);
        }
        if (j.replayOf === undefined) {
          fresh.push(c);
          freshOwners.push(owner);
        } else {
          owner.resolve({ receipt: receiptAt(c, j.replayOf.offset, j.replayOf.nextOffset), appended: false, record: c.record });
        }
      });
      if (fresh.length === 0) return;
      let positions: { offset: number; nextOffset: number }[];
      try {
        positions = await appendFresh(deps, deps.admission, fresh, () => undefined, (fn) => writeToLog(deps, fn));
      } catch (err) {
        for (const owner of freshOwners) owner.reject(err);
        return;
      }
      if (guard !== undefined) indexing = guard.index.indexAppended(appendedRecords(fresh, positions, claimed?.claims));
      fresh.forEach((c, i) => freshOwners[i]!.resolve({ receipt: receiptAt(c, positions[i]!.offset, positions[i]!.nextOffset), appended: true, record: c.record }));
    } catch (err) {
      // The claim itself failed (the index is unhealthy): every call still waiting learns why.
      for (const owner of owners) owner.reject(err);
    } finally {
      releaseAfterIndexing(guard, claimed, indexing);
    }
  }
}
