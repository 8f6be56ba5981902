/**
 * Raw disk figures measured beside each benchmark in the same run (machines are
 * noisy: quote ratios, not absolutes). Synchronous fs calls.
 */
import { closeSync, fdatasyncSync, openSync, readFileSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { percentile } from './results';

export interface FsyncRate {
  readonly ops: number;
  readonly opsPerSec: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

/**
 * Append `recordBytes` to a growing file and fdatasync, in a loop, for about
 * `durationMs`: the ceiling of one-flush-per-record durability on this disk.
 */
export function measureFdatasyncRate(dir: string, durationMs = 2000, recordBytes = 300): FsyncRate {
  const path = join(dir, 'fdatasync-probe.bin');
  const fd = openSync(path, 'w');
  const record = Buffer.alloc(recordBytes, 0x5a);
  const latencies: number[] = [];
  try {
    const deadline = performance.now() + durationMs;
    let position = 0;
    while (performance.now() < deadline) {
      const t0 = performance.now();
      writeSync(fd, record, 0, record.length, position);
      fdatasyncSync(fd);
      latencies.push((performance.now() - t0) * 1000);
      position += record.length;
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
  latencies.sort((a, b) => a - b);
  const seconds = latencies.reduce((s, x) => s + x, 0) / 1e6;
  return { ops: latencies.length, opsPerSec: latencies.length / seconds, p50Us: percentile(latencies, 50), p99Us: percentile(latencies, 99) };
}

/** Read `files` front to back in 1 MiB chunks; returns MB/s (10^6 bytes per second). */
export function measureSequentialRead(files: readonly string[]): { bytes: number; mbPerSec: number } {
  const chunk = Buffer.allocUnsafe(1 << 20);
  let bytes = 0;
  const t0 = performance.now();
  for (const file of files) {
    const fd = openSync(file, 'r');
    try {
      const size = statSync(file).size;
      for (let pos = 0; pos < size; ) {
        const n = readSync(fd, chunk, 0, chunk.length, pos);
        if (n === 0) break;
        pos += n;
        bytes += n;
      }
    } finally {
      closeSync(fd);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  return { bytes, mbPerSec: bytes / 1e6 / seconds };
}

/**
 * Bytes a process has passed to write(2) and its kin so far (`wchar` of Linux
 * /proc/<pid>/io: files and sockets alike), or undefined where that cannot be
 * read (not Linux, or not allowed). Its `write_bytes` is not used: the
 * Linux 6.18 kernel of the development machine charges a whole (large)
 * page-cache folio each time a write dirties one, and for a 100k-record ingest it said 1.84 GB where the disk's own
 * counter (/proc/diskstats, sectors written) said 526 MiB and the write calls
 * 570 MB.
 */
export function processWriteBytes(pid: number | 'self' = 'self'): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/io`, 'utf8');
  } catch {
    return undefined;
  }
  const bytes = Number(/^wchar: (\d+)$/m.exec(text)?.[1] ?? NaN);
  return Number.isFinite(bytes) ? bytes : undefined;
}
