/**
 * Record checks (decode + Ed25519 verification) spread over worker threads,
 * so the applying thread is not bound by signature verification (~10k/s per
 * core, measured). A batch is split into one contiguous chunk per worker;
 * verdicts come back in record order. The applying thread decodes a payload
 * again only when its worker accepted it. The workers keep the process alive
 * until `close()`.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { decodeLogPayload } from '../../shared/domain/log-payload';
import type { CheckedRecord, RejectReason } from './check-record';
import type { SourceRecord } from './wal-source';

/** Most verification worker threads one ingestor starts. */
export const INGEST_VERIFY_WORKERS_MAX = 8;

export type Verdict = { readonly ok: true; readonly id: string } | { readonly ok: false; readonly reason: RejectReason; readonly error: string };
export interface VerifyRequest {
  readonly seq: number;
  readonly payloads: readonly Uint8Array[];
}
export interface VerifyResponse {
  readonly seq: number;
  readonly verdicts: readonly Verdict[];
}

/** One worker per core but the applying thread's, at least one, at most INGEST_VERIFY_WORKERS_MAX. */
export function defaultVerifyWorkers(): number {
  return Math.min(Math.max(availableParallelism() - 1, 1), INGEST_VERIFY_WORKERS_MAX);
}

/** The compiled worker script (present in the built output only). */
const WORKER_SCRIPT = join(__dirname, 'verify-worker.js');

export class VerifyPool {
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (v: readonly Verdict[]) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;

  private constructor(private readonly workers: readonly Worker[]) {
    for (const w of workers) {
      w.on('message', (res: VerifyResponse) => {
        const waiter = this.waiting.get(res.seq);
        this.waiting.delete(res.seq);
        waiter?.resolve(res.verdicts);
      });
      w.on('error', (err) => this.fail(err));
    }
  }

  /** A pool of `workers` threads, or undefined (check inline) when 0 or the built worker script is missing. */
  static create(workers: number): VerifyPool | undefined {
    if (workers === 0 || !existsSync(WORKER_SCRIPT)) return undefined;
    return new VerifyPool(Array.from({ length: workers }, () => new Worker(WORKER_SCRIPT)));
  }

  get size(): number {
    return this.workers.length;
  }

  /** Decoded and verified records, in order (rejections included). */
  async check(records: readonly SourceRecord[]): Promise<CheckedRecord[]> {
    if (this.failure !== undefined) throw this.failure;
    const per = Math.ceil(records.length / this.workers.length);
    const parts = await Promise.all(
      this.workers.map((w, i) => {
        const chunk = records.slice(i * per, (i + 1) * per);
        if (chunk.length === 0) return Promise.resolve([] as readonly Verdict[]);
        const seq = this.seq++;
        return new Promise<readonly Verdict[]>((resolve, reject) => {
          this.waiting.set(seq, { resolve, reject });
          w.postMessage({ seq, payloads: chunk.map((r) => r.payload) } satisfies VerifyRequest);
        });
      }),
    );
    const verdicts = parts.flat();
    return records.map((r, i) => checkedOf(r, verdicts[i]!));
  }

  async close(): Promise<void> {
    this.fail(new Error('verify pool closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}

function checkedOf(r: SourceRecord, v: Verdict): CheckedRecord {
  const at = { offset: r.offset, nextOffset: r.nextOffset };
  if (!v.ok) return { ok: false, ...at, reason: v.reason, error: v.error };
  // The worker decoded and verified these exact bytes; decoding again is cheap next to verifying.
  return { ok: true, ...at, entry: decodeLogPayload(r.payload), id: Buffer.from(v.id, 'hex') };
}
