/** Running the crash-appender fixture (dist/shared/wal/testing/crash-appender.js) from tests. */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DIST, startNode, type Spawned } from '../helpers/process';

export const CRASH_APPENDER = join(DIST, 'shared', 'wal', 'testing', 'crash-appender.js');

export interface Ack {
  readonly offset: number;
  readonly nextOffset: number;
  readonly sha256: string;
}

export interface Appender {
  readonly proc: Spawned;
  readonly acks: Ack[];
  /** Resolves with the ready line. */
  readonly ready: Promise<Record<string, unknown>>;
  /** Resolves when stdout has closed (every line the child wrote has been parsed). */
  readonly drained: Promise<void>;
  /** Resolves once at least `n` acks arrived (rejects if the child ends first). */
  acked(n: number): Promise<void>;
}

export function startAppender(args: string[]): Appender {
  const proc = startNode(CRASH_APPENDER, args);
  const acks: Ack[] = [];
  let onLine: (() => void)[] = [];
  let readyResolve!: (v: Record<string, unknown>) => void;
  let readyReject!: (e: Error) => void;
  const ready = new Promise<Record<string, unknown>>((res, rej) => {
    readyResolve = res;
    readyReject = rej;
  });
  const rl = createInterface({ input: proc.child.stdout! });
  rl.on('line', (line) => {
    if (line.startsWith('ack ')) {
      const [, offset, next, sha] = line.split(' ');
      acks.push({ offset: Number(offset), nextOffset: Number(next), sha256: sha! });
    } else if (line.startsWith('{')) {
      const msg = JSON.parse(line) as Record<string, unknown>;
      if (msg.ready === true) readyResolve(msg);
    }
    for (const f of onLine) f();
  });
  let ended = false;
  const drained = new Promise<void>((res) => rl.on('close', res));
  void drained.then(() => {
    ended = true;
    readyReject(new Error(`appender ended before it was ready; stderr:\n${proc.stderr()}`));
    for (const f of onLine) f();
  });
  return {
    proc,
    acks,
    ready,
    drained,
    acked: (n) =>
      new Promise<void>((res, rej) => {
        const check = (): void => {
          if (acks.length >= n) {
            onLine = onLine.filter((f) => f !== check);
            res();
          } else if (ended) rej(new Error(`appender ended after ${acks.length} of ${n} acks; stderr:\n${proc.stderr()}`));
        };
        onLine.push(check);
        check();
      }),
  };
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
