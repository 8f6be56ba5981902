/**
 * The manifest: `MANIFEST` in the WAL directory, 80 bytes (docs/WAL.md, "The
 * manifest"). It names the log (a random 128-bit id made at creation), the first
 * and last segment base offsets, the retention floor, and the largest batch a
 * writer of this log may leave unsynced. It is rewritten atomically (temp file,
 * fsync, rename, directory fsync) at creation, at every rotation (after the new
 * segment exists, before anything is written to it) and at retention (before the
 * old segments are unlinked), so a missing first, middle or last segment is
 * always damage and never mistaken for trimming.
 *
 * Layout (all integers little-endian):
 *   0..7 magic "STEMEMAN" ‖ 8..11 manifest version u32 ‖ 12..15 segment format
 *   version u32 ‖ 16..31 log id ‖ 32..39 first segment base u64 ‖ 40..47 last
 *   segment base u64 ‖ 48..55 retention floor u64 ‖ 56..63 batch bytes max u64 ‖
 *   64..71 generation u64 ‖ 72..75 reserved (0) ‖ 76..79 CRC32C of bytes 0..75.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32cOf, readU64, writeU64 } from './checksum';
import { writeFileAtomicSync, type WalFs } from './file-io';
import { FORMAT_VERSION } from './format';
import { LOG_ID_BYTES, MANIFEST_BYTES, OFFSET_MAX } from './limits';

export const MANIFEST_FILE = 'MANIFEST';
export const MANIFEST_MAGIC = Buffer.from('STEMEMAN', 'ascii');
export const MANIFEST_VERSION = 1;

export interface Manifest {
  /** 32 lower-case hex digits, made at creation and never changed. */
  readonly logId: string;
  readonly firstBase: number;
  readonly lastBase: number;
  /** The highest offset retention was asked to trim below (0 when it never ran). */
  readonly retentionFloor: number;
  /** The largest batch the last writer could have left unsynced (bounds a torn group commit). */
  readonly batchBytesMax: number;
  /** Incremented at every rewrite. */
  readonly generation: number;
}

/** A manifest that exists but cannot be trusted: corruption of the log's metadata. */
export type ManifestRead = { kind: 'absent' } | { kind: 'ok'; manifest: Manifest } | { kind: 'bad'; reason: string };

export function newLogId(): string {
  return randomBytes(LOG_ID_BYTES).toString('hex');
}

export function encodeManifest(m: Manifest): Buffer {
  const b = Buffer.alloc(MANIFEST_BYTES);
  MANIFEST_MAGIC.copy(b, 0);
  b.writeUInt32LE(MANIFEST_VERSION, 8);
  b.writeUInt32LE(FORMAT_VERSION, 12);
  Buffer.from(m.logId, 'hex').copy(b, 16);
  writeU64(b, 32, m.firstBase);
  writeU64(b, 40, m.lastBase);
  writeU64(b, 48, m.retentionFloor);
  writeU64(b, 56, m.batchBytesMax);
  writeU64(b, 64, m.generation);
  b.writeUInt32LE(crc32cOf(b.subarray(0, MANIFEST_BYTES - 4)), MANIFEST_BYTES - 4);
  return b;
}

export function decodeManifest(b: Buffer): { ok: true; manifest: Manifest } | { ok: false; reason: string } {
  if (b.length !== MANIFEST_BYTES) return { ok: false, reason: `manifest is ${b.length} bytes, expected ${MANIFEST_BYTES}` };
  if (!b.subarray(0, 8).equals(MANIFEST_MAGIC)) return { ok: false, reason: 'bad manifest magic' };
  if (b.readUInt32LE(MANIFEST_BYTES - 4) !== crc32cOf(b.subarray(0, MANIFEST_BYTES - 4))) return { ok: false, reason: 'manifest checksum mismatch' };
  const version = b.readUInt32LE(8);
  if (version !== MANIFEST_VERSION) return { ok: false, reason: `unsupported manifest version ${version} (expected ${MANIFEST_VERSION})` };
  const format = b.readUInt32LE(12);
  if (format !== FORMAT_VERSION) return { ok: false, reason: `manifest names segment format ${format} (expected ${FORMAT_VERSION})` };
  const [firstBase, lastBase, retentionFloor, batchBytesMax, generation] = [32, 40, 48, 56, 64].map((at) => readU64(b, at)) as [number, number, number, number, number];
  for (const [name, v] of [['first base', firstBase], ['last base', lastBase], ['retention floor', retentionFloor], ['batch bytes max', batchBytesMax], ['generation', generation]] as const) {
    if (v > OFFSET_MAX) return { ok: false, reason: `manifest ${name} ${v} beyond ${OFFSET_MAX}` };
  }
  if (firstBase > lastBase) return { ok: false, reason: `manifest first base ${firstBase} is past its last base ${lastBase}` };
  return { ok: true, manifest: { logId: b.subarray(16, 32).toString('hex'), firstBase, lastBase, retentionFloor, batchBytesMax, generation } };
}

export function readManifest(dir: string): ManifestRead {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) return { kind: 'absent' };
  const decoded = decodeManifest(readFileSync(path));
  return decoded.ok ? { kind: 'ok', manifest: decoded.manifest } : { kind: 'bad', reason: decoded.reason };
}

/** Write `m` (generation already set by the caller) through temp + fsync + rename + directory fsync. */
export function writeManifest(io: WalFs, dir: string, m: Manifest, durable = true): void {
  writeFileAtomicSync(io, dir, MANIFEST_FILE, encodeManifest(m), durable);
}

/** `m` with `changes` applied and the generation moved on. */
export function nextManifest(m: Manifest, changes: Partial<Omit<Manifest, 'logId' | 'generation'>>): Manifest {
  return { ...m, ...changes, generation: m.generation + 1 };
}
