/**
 * Ed25519 verification in batches on worker threads: the one verifier of the
 * writer (admission) and of ingest (every record a reader applies).
 *
 * Why batches on workers and not one job per signature: on a two-core machine
 * each thread-pool job costs a wake-up, a thread switch (often preempting the
 * event loop) and a completion callback, in the CPU the RPCs need. Here the
 * signatures asked for in one turn of the event loop go to a worker in one
 * message (one wake-up each way per batch), and the worker verifies them back
 * to back with libsodium (worker-program.ts).
 *
 * A caller whose thread would only wait for the answer (the writer's
 * admission: a group of unary calls is one round, and nothing else runs until
 * it is verified) can ask for an **inline share**: when every worker is idle
 * as a round starts and the calling thread's event loop was mostly idle
 * lately (utilization under VERIFY_INLINE_SHARE_BUSY_MAX over the last
 * complete window of VERIFY_INLINE_SHARE_WINDOW_MS), the calling thread
 * verifies its share of the round itself (1/(workers + 1) of it, rounded up, at most
 * VERIFY_INLINE_SHARE_SIGNATURES_MAX) right after posting the rest, so the
 * round takes about half the time on one worker. Otherwise the load is
 * sustained and the calling thread has its own work (taking more would make it
 * the bottleneck, and starve the workers further): the whole round goes to the
 * workers. Ingest leaves it off (its thread is its bottleneck).
 *
 * Malformed inputs (wrong lengths, small-order or non-canonical keys) are
 * refused on the calling thread exactly as `verifySignature` refuses them; the
 * worker only runs `crypto_sign_verify_detached`. A worker that dies is
 * replaced, and the signatures it held are verified on the calling thread
 * instead: no answer is lost.
 */
import { availableParallelism } from 'node:os';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { ed25519Verify } from '../domain/ed25519';
import { recordId } from '../domain/hash';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from '../domain/limits';
import { publicKeyProblem } from '../domain/public-key';
import type { SignatureError } from '../domain/errors';
import { signatureFailure, signedMessage, verifySignature } from '../domain/signing';
import type { RecordKind, Signature, StemeRecord } from '../domain/types';
import { VERIFY_BATCH_SIGNATURES_MAX, VERIFY_INLINE_SHARE_BUSY_MAX, VERIFY_INLINE_SHARE_SIGNATURES_MAX, VERIFY_INLINE_SHARE_WINDOW_MS, VERIFY_WORKERS_MAX } from './limits';
import { VERIFY_WORKER_SOURCE, type VerifyWorkerAnswer, type VerifyWorkerData, type VerifyWorkerRequest } from './worker-program';

const WORKER_DATA: VerifyWorkerData = {
  sodiumPath: require.resolve('sodium-native'),
  publicKeyBytes: PUBLIC_KEY_BYTES,
  signatureBytes: SIGNATURE_BYTES,
};

export interface SignatureVerifierOptions {
  /** Worker threads. @default one fewer than the cores, at least 1 and at most VERIFY_WORKERS_MAX */
  readonly workers?: number;
  /** Signatures per message to a worker. @default VERIFY_BATCH_SIGNATURES_MAX */
  readonly batchSignaturesMax?: number;
  /** Verify a share of a round on the calling thread when every worker is idle (see above). @default false */
  readonly inlineShare?: boolean;
}

/** Counters for tests and metrics. */
export interface SignatureVerifierStats {
  /** Signatures sent to workers. */
  signatures: number;
  /** Messages (batches) sent to workers. */
  batches: number;
  /** Signatures verified on the calling thread because their worker died or the verifier was closed. */
  fallbacks: number;
  /** Signatures verified on the calling thread as its inline share of a round. */
  inline: number;
}

/** Told the outcome of signature `slot` of record `record` of one request. */
type Sink = (record: number, slot: number, ok: boolean) => void;

interface Check {
  readonly kind: RecordKind;
  readonly id: Buffer;
  readonly sig: Signature;
  readonly message: Buffer;
  readonly sink: Sink;
  readonly record: number;
  readonly slot: number;
}

