/** Helpers shared by the WAL tests: quiet loggers, payload generators, file surgery. */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../shared/telemetry/logger';

/** A logger that keeps its lines for assertions instead of printing them. */
export function memoryLogger(): Logger & { lines: { level: string; msg: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const make = (): Logger => ({
    debug: (msg, fields) => lines.push({ level: 'debug', msg, fields }),
    info: (msg, fields) => lines.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => lines.push({ level: 'error', msg, fields }),
    child: () => make(),
  });
  return Object.assign(make(), { lines });
}

/** Deterministic pseudo-random payload sizes and bytes from a seed (xorshift). */
export function seededRandom(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

export function payloadOf(size: number): Buffer {
  return randomBytes(size);
}

export function segmentFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.wal'))
    .sort();
}

export function quarantineFiles(dir: string): string[] {
  try {
    return readdirSync(join(dir, 'quarantine')).sort();
  } catch {
    return [];
  }
}

export function readQuarantine(dir: string, name: string): Buffer {
  return readFileSync(join(dir, 'quarantine', name));
}
