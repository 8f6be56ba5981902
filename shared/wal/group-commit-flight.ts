/**
 * One group-commit batch on its way to disk: its appends, its bytes (the frames
 * concatenated), and its `wal.group_commit` span, which stays open from the
 * moment the batch is taken until it is acknowledged or rejected.
 */
import { stemeMetrics } from '../telemetry/metrics';
import { withSpan } from '../telemetry/tracing';

/** One append or appendBatch call: its frames, back to back in `data`, are written contiguously in one batch. */
export interface PendingAppend {
  readonly data: Buffer;
  /** Frames in `data`. */
  readonly records: number;
  readonly offset: number;
  readonly nextOffset: number;
  resolve(): void;
  reject(err: unknown): void;
}

export interface Flight {
  readonly appends: readonly PendingAppend[];
  readonly data: Buffer;
  readonly records: number;
  /** Global offset of the first record. */
  readonly offset: number;
  /** Global offset just past the last record. */
  readonly endOffset: number;
  /** The descriptor the batch was written to (set when placed). */
  fd: number;
  /** The fdatasync that made the batch durable took `ms`: on the span (fsync_us) and in the latency histogram. */
  fsynced(ms: number): void;
  /** Answer every append of the batch and end the span. */
  resolve(): void;
  /** Reject every append with `failure`; the span records `cause`. */
  reject(failure: unknown, cause: unknown): void;
}

/** Take `appends` as one batch and open its span (in the current trace context). */
export function openFlight(appends: PendingAppend[]): Flight {
  const first = appends[0]!;
  const data = appends.length === 1 ? first.data : Buffer.concat(appends.map((p) => p.data));
  const records = appends.reduce((n, p) => n + p.records, 0);
  let settle: (err?: unknown) => void = () => undefined;
  let setFsyncUs: (us: number) => void = () => undefined;
  const attrs = { records, bytes: data.length, offset: first.offset };
  void withSpan(
    'wal.group_commit',
    attrs,
    (span) =>
      new Promise<void>((res, rej) => {
        setFsyncUs = (us) => span.setAttribute('fsync_us', us);
        settle = (err) => (err === undefined ? res() : rej(err));
      }),
  ).catch(() => undefined);
  return {
    appends,
    data,
    records,
    offset: first.offset,
    endOffset: appends[appends.length - 1]!.nextOffset,
    fd: -1,
    fsynced(ms) {
      const us = Math.round(ms * 1000);
      setFsyncUs(us);
      stemeMetrics().fsyncLatencyUs.record(us);
    },
    resolve() {
      settle();
      for (const p of appends) p.resolve();
    },
    reject(failure, cause) {
      settle(cause ?? failure);
      for (const p of appends) p.reject(failure);
    },
  };
}
