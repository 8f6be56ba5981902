/**
 * Reading V8 .cpuprofile files (the top frames of a thread by self and by
 * inclusive time, shares of its busy samples) and CPU time per thread.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
}

/** A profile as V8 writes it: sample i was taken `timeDeltas[0..i]` µs after `startTime` (the monotonic clock). */
export type TimedProfile = CpuProfile & { readonly timeDeltas: readonly number[] };

/**
 * The samples of `profile` taken between `fromUs` and `toUs` (µs of the
 * monotonic clock, which V8's profiler and `process.hrtime` share on Linux):
 * the measured load without a child's start-up and warm-up.
 */
export function withinWindow(profile: TimedProfile, fromUs: number, toUs: number): CpuProfile {
  const samples: number[] = [];
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t >= fromUs && t <= toUs) samples.push(profile.samples[i]!);
  }
  return { ...profile, samples };
}

/** Now on the monotonic clock the profiles' timestamps use, in µs. */
export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

function frameName(n: ProfileNode): string {
  const f = n.callFrame;
  const file = f.url === '' ? '' : ` ${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/').replace(/^file:\/\//, '')}:${f.lineNumber + 1}`;
  return `${f.functionName === '' ? '(anonymous)' : f.functionName}${file}`;
}

const IDLE = '(idle)';

/** Share of a profile's samples in which its thread was not idle. */
export function busyShare(profile: CpuProfile): number {
  const idle = profile.nodes.filter((n) => n.callFrame.functionName === IDLE).map((n) => n.id);
  const idleSamples = profile.samples.filter((s) => idle.includes(s)).length;
  return 1 - idleSamples / Math.max(1, profile.samples.length);
}

/** Self and inclusive shares of the busy (not idle) samples per frame, highest first. */
export function topFrames(profile: CpuProfile, top: number): { self: [string, number][]; inclusive: [string, number][]; busy: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const hits = new Map<number, number>();
  for (const s of profile.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
  const busy = busyShare(profile);
  const total = Math.max(1, Math.round(profile.samples.length * busy));
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const root = profile.nodes[0]!;
  const walk = (node: ProfileNode, onStack: Set<string>): number => {
    const name = frameName(node);
    const own = hits.get(node.id) ?? 0;
    self.set(name, (self.get(name) ?? 0) + own);
    const recursed = onStack.has(name);
    onStack.add(name);
    let sum = own;
    for (const c of node.children ?? []) sum += walk(byId.get(c)!, onStack);
    if (!recursed) {
      onStack.delete(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + sum);
    }
    return sum;
  };
  walk(root, new Set());
  for (const skip of [IDLE, '(root)', '(program)']) {
    self.delete(skip);
    inclusive.delete(skip);
  }
  const rank = (m: Map<string, number>): [string, number][] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => [k, Math.round((1000 * v) / total) / 10]);
  return { self: rank(self), inclusive: rank(inclusive), busy };
}

/** CPU seconds (user + system) a process, or one of its threads, has used so far (Linux /proc). */
export function cpuSeconds(pid: number, tid?: number): number {
  const fields = statFields(pid, tid);
  // utime and stime are fields 14 and 15 of stat(5), 12 and 13 after the command name; in clock ticks (100/s on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The fields of /proc/<pid>[/task/<tid>]/stat after the command name (which may hold spaces): stat(5)'s field 3 first. */
function statFields(pid: number, tid: number | undefined): string[] {
  const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * Minor page faults a process, or one of its threads, has taken so far (field
 * 10 of stat(5)): first touches of pages that needed no disk read, mostly fresh
 * anonymous pages (the kernel zeroes each before the thread goes on) and pages
 * of a mapped file already in the page cache.
 */
export function minorFaults(pid: number, tid?: number): number {
  return Number(statFields(pid, tid)[7]);
}

/** CPU seconds per thread name of a process (libuv pool threads, workers, V8 helpers share names). */
export function cpuByThread(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const key = Number(tid) === pid ? 'main' : `${name}#${tid}`;
      out.set(key, (out.get(key) ?? 0) + cpuSeconds(pid, Number(tid)));
    } catch {
      // the thread ended between listing and reading
    }
  }
  return out;
}

/**
 * CPU µs per unit of work by thread name since `before` (a `cpuByThread`
 * snapshot), threads that share a name summed, busiest first.
 */
export function cpuUsByName(pid: number, before: ReadonlyMap<string, number>, units: number): [string, number][] {
  const byName = new Map<string, number>();
  for (const [name, sec] of cpuByThread(pid)) {
    const key = name.replace(/#\d+$/, '');
    byName.set(key, (byName.get(key) ?? 0) + sec - (before.get(name) ?? 0));
  }
  return [...byName]
    .map(([n, sec]): [string, number] => [n, Math.round((sec * 1e6) / units)])
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1]);
}

/** `topFrames`' self and inclusive rankings as two markdown tables. */
export function framesMarkdown(self: readonly [string, number][], inclusive: readonly [string, number][]): string {
  const table = (rows: readonly [string, number][]): string => rows.map(([k, v]) => `| ${v}% | \`${k}\` |`).join('\n');
  return `| self | frame |\n|---|---|\n${table(self)}\n\n| inclusive | frame |\n|---|---|\n${table(inclusive)}\n`;
}
