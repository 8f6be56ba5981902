/**
 * One sweep over every fault kind, through every path that reads a log: open
 * (recovery), `wal check`, `wal repair` and a WalReader. They share one rule
 * (shared/wal/verdict.ts), so each fault must get the same verdict — torn (the
 * log ends at the same offset everywhere) or corruption/missing (refused or
 * reported at the same offset everywhere).
 */
import { appendFileSync, cpSync, readFileSync, renameSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Wal, WalCorruptionError, WalReader } from '../../shared/wal';
import { checkDir } from '../../shared/wal/check';
import { segmentFileName } from '../../shared/wal/format';
import { RECORD_HEADER_BYTES, SEGMENT_HEADER_BYTES } from '../../shared/wal/limits';
import { repairDir } from '../../shared/wal/repair';
import { makeTempDir, useTempDir } from '../helpers/tmp';
import { memoryLogger, payloadOf, segmentFiles } from './wal-fixtures';

type Verdict = { kind: 'torn' | 'damaged'; offset: number };

interface Log {
  offsets: number[];
  head: number;
  files: string[];
  /** Offsets of the last appendBatch (one group commit), all in the last segment. */
  batch: number[];
}

const SIZE = 300;
const FRAME = RECORD_HEADER_BYTES + SIZE;

async function build(dir: string): Promise<Log> {
  const wal = await Wal.open({ dir, durability: 'none', segmentBytesMax: 4096, logger: memoryLogger() });
  const offsets: number[] = [];
  for (let i = 0; i < 30; i++) offsets.push((await wal.append(payloadOf(SIZE))).offset);
  const r = await wal.appendBatch(Array.from({ length: 8 }, () => payloadOf(SIZE)));
  offsets.push(...r.offsets);
  const head = wal.headOffset;
  await wal.close();
  return { offsets, head, files: segmentFiles(dir), batch: [...r.offsets] };
}

const baseOf = (file: string): number => parseInt(file.slice(0, 16), 16);
const position = (file: string, offset: number): number => SEGMENT_HEADER_BYTES + offset - baseOf(file);

function edit(dir: string, file: string, fn: (b: Buffer) => Buffer): void {
  writeFileSync(join(dir, file), fn(Buffer.from(readFileSync(join(dir, file)))));
}

/** Each fault: what it does to a copy of the log, and the verdict every path must reach. */
const FAULTS: [string, (dir: string, log: Log) => Verdict][] = [
  ['bit flip in the tail record', (d, l) => {
    const last = l.files[l.files.length - 1]!;
    const at = l.offsets[l.offsets.length - 1]!;
    edit(d, last, (b) => ((b[position(last, at) + 100]! ^= 0x20), b));
    return { kind: 'torn', offset: at };
  }],
  ['bit flip in an earlier record of the last segment', (d, l) => {
    const last = l.files[l.files.length - 1]!;
    const at = l.batch[1]!;
    edit(d, last, (b) => ((b[position(last, at) + 60]! ^= 1), b));
    return { kind: 'damaged', offset: at };
  }],
  ['bit flip in a record of an earlier segment', (d, l) => {
    const f = l.files[1]!;
    const at = l.offsets.find((o) => o > baseOf(f))!;
    edit(d, f, (b) => ((b[position(f, at) + 45]! ^= 8), b));
    return { kind: 'damaged', offset: at };
  }],
  ['truncation inside the last record', (d, l) => {
    const last = l.files[l.files.length - 1]!;
    const at = l.offsets[l.offsets.length - 1]!;
    truncateSync(join(d, last), position(last, at) + 77);
    return { kind: 'torn', offset: at };
  }],
  ['a zeroed sector in an earlier segment', (d, l) => {
    const f = l.files[0]!;
    edit(d, f, (b) => b.fill(0, 1024, 1536));
    const hit = l.offsets.filter((o) => o < baseOf(l.files[1]!)).reverse().find((o) => position(f, o) <= 1024)!;
    return { kind: 'damaged', offset: hit };
  }],
  ['zero extension after the last record', (d, l) => {
    appendFileSync(join(d, l.files[l.files.length - 1]!), Buffer.alloc(8192));
    return { kind: 'torn', offset: l.head };
  }],
  ['garbage appended after the last record', (d, l) => {
    appendFileSync(join(d, l.files[l.files.length - 1]!), Buffer.from(Array.from({ length: 333 }, (_, i) => (i * 131 + 7) & 0xff)));
    return { kind: 'torn', offset: l.head };
  }],
  ['a middle segment deleted', (d, l) => {
    unlinkSync(join(d, l.files[1]!));
    return { kind: 'damaged', offset: baseOf(l.files[1]!) };
  }],
  ['the last segment renamed', (d, l) => {
    const last = l.files[l.files.length - 1]!;
    renameSync(join(d, last), join(d, 'moved-away'));
    return { kind: 'damaged', offset: baseOf(last) };
  }],
  ['a torn segment creation (an all-zero last segment of 4 KiB that the manifest does not name)', (d, l) => {
    writeFileSync(join(d, segmentFileName(l.head)), Buffer.alloc(4096));
    return { kind: 'torn', offset: l.head };
  }],
  ['a bad header on the last segment the manifest names', (d, l) => {
    const last = l.files[l.files.length - 1]!;
    edit(d, last, (b) => ((b[9]! ^= 1), b));
    return { kind: 'damaged', offset: baseOf(last) };
  }],
  ['a group commit torn out of order (a zeroed sector inside the last batch, valid records after it)', (d, l) => {
    const last = l.files[l.files.length - 1]!;
    const start = Math.ceil((position(last, l.batch[2]!) + 1) / 512) * 512;
    edit(d, last, (b) => b.fill(0, start, start + 512));
    const first = l.batch.find((o) => position(last, o) + FRAME > start)!;
    return { kind: 'torn', offset: first };
  }],
];

