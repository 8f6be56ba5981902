/**
 * The append path shared by Append, AppendBatch and AppendStream, after
 * admission's checks: claim the ids (replay-guard.ts), judge each record a
 * replay or new, charge the quota of every signer new to its id, append the
 * new records with one WAL call (durable as a whole before any receipt), and
 * answer every record with its receipt — a replay with the receipt of the
 * earliest record holding its id. The ids stay claimed until the id index
 * (id-index.ts) covers the new records, which it does behind the receipt: a
 * duplicate waits for that, the first caller does not.
 */
import type { Receipt } from '../../shared/gen/stemedb/v1/writer';
import type { Admission, Checked } from './admission';
import { activeTraceparent } from './admission';
import type { WriterDeps } from './deps';
import { receiptAt } from './receipts';
import type { AppendedRecord } from './id-index';
import { judge, type IdClaim, type Judged } from './replay-guard';

/** What one submission did: receipts in request order, and whether anything reached the log. */
export interface AppendOutcome {
  readonly receipts: Receipt[];
  readonly appended: number;
  readonly offset: number | undefined;
}

/**
 * Appends the checked records of one call (`stillWanted` throws when the
 * client has gone: nothing is appended then).
 */
export async function appendChecked(deps: WriterDeps, checked: readonly Checked[], stillWanted: () => void, write: <T>(fn: () => Promise<T>) => Promise<T>): Promise<AppendOutcome> {
  const guard = deps.replays;
  const claimed = guard === undefined ? undefined : await guard.claim(checked.map((c) => c.id));
  let indexing: Promise<void> | undefined;
  try {
    const judged: Judged[] =
      claimed === undefined ? checked.map((c) => ({ replayOf: undefined, charge: [...new Set(c.record.signatures.map((s) => s.publicKey.toString('latin1')))] })) : judge(checked.map(judgeable), claimed.claims);
    deps.admission.charge(judged.flatMap((j) => j.charge));
    const fresh = checked.filter((_, i) => judged[i]!.replayOf === undefined);
    const positions = fresh.length === 0 ? [] : await appendFresh(deps, deps.admission, fresh, stillWanted, write);
    // The index is handed what was appended (it need not read it back and decode it again).
    if (fresh.length > 0 && guard !== undefined) indexing = guard.index.indexAppended(appendedRecords(fresh, positions, claimed?.claims));
    // Where each id was first appended: only needed when a record repeats an earlier one of the call.
    const firstOf = judged.some((j) => j.replayOf === 'earlier-in-batch') ? new Map<string, { offset: number; nextOffset: number }>() : undefined;
    let at = 0;
    const receipts = checked.map((c, i) => {
      const j = judged[i]!;
      let pos: { offset: number; nextOffset: number };
      if (j.replayOf === undefined) {
        pos = positions[at++]!;
        const key = firstOf === undefined ? undefined : c.id.toString('latin1');
        if (key !== undefined && !firstOf!.has(key)) firstOf!.set(key, pos);
      } else {
        pos = j.replayOf === 'earlier-in-batch' ? firstOf!.get(c.id.toString('latin1'))! : j.replayOf;
      }
      return receiptAt(c, pos.offset, pos.nextOffset);
    });
    return { receipts, appended: fresh.length, offset: positions[0]?.offset };
  } finally {
    releaseAfterIndexing(guard, claimed, indexing);
  }
}

/**
 * What the id index is told of records just appended: each one's id, signers
 * and place, and the entry its claim read (the index need not read it again:
 * the id stays claimed until it is indexed).
 */
export function appendedRecords(fresh: readonly Checked[], positions: readonly { offset: number; nextOffset: number }[], claims: ReadonlyMap<string, IdClaim> | undefined): AppendedRecord[] {
  return fresh.map((c, i) => {
    const claim = claims?.get(c.id.toString('latin1'));
    const at = positions[i]!;
    return { id: c.id, signers: signersOf(c), offset: at.offset, nextOffset: at.nextOffset, prior: claim === undefined ? undefined : (claim.entry ?? null) };
  });
}

/** A checked record as the replay guard judges it. */
function judgeable(c: Checked): { readonly id: Buffer; readonly signers: readonly Buffer[] } {
  return { id: c.id, signers: signersOf(c) };
}

/** The raw public keys of a record's signatures, in order. */
function signersOf(c: Checked): Buffer[] {
  return c.record.signatures.map((s) => s.publicKey);
}

/**
 * Releases a replay-guard claim: at once, or once the id index has taken
 * what was appended (an index that fails marks the guard failed first).
 */
export function releaseAfterIndexing(guard: WriterDeps['replays'], claimed: { release(): void } | undefined, indexing: Promise<void> | undefined): void {
  if (indexing === undefined) return claimed?.release();
  indexing.then(
    () => claimed?.release(),
    (err: unknown) => {
      guard!.fail(err);
      claimed?.release();
    },
  );
}

/** Appends checked records that are new to the log with one WAL call; their positions in order. */
export async function appendFresh(
  deps: WriterDeps,
  admission: Admission,
  fresh: readonly Checked[],
  stillWanted: () => void,
  write: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<{ offset: number; nextOffset: number }[]> {
  const traceparent = activeTraceparent();
  const appendedAtMs = Date.now();
  const payloads = fresh.map((c) => admission.payloadOf(c, traceparent, appendedAtMs));
  stillWanted();
  if (payloads.length === 1) {
    const r = await write(() => deps.log.append(payloads[0]!));
    return [{ offset: r.offset, nextOffset: r.nextOffset }];
  }
  const r = await write(() => deps.log.appendBatch(payloads));
  return r.offsets.map((offset, i) => ({ offset, nextOffset: r.offsets[i + 1] ?? r.nextOffset }));
}
