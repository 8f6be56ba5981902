/**
 * Test support: the WAL's crash-state checker. `recordWorkload` runs a real Wal
 * over a RecordingIo — concurrent appends (group commits of several records),
 * appendBatch calls, a batch large enough for the thread-pool path, rotations
 * (small segments), retention, and a restart whose recovery cuts a damaged tail
 * — marking every acknowledgement. `checkCrashStates`
 * then replays the recorded operations to crash points spread over the whole
 * run, builds crash states there (crash-model.ts), reopens each with the real
 * Wal, and checks that every acknowledged record not trimmed by retention is
 * there with its payload, that every record served is one that was appended at
 * that offset, and that the reopened log takes a new append.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../telemetry/logger';
import { Wal, type AppendBatchResult } from '../wal';
import { FsModel, type CrashChoice } from './crash-model';
import { RecordingIo, type FsOp } from './recording-io';

export interface RecordedRun {
  readonly ops: readonly FsOp[];
  /** Every payload the workload appended, by the offset it got. */
  readonly payloads: ReadonlyMap<number, Buffer>;
  /** The offsets each acknowledgement covered; an `ack` mark's value indexes this. */
  readonly acks: readonly (readonly number[])[];
}

function xorshift(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };

/** Run the workload on `dir` (empty) and return what it did to the disk. */
export async function recordWorkload(dir: string, seed: number, rounds = 40): Promise<RecordedRun> {
  const r = xorshift(seed);
  const io = new RecordingIo(dir);
  const payloads = new Map<number, Buffer>();
  const acks: number[][] = [];
  const open = (): Promise<Wal> => Wal.open({ dir, fileIo: io, segmentBytesMax: 4096, logger: quiet });
  let wal = await open();
  const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256)));
  const ack = (res: AppendBatchResult, batch: Buffer[]): void => {
    batch.forEach((p, i) => payloads.set(res.offsets[i]!, p));
    io.mark('ack', acks.push([...res.offsets]) - 1, res.nextOffset);
  };
  for (let round = 0; round < rounds; round++) {
    const calls = 1 + Math.floor(r() * 5);
    const work: Promise<void>[] = [];
    for (let c = 0; c < calls; c++) {
      const batch = Array.from({ length: r() < 0.3 ? 2 + Math.floor(r() * 3) : 1 }, () => bytes(Math.floor(r() * 700)));
      work.push(wal.appendBatch(batch).then((res) => ack(res, batch)));
    }
    await Promise.all(work);
    if (round === Math.floor(rounds / 2)) {
      // One batch over SYNC_FLUSH_BYTES_MAX: written and fdatasync'ed on the thread pool.
      const big = Array.from({ length: 70 }, () => bytes(4000));
      ack(await wal.appendBatch(big), big);
    }
    if (round === Math.floor((rounds * 3) / 4)) {
      // A restart over a damaged tail: garbage after the last record (durable), so the
      // reopen quarantines it (mkdir, create, write, fsync) and truncates — crash points inside recovery.
      const last = wal.segments()[wal.segments().length - 1]!;
      await wal.close();
      const fd = io.openSync(join(dir, last.fileName), 'r+');
      io.writeSync(fd, bytes(300), 32 + last.endOffset - last.baseOffset);
      io.fsyncSync(fd);
      io.closeSync(fd);
      wal = await open();
    }
    if (round % 9 === 8) {
      const segs = wal.segments();
      const below = segs[Math.floor(segs.length / 2)]!.baseOffset;
      io.mark('retain', below);
      wal.deleteSegmentsBelow(below);
    }
  }
  await wal.close();
  return { ops: io.ops, payloads, acks };
}

export interface CrashCheckResult {
  readonly states: number;
  readonly crashPoints: number;
  /** Acknowledged records checked present, summed over all states. */
  readonly ackedChecked: number;
  readonly failures: string[];
}

/** Build `states` crash states over the run and check each; `scratch` is an empty directory to build them in. */
export async function checkCrashStates(run: RecordedRun, scratch: string, states: number, seed: number): Promise<CrashCheckResult> {
  const r = xorshift(seed ^ 0x5bd1e995);
  const points = run.ops.map((op, i) => ({ op, i })).filter(({ op }) => op.op !== 'mark').map(({ i }) => i + 1);
  points.unshift(0);
  const failures: string[] = [];
  let ackedChecked = 0;
  for (let s = 0; s < states; s++) {
    const k = points[Math.floor((s * points.length) / states)]!;
    const mode: CrashChoice['mode'] = s % 7 === 0 ? 'durable' : s % 7 === 1 ? 'all' : 'random';
    const model = new FsModel();
    let ackedEnd = 0;
    let retainedBelow = 0;
    const acked: number[] = [];
    for (const op of run.ops.slice(0, k)) {
      model.apply(op);
      if (op.op === 'mark' && op.label === 'ack') {
        ackedEnd = Math.max(ackedEnd, op.end);
        acked.push(...run.acks[op.value]!);
      }
      if (op.op === 'mark' && op.label === 'retain') retainedBelow = Math.max(retainedBelow, op.value);
    }
    const dir = join(scratch, `s${s}`);
    model.materialize(dir, { mode, random: r });
    const where = `state ${s} (crash after op ${k} of ${run.ops.length}, ${mode})`;
    try {
      ackedChecked += await checkState(dir, run, acked, ackedEnd, retainedBelow, where, failures);
    } catch (err) {
      failures.push(`${where}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { states, crashPoints: points.length, ackedChecked, failures };
}

async function checkState(dir: string, run: RecordedRun, acked: number[], ackedEnd: number, retainedBelow: number, where: string, failures: string[]): Promise<number> {
  const wal = await Wal.open({ dir, logger: quiet });
  let checked = 0;
  try {
    if (wal.headOffset < ackedEnd) failures.push(`${where}: head ${wal.headOffset} below the acknowledged end ${ackedEnd}`);
    for (const offset of acked) {
      const p = run.payloads.get(offset)!;
      if (offset + 40 + p.length <= retainedBelow) continue; // its segment may have been trimmed by retention
      const got = await wal.read(offset).catch((err: unknown) => err as Error);
      if (got instanceof Error) failures.push(`${where}: acknowledged record ${offset} unreadable: ${got.message}`);
      else if (!got.payload.equals(p)) failures.push(`${where}: acknowledged record ${offset} has other bytes`);
      checked++;
    }
    for (let at = wal.firstOffset; at < wal.headOffset; ) {
      const batch = await wal.readFrom(at, 1 << 20);
      for (const rec of batch) {
        const p = run.payloads.get(rec.offset);
        if (p === undefined || !p.equals(rec.payload)) failures.push(`${where}: served a record at ${rec.offset} that was never appended there`);
      }
      at = batch[batch.length - 1]!.nextOffset;
    }
    const more = await wal.append(Buffer.from('after the crash'));
    if (!(await wal.read(more.offset)).payload.equals(Buffer.from('after the crash'))) failures.push(`${where}: append after recovery did not read back`);
  } finally {
    await wal.close();
  }
  return checked;
}
