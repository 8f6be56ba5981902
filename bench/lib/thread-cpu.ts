/**
 * CPU time a set of processes spent over an interval, per process and per
 * thread (Linux /proc), as µs per record. Node 20 names every thread "node",
 * so threads other than the main one are told apart by rank only: the busiest
 * first (under load these are the verify workers, then V8's platform threads
 * and the libuv pool).
 */
import { cpuByThread, cpuSeconds } from './cpu-profile';

/** Threads reported one by one after the main thread; the rest are summed. */
const THREADS_NAMED_MAX = 3;

export interface ProcessCpu {
  readonly process: string;
  /** Whole process, µs of CPU per record. */
  readonly total_us: number;
  readonly main_us: number;
  /** The busiest other threads, busiest first, µs per record. */
  readonly threads_us: readonly number[];
  /** Every other thread together (those that ended included), µs per record. */
  readonly rest_us: number;
  /** Share of one core the process used over the interval. */
  readonly cores: number;
}

type Snapshot = Map<string, Map<string, number>>;

/** The key of a whole process's CPU (threads that already ended included) in a snapshot. */
const PROCESS = 'process';

/** CPU seconds per thread of each named process (`main` keys the main thread, PROCESS the whole process). */
export function cpuSnapshot(pids: ReadonlyMap<string, number>): Snapshot {
  const out: Snapshot = new Map();
  for (const [name, pid] of pids) out.set(name, new Map([...cpuByThread(pid), [PROCESS, cpuSeconds(pid)]]));
  return out;
}

/** What each process used between two snapshots, per record, over `ms` of wall time. */
export function cpuPerRecord(before: Snapshot, after: Snapshot, records: number, ms: number): ProcessCpu[] {
  const us = (sec: number): number => Math.round((sec * 1e6) / records);
  return [...after].map(([name, threads]) => {
    const start = before.get(name) ?? new Map<string, number>();
    const used = [...threads].map(([tid, sec]): [string, number] => [tid, sec - (start.get(tid) ?? 0)]);
    const main = used.find(([tid]) => tid === 'main')?.[1] ?? 0;
    const others = used.filter(([tid]) => tid !== 'main' && tid !== PROCESS).map(([, sec]) => sec).sort((a, b) => b - a);
    const total = used.find(([tid]) => tid === PROCESS)?.[1] ?? 0;
    const rest = Math.max(0, total - main - others.slice(0, THREADS_NAMED_MAX).reduce((s, sec) => s + sec, 0));
    return {
      process: name,
      total_us: us(total),
      main_us: us(main),
      threads_us: others.slice(0, THREADS_NAMED_MAX).map(us),
      rest_us: us(rest),
      cores: Math.round((total * 1e5) / ms) / 100,
    };
  });
}

/** Table rows: process, total, main, busiest others, the rest, cores. */
export function cpuRows(label: string, rows: readonly ProcessCpu[]): (string | number)[][] {
  return rows.map((p) => [label, p.process, p.total_us, p.main_us, p.threads_us.join(' / '), p.rest_us, p.cores]);
}

export const CPU_COLUMNS = ['run', 'process', 'CPU µs/record', 'main thread', `next ${THREADS_NAMED_MAX} busiest threads`, 'other threads', 'cores used'];