async function viaOpen(dir: string): Promise<Verdict> {
  try {
    const wal = await Wal.open({ dir, logger: memoryLogger() });
    const head = wal.headOffset;
    await wal.close();
    return { kind: 'torn', offset: head };
  } catch (err) {
    if (err instanceof WalCorruptionError) return { kind: 'damaged', offset: err.offset };
    throw err;
  }
}

function viaCheck(dir: string): Verdict {
  const r = checkDir(dir);
  const bad = r.problems.find((p) => p.kind !== 'torn_tail');
  if (bad !== undefined) return { kind: 'damaged', offset: bad.offset };
  const torn = r.problems.find((p) => p.kind === 'torn_tail');
  return { kind: 'torn', offset: torn?.offset ?? r.headOffset! };
}

function viaRepair(dir: string): Verdict {
  try {
    const r = repairDir(dir, memoryLogger()).recovery;
    const wal = checkDir(dir);
    expect(wal.problems).toEqual([]);
    expect(r.records).toBe(wal.records);
    return { kind: 'torn', offset: wal.headOffset! };
  } catch (err) {
    if (err instanceof WalCorruptionError) return { kind: 'damaged', offset: err.offset };
    throw err;
  }
}

async function viaReader(dir: string): Promise<Verdict> {
  const reader = await WalReader.open({ dir, logger: memoryLogger() });
  try {
    let at = reader.firstOffset;
    for (;;) {
      const batch = await reader.readFrom(at, 1 << 20).catch((err: unknown) => err as Error);
      if (batch instanceof WalCorruptionError) return { kind: 'damaged', offset: batch.offset };
      if (batch instanceof Error) {
        if ((batch as { kind?: string }).kind !== 'beyond_head') throw batch;
        break;
      }
      at = batch[batch.length - 1]!.nextOffset;
    }
    // At the end: corruption is reported, a torn tail is "nothing more yet".
    const waited = await reader.waitFor(at + 1, AbortSignal.timeout(50)).catch((err: unknown) => err);
    if (waited instanceof WalCorruptionError) return { kind: 'damaged', offset: waited.offset };
    return { kind: 'torn', offset: at };
  } finally {
    await reader.close();
  }
}

describe('every fault kind gets one verdict from open, check, repair and the reader', () => {
  const tmp = useTempDir('stemedb-wal-sweep-');

  test.each(FAULTS)('%s', async (_name, fault) => {
    const log = await build(tmp.path);
    expect(log.files.length).toBeGreaterThanOrEqual(3);
    const copies = Array.from({ length: 4 }, () => makeTempDir('stemedb-wal-sweep-copy-'));
    try {
      let expected: Verdict | undefined;
      for (const c of copies) {
        cpSync(tmp.path, c.path, { recursive: true });
        expected = fault(c.path, log);
      }
      const verdicts = {
        reader: await viaReader(copies[3]!.path),
        check: viaCheck(copies[1]!.path),
        open: await viaOpen(copies[0]!.path),
        repair: viaRepair(copies[2]!.path),
      };
      expect(verdicts).toEqual({ reader: expected, check: expected, open: expected, repair: expected });
    } finally {
      for (const c of copies) c.cleanup();
    }
  });
});