/** No signature of the record failed (above any signature index). */
const NONE_FAILED = 0x7fffffff;

/** Notes a signature that failed without a worker (malformed, or verified here). */
function sink0(firstBad: Int32Array, i: number, j: number): void {
  if (j < firstBad[i]!) firstBad[i] = j;
}

/** The per-signature outcomes `signatureFailure` reads: all true up to the first failure. */
function outcomes(record: StemeRecord, firstBad: number): boolean[] {
  return record.signatures.map((_, j) => j !== firstBad);
}

interface Lane {
  readonly worker: Worker;
  readonly inFlight: Map<number, Check[]>;
}

/**
 * Default worker count for this machine. Ingest (`'ingest'`): one fewer than
 * the cores, since its own thread applies every record and is its bottleneck.
 * The writer's admission (`'admission'`): one per core, since verification is
 * most of an append's CPU and its thread is idle for much of a round (measured
 * on two cores under AppendBatch: one worker 99% busy and the event loop 40%,
 * so one worker capped the writer; docs/OPERATIONS.md, "Verification threads").
 * A writer that shares its machine with a reader (`'admission-beside-reader'`:
 * `stemedb dev`, the keep-up bench): one fewer than the cores, so the reader's
 * applying thread keeps one. All at least 1 and at most VERIFY_WORKERS_MAX.
 */
export function defaultVerifyWorkers(role: 'ingest' | 'admission' | 'admission-beside-reader' = 'ingest'): number {
  const cores = availableParallelism();
  return Math.max(1, Math.min(VERIFY_WORKERS_MAX, role === 'admission' ? cores : cores - 1));
}

export class SignatureVerifier {
  readonly stats: SignatureVerifierStats = { signatures: 0, batches: 0, fallbacks: 0, inline: 0 };
  /** Worker threads this verifier runs at most. */
  readonly workers: number;
  private readonly batchMax: number;
  private readonly inlineShare: boolean;
  /** The calling thread's event-loop utilization over the last complete window, and where the current window started. */
  private recentBusy = 0;
  private windowStart: { readonly at: number; readonly elu: EventLoopUtilization } | undefined;
  private readonly lanes: (Lane | undefined)[];
  private queue: Check[] = [];
  private scheduled = false;
  private nextBatch = 0;
  private nextLane = 0;
  private closed = false;

  constructor(options: SignatureVerifierOptions = {}) {
    this.workers = options.workers ?? defaultVerifyWorkers();
    this.batchMax = options.batchSignaturesMax ?? VERIFY_BATCH_SIGNATURES_MAX;
    this.inlineShare = options.inlineShare ?? false;
    if (this.inlineShare) this.windowStart = { at: performance.now(), elu: performance.eventLoopUtilization() };
    if (!Number.isSafeInteger(this.workers) || this.workers < 1 || this.workers > VERIFY_WORKERS_MAX) throw new RangeError(`verifier: workers must be 1..${VERIFY_WORKERS_MAX} (got ${this.workers})`);
    if (!Number.isSafeInteger(this.batchMax) || this.batchMax < 1) throw new RangeError(`verifier: batchSignaturesMax must be a positive integer (got ${this.batchMax})`);
    this.lanes = new Array<Lane | undefined>(this.workers).fill(undefined);
  }

  /**
   * Whether `sig` is a valid signature over (`kind`, `id`): the same answers as
   * `verifySignature` (malformed input is false, never a throw).
   */
  verifySignature(kind: RecordKind, id: Buffer, sig: Signature): Promise<boolean> {
    const message = checkedMessage(kind, id, sig);
    if (message === null) return Promise.resolve(false);
    if (this.closed) return Promise.resolve(verifySignature(kind, id, sig));
    return new Promise((resolve) => this.enqueue({ kind, id, sig, message, sink: (_i, _j, ok) => resolve(ok), record: 0, slot: 0 }));
  }

