/**
 * Ed25519 verification for the writer, in batches on worker threads.
 *
 * Why not `verifyRecordAsync` (one libuv thread-pool job per signature): on a
 * two-core machine each job costs a condition-variable wake-up, a thread switch
 * (often preempting the event loop) and a completion callback — measured at
 * 2–3× the ~105 µs of the verification itself, in CPU the RPCs needed. Here the
 * signatures checked in one turn of the event loop go to a worker in one
 * message (one wake-up each way per batch), and the worker verifies them
 * back to back with its own KeyObject cache. The thread pool stays free for the
 * WAL's file I/O.
 *
 * Malformed inputs (wrong lengths, small-order or non-canonical keys) are
 * refused on the calling thread exactly as `verifySignature` refuses them; the
 * worker only runs `crypto.verify`. A worker that dies is replaced, and the
 * signatures it held are verified on the thread pool instead: no answer is lost.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SignatureError } from '../../shared/domain/errors';
import { recordId } from '../../shared/domain/hash';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from '../../shared/domain/limits';
import { publicKeyProblem } from '../../shared/domain/public-key';
import { PUBLIC_KEY_CACHE_ENTRIES_MAX, signingMessage, verifySignatureAsync } from '../../shared/domain/signing';
import type { RecordKind, Signature, StemeRecord } from '../../shared/domain/types';
import { VERIFY_BATCH_SIGNATURES_MAX, VERIFY_WORKERS_MAX } from './limits';

/**
 * The worker's whole program (plain CommonJS, so it runs the same from the
 * sources under jest and from dist/). A batch is one ArrayBuffer of entries
 * `[message length: u8][message][public key: 32][signature: 64]`; the answer is
 * one byte per entry, 1 when the signature verifies.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const keys = new Map();
function keyOf(raw) {
  const k = raw.toString('latin1');
  let key = keys.get(k);
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    if (keys.size >= workerData.keyCacheMax) keys.delete(keys.keys().next().value);
    keys.set(k, key);
  }
  return key;
}
parentPort.on('message', ({ batch, count, entries }) => {
  const bytes = Buffer.from(entries);
  const ok = new Uint8Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const len = bytes[at];
    const message = bytes.subarray(at + 1, at + 1 + len);
    const raw = bytes.subarray(at + 1 + len, at + 1 + len + ${PUBLIC_KEY_BYTES});
    const sig = bytes.subarray(at + 1 + len + ${PUBLIC_KEY_BYTES}, at + 1 + len + ${PUBLIC_KEY_BYTES + SIGNATURE_BYTES});
    at += 1 + len + ${PUBLIC_KEY_BYTES + SIGNATURE_BYTES};
    try {
      ok[i] = verify(null, message, keyOf(raw), sig) ? 1 : 0;
    } catch {
      ok[i] = 0;
    }
  }
  parentPort.postMessage({ batch, ok }, [ok.buffer]);
});
`;

export interface SignatureVerifierOptions {
  /** Worker threads. @default one fewer than the cores, at least 1 and at most VERIFY_WORKERS_MAX */
  readonly workers?: number;
  /** Signatures per message to a worker. @default VERIFY_BATCH_SIGNATURES_MAX */
  readonly batchSignaturesMax?: number;
}

/** Counters for tests and metrics. */
export interface SignatureVerifierStats {
  /** Signatures sent to workers. */
  signatures: number;
  /** Messages (batches) sent to workers. */
  batches: number;
  /** Signatures verified on the thread pool because their worker died. */
  fallbacks: number;
}

interface Check {
  readonly kind: RecordKind;
  readonly id: Buffer;
  readonly sig: Signature;
  readonly message: Buffer;
  resolve(ok: boolean): void;
}

interface Lane {
  readonly worker: Worker;
  readonly inFlight: Map<number, Check[]>;
}

/** Default worker count for this machine. */
export function defaultVerifyWorkers(): number {
  return Math.max(1, Math.min(VERIFY_WORKERS_MAX, availableParallelism() - 1));
}

export class SignatureVerifier {
  readonly stats: SignatureVerifierStats = { signatures: 0, batches: 0, fallbacks: 0 };
  private readonly workers: number;
  private readonly batchMax: number;
  private readonly lanes: (Lane | undefined)[];
  private queue: Check[] = [];
  private scheduled = false;
  private nextBatch = 0;
  private nextLane = 0;
  private closed = false;

  constructor(options: SignatureVerifierOptions = {}) {
    this.workers = options.workers ?? defaultVerifyWorkers();
    this.batchMax = options.batchSignaturesMax ?? VERIFY_BATCH_SIGNATURES_MAX;
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
    if (this.closed) return verifySignatureAsync(kind, id, sig);
    return new Promise((resolve) => {
      this.queue.push({ kind, id, sig, message, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the poll phase: every record read in this turn of the loop joins the batch.
        setImmediate(this.flush);
      }
    });
  }

  /**
   * Verify every signature of a record; resolves with its id. Same contract as
   * `verifyRecordAsync`: a SignatureError names the lowest-numbered signature
   * that fails (`record.vote.signature` for a vote).
   */
  async verifyRecord(record: StemeRecord, field = 'record'): Promise<Buffer> {
    const id = recordId(record);
    if (record.signatures.length === 0) throw new SignatureError(`${field}.${record.kind === 'vote' ? 'vote.signature' : `${record.kind}.signatures`}`, 'the record is unsigned');
    const results = await Promise.all(record.signatures.map((sig) => this.verifySignature(record.kind, id, sig)));
    const bad = results.indexOf(false);
    if (bad >= 0) {
      const at = record.kind === 'vote' ? `${field}.vote.signature` : `${field}.${record.kind}.signatures[${bad}]`;
      throw new SignatureError(at, 'signature does not verify');
    }
    return id;
  }

  /** Stop the workers; later verifications (and any still pending) run on the thread pool. Idempotent. */
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
    // Spread one turn's signatures over the workers, at most batchMax per message.
    const per = Math.min(this.batchMax, Math.ceil(checks.length / this.workers));
    for (let i = 0; i < checks.length; i += per) this.send(checks.slice(i, i + per));
  };

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
    lane.worker.postMessage({ batch, count: checks.length, entries }, [entries]);
  }

  private spawn(index: number): Lane {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { keyCacheMax: PUBLIC_KEY_CACHE_ENTRIES_MAX } });
    const lane: Lane = { worker, inFlight: new Map() };
    worker.on('message', ({ batch, ok }: { batch: number; ok: Uint8Array }) => {
      const checks = lane.inFlight.get(batch);
      if (checks === undefined) return;
      lane.inFlight.delete(batch);
      if (lane.inFlight.size === 0) worker.unref();
      checks.forEach((c, i) => c.resolve(ok[i] === 1));
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
    for (const c of checks) void verifySignatureAsync(c.kind, c.id, c.sig).then(c.resolve);
  }
}

/** The signed message, or null when the signature can never verify (checked as `verifySignature` does). */
function checkedMessage(kind: RecordKind, id: Buffer, sig: Signature): Buffer | null {
  if (sig === null || typeof sig !== 'object') return null;
  if (!Buffer.isBuffer(sig.publicKey) || sig.publicKey.length !== PUBLIC_KEY_BYTES) return null;
  if (!Buffer.isBuffer(sig.signature) || sig.signature.length !== SIGNATURE_BYTES) return null;
  if (publicKeyProblem(sig.publicKey) !== null) return null;
  try {
    return signingMessage(kind, id);
  } catch {
    return null; // an unknown kind or a wrong-sized id
  }
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
