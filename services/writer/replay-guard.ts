/**
 * Idempotent appends (docs/OPERATIONS.md, "Idempotent appends"). The rule for
 * a submission with id X signed by the set S:
 *
 * - a **replay** iff every key in S already signed X in the log (or in an
 *   append of X still in flight, which is waited for): it gets the receipt of
 *   the earliest record holding X (its offset and next offset), nothing is
 *   appended and no quota is charged;
 * - otherwise it is appended (a new id, or a co-signature adding keys), and
 *   the keys of S that had not signed X yet are charged.
 *
 * One append of an id is in flight at a time: a concurrent duplicate waits for
 * it to be durable and indexed, then decides (so ten copies sent at once give
 * one append and ten equal receipts). Ids are claimed in byte order, so two
 * batches holding the same ids can never wait on each other.
 */
import { UnavailableError } from '../../shared/grpc/errors';
import type { Logger } from '../../shared/telemetry/logger';
import type { IdEntry, IdIndex } from './id-index';

/** The decision for one distinct id of a submission. */
export interface IdClaim {
  readonly id: Buffer;
  /** What the log already holds for the id (undefined: a new id). */
  readonly entry: IdEntry | undefined;
}

export class ReplayGuard {
  private readonly inFlight = new Map<string, Promise<void>>();
  private failure: Error | undefined;

  constructor(
    readonly index: IdIndex,
    private readonly logger: Logger,
  ) {}

  /**
   * The index could not follow the log: no replay can be told from a new
   * record any more, so every later append is refused (UNAVAILABLE) until the
   * writer restarts and catches the index up from the log.
   */
  fail(err: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = err instanceof Error ? err : new Error(String(err));
    this.logger.error('the id index could not follow the log; refusing appends until a restart', { error: this.failure.message });
  }

  private checkHealthy(): void {
    if (this.failure !== undefined) throw new UnavailableError(`the id index cannot follow the log (${this.failure.message}); restart the writer to rebuild it`);
  }

  /** Appends of distinct ids in flight right now (for tests and metrics). */
  get inFlightIds(): number {
    return this.inFlight.size;
  }

  /**
   * Claims every distinct id of `ids`, waiting for in-flight appends of them,
   * and reads what the log holds for each. `release()` must be called once the
   * caller's append is durable and indexed (or failed); until then later
   * claims of these ids wait.
   */
  async claim(ids: readonly Buffer[]): Promise<{ claims: Map<string, IdClaim>; release: () => void }> {
    const byKey = new Map<string, Buffer>();
    for (const id of ids) byKey.set(id.toString('latin1'), id);
    // Byte order: latin1 strings compare code unit by code unit, one unit per byte.
    const keys = [...byKey.keys()].sort();
    let release: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (release = resolve));
    let held = 0; // keys[0..held) are claimed by this call
    const releaseAll = (): void => {
      for (let i = 0; i < held; i++) if (this.inFlight.get(keys[i]!) === done) this.inFlight.delete(keys[i]!);
      release();
    };
    try {
      this.checkHealthy();
      for (const key of keys) {
        for (let p = this.inFlight.get(key); p !== undefined; p = this.inFlight.get(key)) await p;
        this.checkHealthy();
        this.inFlight.set(key, done); // synchronously after the wait: no other claim can slip in
        held++;
      }
      const distinct = keys.map((key) => byKey.get(key)!);
      const entries = await this.index.lookupMany(distinct);
      const claims = new Map<string, IdClaim>();
      for (let i = 0; i < keys.length; i++) claims.set(keys[i]!, { id: distinct[i]!, entry: entries[i] });
      return { claims, release: releaseAll };
    } catch (err) {
      releaseAll();
      throw err;
    }
  }
}

/** One record of a submission, as the guard judges it. */
export interface Judged {
  /** Undefined: append it. Otherwise the receipt position of the earliest record holding its id. */
  readonly replayOf: { readonly offset: number; readonly nextOffset: number } | 'earlier-in-batch' | undefined;
  /** Signers to charge (those new to the id), raw keys as latin1. */
  readonly charge: readonly string[];
}

/**
 * Judges the records of one submission in order against the claims: a record
 * whose signers all signed its id before (in the log, or in an earlier record
 * of this submission that will be appended) is a replay.
 */
export function judge(records: readonly { readonly id: Buffer; readonly signers: readonly Buffer[] }[], claims: ReadonlyMap<string, IdClaim>): Judged[] {
  // The signers earlier records of this submission add to an id, for ids met before in it (a record's
  // first id needs none: the log's signers are the claim's entry).
  const added = new Map<string, readonly string[]>();
  return records.map((r) => {
    const key = r.id.toString('latin1');
    const entry = claims.get(key)!.entry;
    const earlier = added.get(key);
    // The record's distinct signers not yet on the id, in order (no Set or spread per record).
    const fresh: string[] = [];
    for (const signer of r.signers) {
      const s = signer.toString('latin1');
      if (entry?.signers.has(s) !== true && earlier?.includes(s) !== true && !fresh.includes(s)) fresh.push(s);
    }
    if (fresh.length === 0 && (entry !== undefined || earlier !== undefined)) {
      return { replayOf: entry === undefined ? 'earlier-in-batch' : { offset: entry.offset, nextOffset: entry.nextOffset }, charge: [] };
    }
    added.set(key, earlier === undefined ? fresh : [...earlier, ...fresh]);
    return { replayOf: undefined, charge: fresh };
  });
}