  private enqueue(check: Check): void {
    this.queue.push(check);
    if (!this.scheduled) {
      this.scheduled = true;
      // After the poll phase: every record read in this turn of the loop joins the batch.
      setImmediate(this.flush);
    }
  }

  /**
   * Verify every signature of a record; resolves with its id (computed here
   * unless the caller has it). Same contract as `verifyRecord`: a
   * SignatureError names the lowest-numbered signature that fails
   * (`record.vote.signature` for a vote).
   */
  async verifyRecord(record: StemeRecord, field = 'record', id: Buffer = recordId(record)): Promise<Buffer> {
    const results = await Promise.all(record.signatures.map((sig) => this.verifySignature(record.kind, id, sig)));
    const failure = signatureFailure(record, results, field);
    if (failure !== null) throw failure;
    return id;
  }

  /**
   * Verify every signature of each record, all in one round: result i is
   * record i's id, or the SignatureError `verifyRecord(records[i], fieldOf(i))`
   * would throw. One promise for the whole set (not one per signature), so a
   * batch of a thousand records costs one settlement.
   */
  verifyRecords(records: readonly StemeRecord[], fieldOf: (i: number) => string): Promise<(Buffer | SignatureError)[]> {
    return new Promise((resolve) => {
      const n = records.length;
      const ids = new Array<Buffer>(n);
      // The lowest failing signature of each record (NONE_FAILED: none), all the outcome needs.
      const firstBad = new Int32Array(n).fill(NONE_FAILED);
      let remaining = 0;
      const settle = (): void => resolve(records.map((r, i) => (firstBad[i] === NONE_FAILED && r.signatures.length > 0 ? ids[i]! : signatureFailure(r, outcomes(r, firstBad[i]!), fieldOf(i))!)));
      // One sink for the whole set: no closure or promise per signature.
      const sink: Sink = (i, j, ok) => {
        if (!ok && j < firstBad[i]!) firstBad[i] = j;
        if (--remaining === 0) settle();
      };
      for (let i = 0; i < n; i++) {
        const record = records[i]!;
        const id = (ids[i] = recordId(record));
        for (let j = 0; j < record.signatures.length; j++) {
          const sig = record.signatures[j]!;
          const message = checkedMessage(record.kind, id, sig);
          if (message === null) sink0(firstBad, i, j);
          else if (this.closed) {
            if (!verifySignature(record.kind, id, sig)) sink0(firstBad, i, j);
          } else {
            remaining += 1;
            this.enqueue({ kind: record.kind, id, sig, message, sink, record: i, slot: j });
          }
        }
      }
      if (remaining === 0) settle();
    });
  }

  /** Stop the workers; later verifications (and any still pending) run on the calling thread. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const lanes = this.lanes.map((lane, i) => {
      this.lanes[i] = undefined;
      if (lane !== undefined) this.detach(lane);
      return lane;
    });
    await Promise.all(lanes.map((lane) => lane?.worker.terminate()));
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const checks = this.queue;
    this.queue = [];
    if (this.closed) return this.fallback(checks);
    const here = this.inlineShareOf(checks.length);
    const sent = checks.length - here;
    // Spread one turn's signatures over the workers, at most batchMax per message.
    const per = Math.min(this.batchMax, Math.ceil(sent / this.workers));
    for (let i = 0; i < sent; i += per) this.send(checks.slice(i, i + per));
    // The workers have theirs; the last `here` are verified on this thread meanwhile.
    for (let i = sent; i < checks.length; i++) {
      const c = checks[i]!;
      c.sink(c.record, c.slot, ed25519Verify(c.message, c.sig.publicKey, c.sig.signature));
    }
    this.stats.inline += here;
  };

  /** The calling thread's event-loop utilization over the last complete window (0 before the first one ends). */
  private busyLately(): number {
    const start = this.windowStart!;
    const now = performance.now();
    if (now - start.at >= VERIFY_INLINE_SHARE_WINDOW_MS) {
      const elu = performance.eventLoopUtilization();
      this.recentBusy = performance.eventLoopUtilization(elu, start.elu).utilization;
      this.windowStart = { at: now, elu };
    }
    return this.recentBusy;
  }

  /** How many of a round of `n` the calling thread verifies itself: its share when asked for and every worker is idle, else none. */
  private inlineShareOf(n: number): number {
    if (!this.inlineShare) return 0;
    for (const lane of this.lanes) if (lane !== undefined && lane.inFlight.size > 0) return 0;
    if (this.busyLately() >= VERIFY_INLINE_SHARE_BUSY_MAX) return 0;
    return Math.min(VERIFY_INLINE_SHARE_SIGNATURES_MAX, Math.ceil(n / (this.workers + 1)));
  }

  private send(checks: Check[]): void {
    const laneIndex = this.nextLane;
    this.nextLane = (this.nextLane + 1) % this.workers;
    const lane = (this.lanes[laneIndex] ??= this.spawn(laneIndex));
    const batch = this.nextBatch++;
    // A worker keeps the process alive exactly while it holds checks somebody awaits.
    if (lane.inFlight.size === 0) lane.worker.ref();
    lane.inFlight.set(batch, checks);
    this.stats.batches += 1;
    this.stats.signatures += checks.length;
    const entries = pack(checks);
    const request: VerifyWorkerRequest = { batch, count: checks.length, entries };
    lane.worker.postMessage(request, [entries]);
  }

  private spawn(index: number): Lane {
    const worker = new Worker(VERIFY_WORKER_SOURCE, { eval: true, workerData: WORKER_DATA });
    const lane: Lane = { worker, inFlight: new Map() };
    worker.on('message', ({ batch, ok }: VerifyWorkerAnswer) => {
      const checks = lane.inFlight.get(batch);
      if (checks === undefined) return;
      lane.inFlight.delete(batch);
      if (lane.inFlight.size === 0) worker.unref();
      for (let i = 0; i < checks.length; i++) {
        const c = checks[i]!;
        c.sink(c.record, c.slot, ok[i] === 1);
      }
    });
    // An idle worker must not keep the process alive. (unref after adding the
    // 'message' listener: adding one refs the worker again.)
    worker.unref();
    const lost = (): void => {
      if (this.lanes[index] === lane) this.lanes[index] = undefined;
      this.detach(lane);
    };
    worker.once('error', lost);
    worker.once('exit', lost);
    return lane;
  }

  /** Stop listening to a lane's worker and verify what it still held on the thread pool. */
  private detach(lane: Lane): void {
    lane.worker.removeAllListeners();
    lane.worker.on('error', () => undefined); // a late error of a worker we let go is of no interest
    const pending = [...lane.inFlight.values()].flat();
    lane.inFlight.clear();
    this.fallback(pending);
  }

  private fallback(checks: Check[]): void {
    this.stats.fallbacks += checks.length;
    for (const c of checks) c.sink(c.record, c.slot, verifySignature(c.kind, c.id, c.sig));
  }
}

/** The signed message, or null when the signature can never verify (checked as `verifySignature` does). */
function checkedMessage(kind: RecordKind, id: Buffer, sig: Signature): Buffer | null {
  const message = signedMessage(kind, id, sig);
  if (message === null || publicKeyProblem(sig.publicKey) !== null) return null;
  return message;
}

function pack(checks: readonly Check[]): ArrayBuffer {
  let bytes = 0;
  for (const c of checks) bytes += 1 + c.message.length + PUBLIC_KEY_BYTES + SIGNATURE_BYTES;
  const out = new Uint8Array(new ArrayBuffer(bytes));
  let at = 0;
  for (const c of checks) {
    out[at] = c.message.length;
    out.set(c.message, at + 1);
    at += 1 + c.message.length;
    out.set(c.sig.publicKey, at);
    out.set(c.sig.signature, at + PUBLIC_KEY_BYTES);
    at += PUBLIC_KEY_BYTES + SIGNATURE_BYTES;
  }
  return out.buffer;
}
